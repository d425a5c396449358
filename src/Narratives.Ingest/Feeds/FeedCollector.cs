using System.Net;
using System.Net.Http.Headers;
using Dapper;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Narratives.Ingest.Imports;
using Npgsql;

namespace Narratives.Ingest.Feeds;

public sealed record CampaignFeed(long Id, long CampaignId, string Url, string? Etag, string? LastModified);

public sealed record FeedResult(long FeedId, string Url, string Status, ImportReport? Report);

public sealed record FeedListing(long Id, string Url, DateTimeOffset? LastFetchedAt, string? LastStatus);

/// <summary>
/// Fetches the campaigns' RSS and Atom feeds and imports their entries as content items through the import pipeline
/// (so a feed is kept, journaled and merged like any file, and an unchanged feed changes nothing). Conditional GET
/// with the feed's ETag and Last-Modified; transient failures are retried three times.
/// </summary>
public sealed class FeedCollector(NpgsqlDataSource db, ImportPipeline pipeline, HttpClient http, ILogger<FeedCollector> logger)
{
    public const string HttpClientName = "narratives-feeds";
    internal TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    public static HttpClient CreateHttpClient(IngestOptions options)
    {
        var client = new HttpClient { Timeout = TimeSpan.FromSeconds(Math.Max(1, options.FeedTimeoutSeconds)) };
        Configure(client);
        return client;
    }

    public static void Configure(HttpClient client) =>
        client.DefaultRequestHeaders.UserAgent.ParseAdd("Narratives-FeedCollector/1.0");

    public async Task<long> AddFeedAsync(long campaignId, Uri url, CancellationToken ct)
    {
        const string sql = """
            INSERT INTO campaign_feeds (campaign_id, url) VALUES (@campaignId, @url)
            ON CONFLICT (campaign_id, url) DO UPDATE SET is_active = true
            RETURNING id
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.ExecuteScalarAsync<long>(new CommandDefinition(sql, new { campaignId, url = url.ToString() }, cancellationToken: ct));
    }

    public async Task<IReadOnlyList<FeedListing>> ListFeedsAsync(long campaignId, CancellationToken ct)
    {
        const string sql = """
            SELECT id, url, last_fetched_at, last_status FROM campaign_feeds
            WHERE campaign_id = @campaignId AND is_active ORDER BY id
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<FeedListing>(new CommandDefinition(sql, new { campaignId }, cancellationToken: ct))).ToList();
    }

    /// <summary>Fetches one campaign's feeds now (from the dashboard, after adding one).</summary>
    public async Task<IReadOnlyList<FeedResult>> CollectCampaignAsync(long campaignId, CancellationToken ct)
    {
        const string sql = """
            SELECT id, campaign_id, url, etag, last_modified FROM campaign_feeds
            WHERE campaign_id = @campaignId AND is_active ORDER BY id
            """;
        List<CampaignFeed> feeds;
        await using (var conn = await db.OpenConnectionAsync(ct))
            feeds = (await conn.QueryAsync<CampaignFeed>(new CommandDefinition(sql, new { campaignId }, cancellationToken: ct))).ToList();
        var results = new List<FeedResult>();
        foreach (var feed in feeds)
            results.Add(await CollectAsync(feed, ct));
        return results;
    }

    public async Task<IReadOnlyList<FeedResult>> CollectAllAsync(CancellationToken ct)
    {
        const string sql = """
            SELECT f.id, f.campaign_id, f.url, f.etag, f.last_modified
            FROM campaign_feeds f JOIN campaigns c ON c.id = f.campaign_id
            WHERE f.is_active AND c.archived_at IS NULL
            ORDER BY f.id
            """;
        List<CampaignFeed> feeds;
        await using (var conn = await db.OpenConnectionAsync(ct))
            feeds = (await conn.QueryAsync<CampaignFeed>(new CommandDefinition(sql, cancellationToken: ct))).ToList();
        var results = new List<FeedResult>();
        foreach (var feed in feeds)
            results.Add(await CollectAsync(feed, ct));
        return results;
    }

    public async Task<FeedResult> CollectAsync(CampaignFeed feed, CancellationToken ct)
    {
        FeedResult result;
        string? etag = feed.Etag, lastModified = feed.LastModified;
        try
        {
            using var response = await SendWithRetriesAsync(feed, ct);
            if (response.StatusCode == HttpStatusCode.NotModified)
            {
                result = new FeedResult(feed.Id, feed.Url, "not modified", null);
            }
            else if (!response.IsSuccessStatusCode)
            {
                result = new FeedResult(feed.Id, feed.Url, $"failed: HTTP {(int)response.StatusCode}", null);
            }
            else
            {
                etag = response.Headers.ETag?.ToString() ?? etag;
                lastModified = response.Content.Headers.LastModified?.ToString("R") ?? lastModified;
                await using var body = await response.Content.ReadAsStreamAsync(ct);
                var uri = new Uri(feed.Url);
                var name = $"{uri.Host}{uri.AbsolutePath}".TrimEnd('/').Replace('/', '_') + ".xml";
                var report = await pipeline.ImportAsync(new ImportRequest(feed.CampaignId, name, ImportSource.Feed), body, null, ct);
                var status = report.Status switch
                {
                    ImportReport.Duplicate => "unchanged",
                    ImportReport.Rejected or ImportReport.Failed => $"failed: {report.Message}",
                    _ => $"{report.ContentItemsCreated} new, {report.ContentItemsChanged} changed",
                };
                result = new FeedResult(feed.Id, feed.Url, status, report);
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            logger.LogWarning(ex, "Feed {Url} could not be fetched", feed.Url);
            result = new FeedResult(feed.Id, feed.Url, $"failed: {ex.Message}", null);
        }

        const string sql = """
            UPDATE campaign_feeds SET etag = @etag, last_modified = @lastModified, last_fetched_at = now(), last_status = @status
            WHERE id = @id
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition(sql, new { etag, lastModified, status = result.Status, id = feed.Id }, cancellationToken: ct));
        return result;
    }

    async Task<HttpResponseMessage> SendWithRetriesAsync(CampaignFeed feed, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, feed.Url);
            if (feed.Etag is not null && EntityTagHeaderValue.TryParse(feed.Etag, out var tag)) request.Headers.IfNoneMatch.Add(tag);
            if (feed.LastModified is not null && DateTimeOffset.TryParse(feed.LastModified, out var since)) request.Headers.IfModifiedSince = since;
            try
            {
                var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
                var transient = (int)response.StatusCode >= 500 || response.StatusCode == HttpStatusCode.TooManyRequests;
                if (!transient || attempt >= 3) return response;
                response.Dispose();
            }
            catch (Exception ex) when ((ex is HttpRequestException or TaskCanceledException) && !ct.IsCancellationRequested && attempt < 3)
            {
                logger.LogInformation("Feed {Url}: attempt {Attempt} failed ({Message}); retrying", feed.Url, attempt, ex.Message);
            }
            await Task.Delay(RetryDelay * attempt, ct);
        }
    }
}

/// <summary>Collects every feed every <c>Narratives:Ingest:FeedIntervalMinutes</c> (0 turns it off).</summary>
public sealed class FeedCollectorService(FeedCollector collector, IOptions<IngestOptions> options, ILogger<FeedCollector> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.FeedIntervalMinutes <= 0) return;
        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(options.Value.FeedIntervalMinutes));
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await collector.CollectAllAsync(stoppingToken);
                }
                catch (NpgsqlException ex)
                {
                    logger.LogError(ex, "Collecting feeds failed");
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
