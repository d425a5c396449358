using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Narratives.Core.Analytics;
using Narratives.Core.Overview;
using Narratives.Core.Reference;
using Narratives.Web.Analytics;
using Narratives.Web.Campaigns;
using Narratives.Web.Shell;
using Plotly.Blazor;
using Plotly.Blazor.Interop;
using Plotly.Blazor.Traces;

namespace Narratives.Web.Overview;

/// <summary>
/// The Overview: how far the campaigns reach and whether people engage, for the filters in the address. Every figure
/// comes from the rollups, over the campaigns the visitor may see; clicking a bar, a cell or a country filters by it.
/// </summary>
public sealed partial class OverviewPage : AnalyticsPage
{
    [Inject] OverviewStore Store { get; set; } = default!;
    [Inject] AnalyticsStore Analytics { get; set; } = default!;
    [Inject] Taxonomy Taxonomy { get; set; } = default!;
    [Inject] TimeProvider Clock { get; set; } = default!;
    [CascadingParameter] Task<AuthenticationState> Auth { get; set; } = default!;

    OverviewCounts? counts;
    AnalyticsView? view;
    MetricTotals? totals, previous;
    string? error;
    string platformList = "", platformsNote = "";
    List<string> warnings = [];
    IReadOnlyList<AnalyticsStore.TopContent> topContent = [];
    IList<ITrace> reachData = [], engagementData = [], themeData = [], heatmapData = [], platformData = [], mapData = [];
    Layout reachLayout = new(), engagementLayout = new(), themeLayout = new(), heatmapLayout = new(), platformLayout = new(), mapLayout = new();
    PlotlyChart? themeChart, heatmapChart, platformChart, mapChart;
    readonly HashSet<PlotlyChart> subscribed = [];
    List<string> themeIds = [], audienceIds = [], platformIds = [], countryIds = [];

    readonly Config mapConfig = ChartDefaults.MapConfig();

    protected override async Task LoadAsync()
    {
        try
        {
            var viewer = CampaignGate.ViewerOf((await Auth).User);
            var lastDay = await Analytics.LastDayAsync() ?? DateOnly.FromDateTime(Clock.GetUtcNow().UtcDateTime);
            view = AnalyticsView.FromUri(Navigation, Taxonomy, lastDay);
            var filter = view.Filter;
            // The widgets' queries are independent, each on its own connection: they run side by side.
            var countsTask = Store.CountsAsync(viewer);
            var totalsTask = Analytics.TotalsAsync(filter, viewer);
            var previousTask = Analytics.TotalsAsync(filter.Previous(), viewer);
            var seriesTask = Analytics.BreakdownAsync(filter, viewer, Dimension.Day, Dimension.Platform);
            var themesTask = Analytics.BreakdownAsync(filter, viewer, Dimension.Theme);
            var heatmapTask = filter.Language is null
                ? Analytics.BreakdownAsync(filter, viewer, Dimension.Theme, Dimension.Audience)
                : Task.FromResult<IReadOnlyList<BreakdownRow>>([]);
            var platformsTask = Analytics.BreakdownAsync(filter, viewer, Dimension.Platform);
            var mapTask = Analytics.InitiativesByCountryAsync(filter);
            var topTask = Analytics.TopContentAsync(filter, viewer);
            await Task.WhenAll(countsTask, totalsTask, previousTask, seriesTask, themesTask, heatmapTask, platformsTask, mapTask, topTask);
            counts = countsTask.Result;
            totals = totalsTask.Result;
            previous = previousTask.Result;
            var series = seriesTask.Result;
            var themes = themesTask.Result;
            var heatmap = heatmapTask.Result;
            var platforms = platformsTask.Result;
            var map = mapTask.Result;
            topContent = topTask.Result;

            platformList = Charts.PlatformList(platforms.Select(p => p.Key));
            platformsNote = platforms.Count > 1 ? L["Overview.AllPlatforms"] : "";
            warnings = Warnings(totals, platforms);
            BuildSeries(series);
            BuildThemes(themes);
            BuildHeatmap(heatmap);
            BuildPlatforms(platforms);
            BuildMap(map);
            error = null;
        }
        catch (Npgsql.NpgsqlException ex)
        {
            // The page says the database did not answer instead of showing empty charts.
            error = ex.Message;
        }
    }

    List<string> Warnings(MetricTotals t, IReadOnlyList<BreakdownRow> platforms)
    {
        var list = new List<string>();
        if (platforms.Count == 1) list.Add(L["Analytics.SinglePlatform", PlatformNames.Display(platforms[0].Key)]);
        if (t.Items is > 0 and < 30 || t.Impressions is > 0 and < 1000) list.Add(L["Analytics.SmallSample", t.Impressions.ToString("N0")]);
        return list;
    }

    void BuildSeries(IReadOnlyList<BreakdownRow> series)
    {
        reachData = Charts.LinesBySecondKey(series, t => t.Reach, PlatformNames.Display);
        engagementData = Charts.LinesBySecondKey(series, t => t.Engagements, PlatformNames.Display);
        reachLayout = ChartDefaults.Layout(L["Overview.Day"], L["Overview.ReachChart.YAxis"]);
        engagementLayout = ChartDefaults.Layout(L["Overview.Day"], L["Overview.EngagementChart.YAxis"]);
    }

