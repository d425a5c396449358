using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Narratives.Core.Analytics;
using Narratives.Web.Campaigns;
using Narratives.Web.Shell;
using Plotly.Blazor;
using Plotly.Blazor.Traces;

namespace Narratives.Web.Analytics;

/// <summary>Researchers pivot any metric by any dimension, and by month, and download exactly the numbers shown.</summary>
public sealed partial class ExplorerPage
{
    [CascadingParameter] Task<AuthenticationState> Auth { get; set; } = default!;
    string? MetricQuery => Query("metric");
    string? ByQuery => Query("by");
    bool Month => Query("month") == "true";

    static readonly Dimension[] Dimensions =
        [Dimension.Theme, Dimension.Audience, Dimension.Platform, Dimension.Language, Dimension.Country, Dimension.Region, Dimension.Initiative, Dimension.Campaign, Dimension.Month];

    AnalyticsView? view;
    string metric = "engagement_rate_impressions";
    Dimension by = Dimension.Theme;
    bool byMonth;
    string? error;
    List<BreakdownRow> rows = [];
    List<string> rowKeys = [], columns = [], platforms = [];
    Dictionary<string, string> labels = [];
    Dictionary<(string, string), double?> cells = [];
    IList<ITrace> data = [];
    Layout layout = new();

    protected override async Task LoadAsync()
    {
        metric = MetricQuery is { } m && Narratives.Core.Analytics.Metrics.IsMetric(m) && m != "conversions" ? m : "engagement_rate_impressions";
        by = Enum.TryParse<Dimension>(ByQuery, true, out var d) && Dimensions.Contains(d) ? d : Dimension.Theme;
        byMonth = Month && by != Dimension.Month;
        var viewer = CampaignGate.ViewerOf((await Auth).User);
        view = AnalyticsView.FromUri(Navigation, Taxonomy, await Analytics.LastDayAsync() ?? DateOnly.FromDateTime(Clock.GetUtcNow().UtcDateTime));
        var filter = by == Dimension.Audience ? view.Filter with { Language = null } : view.Filter;
        if (by == Dimension.Language && filter.Audience is not null)
        {
            error = L["Explorer.AudienceLanguage"];
            rows = [];
            return;
        }
        error = null;
        rows = (await Analytics.BreakdownAsync(filter, viewer, by, byMonth ? Dimension.Month : Dimension.None)).ToList();
        platforms = (await Analytics.BreakdownAsync(filter, viewer, Dimension.Platform)).Select(p => p.Key).ToList();
        Build();
    }

    void Build()
    {
        var definition = Narratives.Core.Analytics.Metrics.Get(metric);
        labels = rows.GroupBy(r => r.Key).ToDictionary(g => g.Key, g => Label(g.Key, g.First().Label));
        rowKeys = labels.Keys.OrderBy(k => labels[k]).ToList();
        columns = byMonth ? rows.Select(r => r.Key2).Distinct().Order().ToList() : [L["Metric." + metric]];
        cells = rows.ToDictionary(r => (r.Key, byMonth ? r.Key2 : columns[0]), r => definition.Compute(r.Totals));
        var percent = definition.Unit == MetricUnit.Percent;
        data = columns.Select(c => (ITrace)new Bar
        {
            Name = c,
            X = rowKeys.Select(k => (object)labels[k]).ToList(),
            Y = rowKeys.Select(k => (object?)(cells.GetValueOrDefault((k, c)) is { } v ? (percent ? 100 * v : v) : null) ?? 0).ToList(),
        }).ToList();
        layout = ChartDefaults.Layout(L["Dimension." + by], L["Metric." + metric] + (percent ? " (%)" : ""), showLegend: byMonth);
    }

    string Label(string key, string label) => by switch
    {
        Dimension.Theme => key == "unclassified" ? L["Analytics.Unclassified"] : Taxonomy.ThemeLabel(key),
        Dimension.Audience => key == "unclassified" ? L["Analytics.Unclassified"] : Taxonomy.AudienceLabel(key),
        Dimension.Platform => PlatformNames.Display(key),
        Dimension.Language => key.Length == 0 ? "?" : key,
        _ => label,
    };

    string Format(double? value)
    {
        if (value is not { } v) return "—";
        return Narratives.Core.Analytics.Metrics.Get(metric).Unit switch
        {
            MetricUnit.Percent => v.ToString("P2"),
            MetricUnit.Ratio or MetricUnit.Money => v.ToString("N2"),
            _ => v.ToString("N0"),
        };
    }

    void Go(string key, string? value)
    {
        var query = view!.Query().ToDictionary();
        query["metric"] = metric;
        query["by"] = by.ToString().ToLowerInvariant();
        query["month"] = byMonth ? "true" : null;
        query[key] = value;
        Navigation.NavigateTo(Navigation.GetUriWithQueryParameters(query));
    }
}
