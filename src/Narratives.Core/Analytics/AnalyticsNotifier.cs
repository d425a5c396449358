namespace Narratives.Core.Analytics;

/// <summary>
/// Tells open dashboards that figures changed (an import finished, labels were reviewed, rollups were rebuilt), so
/// that they refresh without a reload. Components subscribe and must unsubscribe when disposed.
/// </summary>
public sealed class AnalyticsNotifier
{
    public event Func<IReadOnlyCollection<long>, Task>? Changed;

    /// <summary>Announces the campaigns whose figures changed; listeners that fail do not stop the others.</summary>
    public async Task NotifyAsync(IReadOnlyCollection<long> campaignIds)
    {
        if (Changed is not { } handlers) return;
        foreach (var handler in handlers.GetInvocationList().Cast<Func<IReadOnlyCollection<long>, Task>>())
        {
            try { await handler(campaignIds); }
            catch (ObjectDisposedException) { /* a circuit that closed meanwhile */ }
        }
    }
}
