namespace Narratives.Ingest.Imports;

/// <summary>
/// Tells open pages that an import finished (from any way in: upload, API, watch folder, feeds), so that a campaign's
/// list of imports updates without a reload. Subscribers must unsubscribe when they go away.
/// </summary>
public sealed class ImportNotifier
{
    public event Func<ImportReport, Task>? Finished;

    public async Task NotifyAsync(ImportReport report)
    {
        if (Finished is not { } handlers) return;
        foreach (var handler in handlers.GetInvocationList().Cast<Func<ImportReport, Task>>())
            await handler(report);
    }
}
