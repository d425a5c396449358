using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Narratives.Ingest.Imports;

namespace Narratives.Ingest.Watch;

/// <summary>What happened to one file of the inbox.</summary>
public sealed record WatchResult(string File, long CampaignId, ImportReport? Report, string MovedTo);

/// <summary>
/// The watch folder: a file put in <c>inbox/&lt;campaign id&gt;/</c> is imported into that campaign, then moved to
/// <c>archive/&lt;campaign id&gt;/</c> (imported, even with quarantined rows, or already imported) or
/// <c>failed/&lt;campaign id&gt;/</c> (rejected or failed), with its report beside it as <c>NAME.report.json</c>.
/// Files still being written (changed in the last two seconds), hidden files and <c>*.part</c>/<c>*.tmp</c> wait.
/// </summary>
public sealed class WatchFolderJob(ImportPipeline pipeline, string root, ILogger<WatchFolderJob> logger, TimeSpan? settleTime = null)
{
    readonly TimeSpan settle = settleTime ?? TimeSpan.FromSeconds(2);

    public async Task RunAsync(TimeSpan interval, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(interval);
        do
        {
            try
            {
                await RunOnceAsync(ct);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                logger.LogError(ex, "The watch folder {Root} could not be read", root);
            }
        }
        while (await timer.WaitForNextTickAsync(ct));
    }

    public async Task<IReadOnlyList<WatchResult>> RunOnceAsync(CancellationToken ct)
    {
        var inbox = Path.Combine(root, "inbox");
        Directory.CreateDirectory(inbox);
        var results = new List<WatchResult>();
        foreach (var campaignDir in Directory.EnumerateDirectories(inbox).Order())
        {
            if (!long.TryParse(Path.GetFileName(campaignDir), out var campaignId)) continue;
            foreach (var file in Directory.EnumerateFiles(campaignDir).Order())
            {
                var name = Path.GetFileName(file);
                if (name.StartsWith('.') || name.EndsWith(".part", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".tmp", StringComparison.OrdinalIgnoreCase)) continue;
                if (DateTime.UtcNow - File.GetLastWriteTimeUtc(file) < settle) continue;
                results.Add(await ImportOneAsync(file, campaignId, ct));
            }
        }
        return results;
    }

    async Task<WatchResult> ImportOneAsync(string file, long campaignId, CancellationToken ct)
    {
        var name = Path.GetFileName(file);
        ImportReport report;
        try
        {
            await using var stream = File.OpenRead(file);
            report = await pipeline.ImportAsync(new ImportRequest(campaignId, name, ImportSource.Watch), stream, null, ct);
        }
        catch (CampaignNotFoundException ex)
        {
            report = ImportReport.Refused(campaignId, name, null, null, ImportReport.Rejected, ex.Message);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogError(ex, "Importing {File} from the watch folder failed", file);
            report = ImportReport.Refused(campaignId, name, null, null, ImportReport.Failed, $"The import failed and nothing was imported: {ex.Message}");
        }
        var folder = report.Status is ImportReport.Rejected or ImportReport.Failed ? "failed" : "archive";
        var targetDir = Path.Combine(root, folder, campaignId.ToString());
        Directory.CreateDirectory(targetDir);
        var target = Path.Combine(targetDir, $"{DateTime.UtcNow:yyyyMMdd'T'HHmmss}-{name}");
        for (var n = 2; File.Exists(target); n++)
            target = Path.Combine(targetDir, $"{DateTime.UtcNow:yyyyMMdd'T'HHmmss}-{n}-{name}");
        File.Move(file, target);
        await File.WriteAllTextAsync(target + ".report.json", JsonSerializer.Serialize(report, ImportReport.Json), ct);
        logger.LogInformation("Watch folder: {File} {Status}, moved to {Target}", name, report.Status, target);
        return new WatchResult(name, campaignId, report, target);
    }
}

/// <summary>Runs the watch folder job inside the dashboard when <c>Narratives:Ingest:WatchDirectory</c> is set.</summary>
public sealed class WatchFolderService(ImportPipeline pipeline, IOptions<IngestOptions> options, ILogger<WatchFolderJob> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        if (string.IsNullOrWhiteSpace(o.WatchDirectory)) return;
        logger.LogInformation("Watching {Inbox} for files to import", Path.Combine(o.WatchDirectory, "inbox"));
        try
        {
            await new WatchFolderJob(pipeline, o.WatchDirectory, logger).RunAsync(TimeSpan.FromSeconds(Math.Max(1, o.WatchIntervalSeconds)), stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
