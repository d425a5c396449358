using Microsoft.Extensions.Logging;
using Narratives.Ml.Scoring;
using Narratives.Ml.Training;

namespace Narratives.Ml.Registry;

public sealed record LoadedModel(long VersionId, TextClassifier Classifier);

/// <summary>
/// The active theme and audience models of this process. <see cref="RefreshAsync"/> compares the active version ids
/// in the registry with the loaded ones and swaps in any that changed, so activating a version (here or in another
/// program) takes effect without a restart. Readers take the current reference; a swap never disturbs a scoring call
/// already running.
/// </summary>
public sealed class ActiveModels(ModelRegistry registry, ILogger<ActiveModels> logger)
{
    readonly SemaphoreSlim gate = new(1, 1);
    volatile LoadedModel? theme;
    volatile LoadedModel? audience;

    public LoadedModel? Theme => theme;
    public LoadedModel? Audience => audience;
    public bool Ready => theme is not null && audience is not null;

    /// <summary>Raised after a model was swapped in; components re-render, the classification job picks it up.</summary>
    public event Action? Changed;

    public LoadedModel? For(ClassifierTask task) => task == ClassifierTask.Theme ? theme : audience;

    public async Task<bool> RefreshAsync(CancellationToken ct = default)
    {
        await gate.WaitAsync(ct);
        var changed = false;
        try
        {
            var active = await registry.ActiveIdsAsync(ct);
            foreach (var task in new[] { ClassifierTask.Theme, ClassifierTask.Audience })
            {
                var current = For(task);
                if (!active.TryGetValue(task, out var id))
                {
                    if (current is not null) { Set(task, null); changed = true; }
                    continue;
                }
                if (current?.VersionId == id) continue;
                var model = await Task.Run(() => registry.LoadAsync(id, ct), ct);
                Set(task, new LoadedModel(id, model));
                logger.LogInformation("Loaded {Task} model version {Version}", task.Id(), id);
                changed = true;
            }
        }
        finally
        {
            gate.Release();
        }
        if (changed) Changed?.Invoke();
        return changed;
    }

    void Set(ClassifierTask task, LoadedModel? model)
    {
        if (task == ClassifierTask.Theme) theme = model; else audience = model;
    }
}
