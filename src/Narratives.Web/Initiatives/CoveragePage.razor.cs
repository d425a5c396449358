using Microsoft.AspNetCore.Components;
using Narratives.Core.Initiatives;
using Narratives.Core.Reference;
using Narratives.Web.Shell;
using Plotly.Blazor;
using Plotly.Blazor.Traces;

namespace Narratives.Web.Initiatives;

/// <summary>Where initiatives exist and, as much, where none does: a world map and theme/audience by region matrices.</summary>
public sealed partial class CoveragePage
{
    static readonly string[] Regions = ["Africa", "Americas", "Asia", "Europe", "Oceania"];

    [Inject] InitiativeStore Store { get; set; } = default!;
    [Inject] Taxonomy Taxonomy { get; set; } = default!;

    Coverage? coverage;
    IList<ITrace> mapData = [];
    IList<ITrace> themeData = [];
    IList<ITrace> audienceData = [];
    Layout mapLayout = new();
    Layout themeLayout = new();
    Layout audienceLayout = new();
    readonly Config mapConfig = ChartDefaults.MapConfig();

    protected override async Task OnInitializedAsync()
    {
        coverage = await Store.CoverageAsync();
        (mapData, mapLayout) = ChartDefaults.CountryMap(coverage.Countries.Select(c => (c.Alpha3, c.Name, c.Initiatives)).ToList(), L["Coverage.Initiatives"], 460);
        (themeData, themeLayout) = Matrix(coverage.ThemeByRegion, Taxonomy.Themes.Select(t => (t.Id, t.Label)).ToList(), L["Initiatives.Theme"]);
        (audienceData, audienceLayout) = Matrix(coverage.AudienceByRegion, Taxonomy.Audiences.Select(a => (a.Id, a.Label)).ToList(), L["Initiatives.Audience"]);
    }

    (IList<ITrace>, Layout) Matrix(IReadOnlyList<MatrixCell> cells, IReadOnlyList<(string Id, string Label)> rows, string rowTitle)
    {
        var counts = cells.ToDictionary(c => (c.Row, c.Region), c => c.Initiatives);
        var z = rows.Select(r => (object)Regions.Select(region => (object)counts.GetValueOrDefault((r.Id, region))).ToList()).ToList();
        IList<ITrace> data =
        [
            new HeatMap
            {
                X = Regions.Cast<object>().ToList(),
                Y = rows.Select(r => (object)r.Label).ToList(),
                Z = z,
                ColorScale = "Blues",
                TextTemplate = "%{z}",
                HoverTemplate = "%{y}, %{x}: %{z}<extra></extra>",
            },
        ];
        var layout = ChartDefaults.Layout(L["Overview.RegionsChart.XAxis"], rowTitle, showLegend: false);
        layout.Height = 420;
        layout.Margin = new Plotly.Blazor.LayoutLib.Margin { L = 150, R = 16, T = 16, B = 64 };
        return (data, layout);
    }
}
