namespace Narratives.Ml.Training;

/// <summary>What the project trainer is doing, for the model page's progress bar. One training run at a time.</summary>
public sealed class TrainingStatus
{
    readonly Lock gate = new();

    public bool Running { get; private set; }
    public double Progress { get; private set; }
    public string Step { get; private set; } = "";
    public string? LastError { get; private set; }
    public DateTimeOffset? FinishedAt { get; private set; }

    public event Action? Changed;

    /// <summary>Claims the trainer; false when a run is already going.</summary>
    public bool TryStart()
    {
        lock (gate)
        {
            if (Running) return false;
            Running = true;
            Progress = 0;
            Step = "";
            LastError = null;
        }
        Changed?.Invoke();
        return true;
    }

    public void Report(double progress, string step)
    {
        lock (gate) { Progress = Math.Clamp(progress, 0, 1); Step = step; }
        Changed?.Invoke();
    }

    public void Finish(string? error)
    {
        lock (gate) { Running = false; Progress = error is null ? 1 : Progress; LastError = error; FinishedAt = DateTimeOffset.UtcNow; }
        Changed?.Invoke();
    }
}
