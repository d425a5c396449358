using System.Diagnostics;
using Narratives.Ml.Evaluation;

namespace Narratives.Ml.Training;

/// <summary>
/// k-fold cross-validation: every row is predicted once by a model that did not see it (stratified folds, fixed seed),
/// and the report is computed over those out-of-fold predictions, overall and per language.
/// </summary>
public static class CrossValidation
{
    public static QualityReport Run(IReadOnlyList<LabelledText> data, bool multiLabel, int folds, TrainingOptions? options = null,
        IProgress<double>? progress = null, CancellationToken ct = default)
    {
        options ??= TrainingOptions.Default;
        if (folds < 2) throw new TrainingDataException("Cross-validation needs at least 2 folds.");
        var labels = TextClassifierTrainer.Validate(data, multiLabel);
        var assignment = Folds.Stratified(data, folds, options.Seed)
            ?? throw new TrainingDataException($"{data.Count} rows are too few for {folds} folds; use fewer folds or more data.");
        var predicted = new IReadOnlyList<string>[data.Count];
        for (var k = 0; k < folds; k++)
        {
            var missing = labels.Except(data.Where((_, i) => assignment[i] != k).SelectMany(d => d.Labels), StringComparer.Ordinal).ToList();
            if (missing.Count > 0)
                throw new TrainingDataException($"With {folds} folds, fold {k + 1}'s training part has no example of {string.Join(", ", missing)}; use fewer folds or more data.");
        }
        var clock = Stopwatch.StartNew();
        var done = 0;
        // Folds are independent and each trainer runs on one thread: the folds share the cores. Each fold writes only
        // its own rows, and every model is the same whichever fold finishes first.
        Parallel.For(0, folds, new ParallelOptions { CancellationToken = ct, MaxDegreeOfParallelism = Environment.ProcessorCount }, k =>
        {
            var train = data.Where((_, i) => assignment[i] != k).ToList();
            var held = Enumerable.Range(0, data.Count).Where(i => assignment[i] == k).ToList();
            var model = TextClassifierTrainer.Train(train, multiLabel, options, ct);
            var predictions = model.PredictBatch(held.Select(i => data[i].Text).ToList(), ct);
            for (var j = 0; j < held.Count; j++) predicted[held[j]] = predictions[j].Chosen.Select(c => c.Label).ToList();
            progress?.Report(Interlocked.Increment(ref done) / (double)folds);
        });
        var report = Metrics.Compute(data.Select(d => d.Labels).ToList(), predicted, labels, multiLabel, data.Select(d => d.Language).ToList(), folds);
        // Wall-clock time per fold with the folds sharing the cores.
        return report with { Trainer = options.Describe(multiLabel), TrainingSeconds = clock.Elapsed.TotalSeconds / folds };
    }
}
