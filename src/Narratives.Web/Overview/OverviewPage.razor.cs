using Microsoft.AspNetCore.Components;
using Narratives.Core.Overview;
using Narratives.Web.Shell;
using Plotly.Blazor;
using Plotly.Blazor.Traces;
using Plotly.Blazor.Traces.ScatterLib;

namespace Narratives.Web.Overview;

public sealed partial class OverviewPage
{
    const int PeriodDays = 90;

    [Inject] OverviewStore Store { get; set; } = default!;

    OverviewSummary? summary;
    string? error;
    IList<ITrace> impressionsData = [];
    IList<ITrace> regionsData = [];
    Layout impressionsLayout = new();
    Layout regionsLayout = new();

    protected override async Task OnInitializedAsync()
    {
        try
        {
            summary = await Store.SummaryAsync(PeriodDays);
            var daily = await Store.DailyByPlatformAsync(PeriodDays);
            var regions = await Store.InitiativesByRegionAsync();
            BuildImpressionsChart(daily);
            BuildRegionsChart(regions);
        }
        catch (Npgsql.NpgsqlException ex)
        {
            // The page says the database did not answer instead of showing empty charts.
            error = ex.Message;
        }
    }

    void BuildImpressionsChart(IReadOnlyList<DailyPlatformFigures> daily)
    {
        impressionsData = daily
            .GroupBy(d => d.Platform)
            .Select(g => (ITrace)new Scatter
            {
                Name = PlatformNames.Display(g.Key),
                Mode = ModeFlag.Lines,
                X = g.Select(d => (object)d.Day.ToDateTime(TimeOnly.MinValue)).ToList(),
                Y = g.Select(d => (object)d.Impressions).ToList(),
            })
            .ToList();
        impressionsLayout = ChartDefaults.Layout(L["Overview.ImpressionsChart.XAxis"], L["Overview.ImpressionsChart.YAxis"]);
    }

    void BuildRegionsChart(IReadOnlyList<RegionCount> regions)
    {
        regionsData =
        [
            new Bar
            {
                Name = L["Overview.RegionsChart.YAxis"],
                X = regions.Select(r => (object)r.Region).ToList(),
                Y = regions.Select(r => (object)r.Initiatives).ToList(),
            },
        ];
        regionsLayout = ChartDefaults.Layout(L["Overview.RegionsChart.XAxis"], L["Overview.RegionsChart.YAxis"], showLegend: false);
    }
}
