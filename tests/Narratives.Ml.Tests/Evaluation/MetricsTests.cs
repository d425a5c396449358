using Narratives.Ml.Evaluation;

namespace Narratives.Ml.Tests.Evaluation;

public sealed class MetricsTests
{
    static IReadOnlyList<IReadOnlyList<string>> L(params string[] labels) => labels.Select(l => (IReadOnlyList<string>)l.Split(';')).ToList();

    [Fact]
    public void Single_label_figures_and_confusion_matrix_are_computed_from_the_rows()
    {
        var report = Metrics.Compute(L("a", "a", "b", "b"), L("a", "b", "b", "b"), ["a", "b"], multiLabel: false, ["en", "en", "fr", "fr"]);

        Assert.Equal(0.75, report.Accuracy);
        Assert.Equal(0.75, report.MicroF1);
        // a: P 1, R 0.5, F1 2/3; b: P 2/3, R 1, F1 0.8
        Assert.Equal((2.0 / 3 + 0.8) / 2, report.MacroF1, 6);
        Assert.Equal([[1, 1], [0, 2]], report.ConfusionMatrix!.Select(r => r.ToArray()).ToArray());
        Assert.Equal(0.5, report.PerLanguage.Single(l => l.Language == "en").Accuracy);
        Assert.Equal(1.0, report.PerLanguage.Single(l => l.Language == "fr").Accuracy);
    }

    [Fact]
    public void Multi_label_micro_f1_counts_every_label_decision()
    {
        var report = Metrics.Compute(L("x;y", "y"), L("x", "y;z"), ["x", "y", "z"], multiLabel: true);

        // tp = 2 (x, y), fp = 1 (z), fn = 1 (y in row 1)
        Assert.Equal(2.0 * 2 / (2 * 2 + 1 + 1), report.MicroF1, 6);
        Assert.Equal(0, report.Accuracy);
        Assert.Null(report.ConfusionMatrix);
    }
}
