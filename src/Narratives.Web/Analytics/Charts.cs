using Narratives.Core.Analytics;
using Narratives.Web.Shell;
using Plotly.Blazor;
using Plotly.Blazor.Traces;
using Plotly.Blazor.Traces.ScatterLib;

namespace Narratives.Web.Analytics;

/// <summary>The chart shapes the analytics pages share, built from breakdown rows.</summary>
public static class Charts
{
    /// <summary>One line per key2 (a platform), never added together.</summary>
    public static IList<ITrace> LinesBySecondKey(IReadOnlyList<BreakdownRow> rows, Func<MetricTotals, double?> value, Func<string, string> name) =>
        rows.GroupBy(r => r.Key2).Select(g => (ITrace)new Scatter
        {
            Name = name(g.Key),
            Mode = ModeFlag.Lines,
            X = g.Select(r => (object)DateTime.Parse(r.Key, System.Globalization.CultureInfo.InvariantCulture)).ToList(),
            Y = g.Select(r => (object?)value(r.Totals) ?? 0).ToList(),
        }).ToList();

    /// <summary>A rate per key as bars with its 95% Wilson interval as error bars (when the rate is a share of its base).</summary>
    public static IList<ITrace> RateBars(IReadOnlyList<(string Label, long Successes, long Trials)> rates, string name)
    {
        var wilson = rates.Select(r => r.Trials > 0 && r.Successes <= r.Trials ? Proportions.Wilson(r.Successes, r.Trials) : null).ToList();
        return
        [
            new Bar
            {
                Name = name,
                X = rates.Select(r => (object)r.Label).ToList(),
                Y = rates.Select(r => (object?)(r.Trials > 0 ? 100.0 * r.Successes / r.Trials : null) ?? 0).ToList(),
                ErrorY = new Plotly.Blazor.Traces.BarLib.ErrorY
                {
                    Type = Plotly.Blazor.Traces.BarLib.ErrorYLib.TypeEnum.Data,
                    Symmetric = false,
                    Array = wilson.Select(w => (object)(w is null ? 0 : 100 * (w.High - w.Value))).ToList(),
                    ArrayMinus = wilson.Select(w => (object)(w is null ? 0 : 100 * (w.Value - w.Low))).ToList(),
                    Visible = true,
                },
                HoverTemplate = "%{x}: %{y:.2f}%<extra></extra>",
            },
        ];
    }

    public static string PlatformList(IEnumerable<string> platforms) => string.Join(", ", platforms.Distinct().Order().Select(PlatformNames.Display));
}