    void BuildThemes(IReadOnlyList<BreakdownRow> themes)
    {
        var byReach = view!.Rate == "reach";
        themeIds = themes.Select(t => t.Key).ToList();
        themeData = Charts.RateBars(themes.Select(t => (Taxonomy.ThemeLabel(t.Key), t.Totals.Engagements, byReach ? t.Totals.Reach : t.Totals.Impressions)).ToList(),
            L["Overview.ThemeRate.YAxis"]);
        themeLayout = ChartDefaults.Layout(L["Initiatives.Theme"], byReach ? L["Overview.ThemeRate.YAxisReach"] : L["Overview.ThemeRate.YAxis"], showLegend: false);
    }

    void BuildHeatmap(IReadOnlyList<BreakdownRow> cells)
    {
        var rowIds = cells.Select(c => c.Key).Distinct().OrderBy(Taxonomy.ThemeLabel).ToList();
        audienceIds = cells.Select(c => c.Key2).Distinct().OrderBy(Taxonomy.AudienceLabel).ToList();
        var rates = cells.ToDictionary(c => (c.Key, c.Key2), c => Metrics.Get(view!.RateMetric).Compute(c.Totals));
        heatmapRows = rowIds;
        heatmapData =
        [
            new HeatMap
            {
                X = audienceIds.Select(a => (object)Taxonomy.AudienceLabel(a)).ToList(),
                Y = rowIds.Select(t => (object)Taxonomy.ThemeLabel(t)).ToList(),
                Z = rowIds.Select(t => (object)audienceIds.Select(a => (object?)(rates.GetValueOrDefault((t, a)) is { } r ? Math.Round(100 * r, 2) : null)).ToList()).ToList(),
                ColorScale = "Blues",
                HoverTemplate = "%{y} × %{x}: %{z:.2f}%<extra></extra>",
                ColorBar = new Plotly.Blazor.Traces.HeatMapLib.ColorBar { Title = new Plotly.Blazor.Traces.HeatMapLib.ColorBarLib.Title { Text = "%" } },
            },
        ];
        heatmapLayout = ChartDefaults.Layout(L["Initiatives.Audience"], L["Initiatives.Theme"], showLegend: false);
        heatmapLayout.Margin = new Plotly.Blazor.LayoutLib.Margin { L = 180, R = 16, T = 16, B = 110 };
    }

    List<string> heatmapRows = [];

    void BuildPlatforms(IReadOnlyList<BreakdownRow> platforms)
    {
        platformIds = platforms.Select(p => p.Key).ToList();
        platformData =
        [
            new Bar { Name = L["Metric.impressions"], X = platforms.Select(p => (object)PlatformNames.Display(p.Key)).ToList(), Y = platforms.Select(p => (object)p.Totals.Impressions).ToList() },
            new Bar { Name = L["Metric.engagements"], X = platforms.Select(p => (object)PlatformNames.Display(p.Key)).ToList(), Y = platforms.Select(p => (object)p.Totals.Engagements).ToList() },
        ];
        platformLayout = ChartDefaults.Layout(L["Content.Platform"], L["Overview.PlatformMix.YAxis"]);
    }

    void BuildMap(IReadOnlyList<AnalyticsStore.CountryInitiatives> countries)
    {
        countryIds = countries.Select(c => c.Country).ToList();
        (mapData, mapLayout) = ChartDefaults.CountryMap(countries.Select(c => (c.Country, c.Name, c.Initiatives)).ToList(), L["Coverage.Initiatives"], 360);
    }

    /// <summary>Plotly calls back after drawing; clicks are subscribed once per chart. A closed circuit ends it quietly.</summary>
    void Subscribe(PlotlyChart? chart)
    {
        if (chart is null || !subscribed.Add(chart)) return;
        _ = SubscribeAsync(chart);
    }

    static async Task SubscribeAsync(PlotlyChart chart)
    {
        try { await chart.SubscribeClickEvent(); }
        catch (Microsoft.JSInterop.JSDisconnectedException) { }
        catch (TaskCanceledException) { }
    }

    static int? Index(IEnumerable<EventDataPoint> points) =>
        points.FirstOrDefault()?.PointNumber is { } n && int.TryParse(n.ToString(), out var i) ? i : null;

    void Drill(params (string Key, string? Value)[] filters)
    {
        var query = view!.Query().ToDictionary();
        foreach (var (key, value) in filters) query[key] = value;
        Navigation.NavigateTo(Navigation.GetUriWithQueryParameters(query));
    }

    void OnThemeClick(IEnumerable<EventDataPoint> points)
    {
        if (Index(points) is { } i && i < themeIds.Count) Drill(("theme", themeIds[i]));
    }

    void OnHeatmapClick(IEnumerable<EventDataPoint> points)
    {
        var point = points.FirstOrDefault();
        if (point?.X is null || point.Y is null) return;
        var theme = heatmapRows.FirstOrDefault(t => Taxonomy.ThemeLabel(t) == point.Y.ToString());
        var audience = audienceIds.FirstOrDefault(a => Taxonomy.AudienceLabel(a) == point.X.ToString());
        if (theme is not null && audience is not null) Drill(("theme", theme), ("audience", audience), ("language", null));
    }

    void OnPlatformClick(IEnumerable<EventDataPoint> points)
    {
        if (Index(points) is { } i && i < platformIds.Count) Drill(("platform", platformIds[i]));
    }

    void OnMapClick(IEnumerable<EventDataPoint> points)
    {
        if (Index(points) is { } i && i < countryIds.Count) Drill(("country", countryIds[i]));
    }
}
