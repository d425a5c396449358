using Plotly.Blazor;
using Plotly.Blazor.LayoutLib;

namespace Narratives.Web.Shell;

/// <summary>Shared Plotly settings: responsive, no Plotly logo, axis titles always present.</summary>
public static class ChartDefaults
{
    public static Config Config() => new() { Responsive = true, DisplayLogo = false };

    public static Layout Layout(string xTitle, string yTitle, bool showLegend = true) => new()
    {
        AutoSize = true,
        Height = 360,
        ShowLegend = showLegend,
        Margin = new Margin { L = 64, R = 16, T = 16, B = 64 },
        XAxis = [new XAxis { Title = new Plotly.Blazor.LayoutLib.XAxisLib.Title { Text = xTitle } }],
        YAxis = [new YAxis { Title = new Plotly.Blazor.LayoutLib.YAxisLib.Title { Text = yTitle }, RangeMode = Plotly.Blazor.LayoutLib.YAxisLib.RangeModeEnum.ToZero }],
    };
}

/// <summary>How platform ids are shown to people.</summary>
public static class PlatformNames
{
    public static string Display(string platform) => platform switch
    {
        "facebook" => "Facebook",
        "instagram" => "Instagram",
        "youtube" => "YouTube",
        "x" => "X",
        "tiktok" => "TikTok",
        "meta_ads" => "Meta Ads",
        "google_ads" => "Google Ads",
        _ => platform,
    };
}
