namespace Narratives.Ml.Evaluation;

public sealed record ClassMetrics(string Label, double Precision, double Recall, double F1, int Support);

public sealed record LanguageMetrics(string Language, int Rows, double Accuracy, double MacroF1, double MicroF1);

/// <summary>
/// How good a classifier is on labelled data it did not learn from. For a single-label task the confusion matrix has
/// one row per true label and one column per predicted label, in <see cref="Labels"/> order; accuracy is the share of
/// rows whose label set is exactly right.
/// </summary>
public sealed record QualityReport(
    bool MultiLabel,
    int Rows,
    int Folds,
    double Accuracy,
    double MacroF1,
    double MicroF1,
    IReadOnlyList<string> Labels,
    IReadOnlyList<ClassMetrics> PerClass,
    IReadOnlyList<IReadOnlyList<int>>? ConfusionMatrix,
    IReadOnlyList<LanguageMetrics> PerLanguage,
    string Trainer = "",
    double TrainingSeconds = 0);

public static class Metrics
{
    /// <summary>Compares true and predicted label sets row by row.</summary>
    public static QualityReport Compute(IReadOnlyList<IReadOnlyList<string>> truth, IReadOnlyList<IReadOnlyList<string>> predicted,
        IReadOnlyList<string> labels, bool multiLabel, IReadOnlyList<string?>? languages = null, int folds = 0)
    {
        if (truth.Count != predicted.Count) throw new ArgumentException("Truth and predictions differ in length.");
        var all = labels.Concat(truth.SelectMany(t => t)).Concat(predicted.SelectMany(p => p)).Distinct(StringComparer.Ordinal).ToList();
        var core = Core(truth, predicted, all);
        IReadOnlyList<IReadOnlyList<int>>? confusion = null;
        if (!multiLabel)
        {
            var index = all.Select((l, i) => (l, i)).ToDictionary(x => x.l, x => x.i, StringComparer.Ordinal);
            var matrix = all.Select(_ => new int[all.Count]).ToArray();
            for (var r = 0; r < truth.Count; r++)
                if (truth[r].Count > 0 && predicted[r].Count > 0)
                    matrix[index[truth[r][0]]][index[predicted[r][0]]]++;
            confusion = matrix;
        }
        var perLanguage = new List<LanguageMetrics>();
        if (languages is not null)
            foreach (var group in Enumerable.Range(0, truth.Count).Where(i => languages[i] is not null).GroupBy(i => languages[i]!).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                var rows = group.ToList();
                var m = Core(rows.Select(i => truth[i]).ToList(), rows.Select(i => predicted[i]).ToList(), all);
                perLanguage.Add(new LanguageMetrics(group.Key, rows.Count, m.Accuracy, m.MacroF1, m.MicroF1));
            }
        return new QualityReport(multiLabel, truth.Count, folds, core.Accuracy, core.MacroF1, core.MicroF1, all, core.PerClass, confusion, perLanguage);
    }

    static (double Accuracy, double MacroF1, double MicroF1, List<ClassMetrics> PerClass) Core(
        IReadOnlyList<IReadOnlyList<string>> truth, IReadOnlyList<IReadOnlyList<string>> predicted, IReadOnlyList<string> labels)
    {
        var perClass = new List<ClassMetrics>();
        int tpAll = 0, fpAll = 0, fnAll = 0, exact = 0;
        for (var r = 0; r < truth.Count; r++)
            if (truth[r].ToHashSet(StringComparer.Ordinal).SetEquals(predicted[r])) exact++;
        foreach (var label in labels)
        {
            int tp = 0, fp = 0, fn = 0, support = 0;
            for (var r = 0; r < truth.Count; r++)
            {
                var t = truth[r].Contains(label);
                var p = predicted[r].Contains(label);
                if (t) support++;
                if (t && p) tp++; else if (p) fp++; else if (t) fn++;
            }
            tpAll += tp; fpAll += fp; fnAll += fn;
            var precision = tp + fp == 0 ? 0 : (double)tp / (tp + fp);
            var recall = tp + fn == 0 ? 0 : (double)tp / (tp + fn);
            var f1 = tp == 0 ? 0 : 2.0 * tp / (2 * tp + fp + fn);
            perClass.Add(new ClassMetrics(label, precision, recall, f1, support));
        }
        // Macro-F1 averages over the labels that occur in the truth, so an absent label does not count as a zero.
        var present = perClass.Where(c => c.Support > 0).ToList();
        var macro = present.Count == 0 ? 0 : present.Average(c => c.F1);
        var micro = tpAll == 0 ? 0 : 2.0 * tpAll / (2 * tpAll + fpAll + fnAll);
        return (truth.Count == 0 ? 0 : (double)exact / truth.Count, macro, micro, perClass);
    }
}
