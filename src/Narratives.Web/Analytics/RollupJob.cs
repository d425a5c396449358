using Narratives.Core.Analytics;
using Narratives.Ingest.Imports;

namespace Narratives.Web.Analytics;

/// <summary>
/// Keeps open dashboards current: an import refreshes its own rollups in its transaction and is announced here at
/// once; days marked by relabelling (reviews, new predictions) are refreshed every few seconds and announced too.
/// </summary>
public sealed class RollupJob(RollupStore rollups, AnalyticsNotifier analytics, ImportNotifier imports, ILogger<RollupJob> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        imports.Finished += OnImportFinished;
        try
        {
            using var timer = new PeriodicTimer(Interval);
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    var campaigns = await rollups.RefreshDirtyAsync(stoppingToken);
                    if (campaigns.Count > 0) await analytics.NotifyAsync(campaigns);
                }
                catch (Npgsql.NpgsqlException ex)
                {
                    // The database may be restarting; the marked days stay marked and the next tick tries again.
                    logger.LogWarning(ex, "Could not refresh the analytics rollups; will try again");
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            imports.Finished -= OnImportFinished;
        }
    }

    Task OnImportFinished(ImportReport report) =>
        report.RowsImported > 0 ? analytics.NotifyAsync([report.CampaignId]) : Task.CompletedTask;
}
