using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Narratives.Core.Reference;
using Narratives.Ml.Classification;
using Narratives.Ml.Registry;

namespace Narratives.Ml.Training;

/// <summary>
/// Trains the project's theme and audience models on the shipped corpus plus every reviewed content item, measures
/// them by cross-validation, and stores both versions in the registry (activated when asked). Runs off the request
/// path: callers start it on a background task and follow <see cref="TrainingStatus"/>.
/// </summary>
public sealed class ProjectTrainer(ModelRegistry registry, ContentReviewStore reviews, Taxonomy taxonomy, TrainingStatus status,
    IOptions<ClassifierOptions> options, ILogger<ProjectTrainer> logger)
{
    /// <summary>Runs a training if none is running; false when one already is.</summary>
    public bool TryStart(string createdBy, bool activate, Func<Task>? afterwards = null)
    {
        if (!status.TryStart()) return false;
        _ = Task.Run(async () =>
        {
            try
            {
                await TrainAsync(createdBy, activate, CancellationToken.None);
                status.Finish(null);
                if (afterwards is not null) await afterwards();
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "Training the classifier failed");
                status.Finish(ex.Message);
            }
        });
        return true;
    }

    /// <summary>Both tasks, one after the other; returns the new version ids (theme, audience).</summary>
    public async Task<(long Theme, long Audience)> TrainAsync(string createdBy, bool activate, CancellationToken ct)
    {
        var ids = new long[2];
        var tasks = new[] { ClassifierTask.Theme, ClassifierTask.Audience };
        for (var t = 0; t < tasks.Length; t++)
        {
            var task = tasks[t];
            var baseProgress = t / 2.0;
            status.Report(baseProgress, $"{task.Id()}: reading the training data");
            var data = ProjectTrainingData.Corpus(task, taxonomy).Concat(await reviews.ReviewedForTrainingAsync(task, ct)).ToList();
            var folds = Math.Max(2, options.Value.CrossValidationFolds);
            var progress = new Progress<double>(p => status.Report(baseProgress + 0.4 * p, $"{task.Id()}: cross-validation"));
            var report = await Task.Run(() => CrossValidation.Run(data, task.IsMultiLabel(), folds, progress: progress, ct: ct), ct);
            status.Report(baseProgress + 0.4, $"{task.Id()}: training on all {data.Count} rows");
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var model = await Task.Run(() => TextClassifierTrainer.Train(data, task.IsMultiLabel(), ct: ct), ct);
            report = report with { TrainingSeconds = clock.Elapsed.TotalSeconds };
            ids[t] = await registry.SaveAsync(task, model, report, taxonomy.Version, createdBy, activate, ct);
            logger.LogInformation("Trained {Task} model version {Version} on {Rows} rows: macro-F1 {MacroF1:0.000}, micro-F1 {MicroF1:0.000}",
                task.Id(), ids[t], data.Count, report.MacroF1, report.MicroF1);
        }
        status.Report(1, "done");
        return (ids[0], ids[1]);
    }
}
