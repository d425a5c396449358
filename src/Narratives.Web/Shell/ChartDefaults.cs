using Plotly.Blazor;
using Plotly.Blazor.LayoutLib;

namespace Narratives.Web.Shell;

/// <summary>Shared Plotly settings: responsive, no Plotly logo, axis titles always present.</summary>
public static class ChartDefaults
{
    public static Config Config() => new() { Responsive = true, DisplayLogo = false };

    /// <summary>For maps: the geometry comes with the page (wwwroot/geo); were another ever needed, it is asked of Narratives, never of a CDN.</summary>
    public static Config MapConfig() => new() { Responsive = true, DisplayLogo = false, TopoJsonUrl = "/geo/" };

    /// <summary>A world map of a count per country (ISO 3166-1 alpha-3), darker where there are more.</summary>
    public static (IList<ITrace> Data, Layout Layout) CountryMap(IReadOnlyList<(string Alpha3, string Name, int Count)> countries, string countTitle, int height) =>
    (
        [
            new Plotly.Blazor.Traces.Choropleth
            {
                Locations = countries.Select(c => (object)c.Alpha3).ToList(),
                Z = countries.Select(c => (object)c.Count).ToList(),
                TextArray = countries.Select(c => c.Name).ToList(),
                LocationMode = Plotly.Blazor.Traces.ChoroplethLib.LocationModeEnum.ISO3,
                ColorScale = "Blues",
                ColorBar = new Plotly.Blazor.Traces.ChoroplethLib.ColorBar { Title = new Plotly.Blazor.Traces.ChoroplethLib.ColorBarLib.Title { Text = countTitle } },
                HoverTemplate = "%{text}: %{z}<extra></extra>",
            },
        ],
        new Layout
        {
            Height = height,
            Margin = new Margin { L = 0, R = 0, T = 0, B = 0 },
            Geo = [new Geo { ShowFrame = false, ShowCountries = true }],
        }
    );

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
