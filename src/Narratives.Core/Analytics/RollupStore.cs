using Dapper;
using Npgsql;

namespace Narratives.Core.Analytics;

/// <summary>Campaign days whose figures must be brought up to date in the rollups.</summary>
public sealed record CampaignDays(long CampaignId, IReadOnlyList<DateOnly> Days);

/// <summary>
/// Keeps the analytics rollups equal to their definitions (the <c>rollup_*_source</c> views over the raw facts):
/// incrementally for the campaign days an import or a relabelling changed, or rebuilt in full when a definition
/// changes. Both paths run the same SQL, so incremental always equals full.
/// </summary>
public sealed class RollupStore(NpgsqlDataSource db)
{
    public sealed record RebuildResult(long DailyRows, long AudienceRows, long ContentRows);

    const string DailyColumns = "day, campaign_id, platform, theme, language, is_paid, items, impressions, reach, views, watch_seconds, " +
        "reactions, comments, shares, clicks, saves, follows, spend, view_duration_seconds, timed_watch_seconds";
    const string AudienceColumns = "day, campaign_id, platform, theme, audience, is_paid, items, impressions, reach, views, reactions, comments, " +
        "shares, clicks, saves, spend";
    const string ContentColumns = "month, content_item_id, campaign_id, platform, impressions, reach, views, engagements";

    /// <summary>
    /// The running totals of the content rollup (<c>rollup_content_running</c>), for the campaigns in
    /// <c>@campaigns</c> or all of them when it is null: per item and platform, and per item over all its platforms
    /// (platform ''), one element per month from the item's first month, months without figures carrying the total on.
    /// </summary>
    const string RunningSql = """
        WITH monthly AS MATERIALIZED (
            SELECT content_item_id, campaign_id, platform, (extract(year FROM month)::int * 12 + extract(month FROM month)::int - 1) AS m,
                   impressions, engagements
            FROM rollup_content_monthly WHERE @campaigns::bigint[] IS NULL OR campaign_id = ANY (@campaigns)
            UNION ALL
            SELECT content_item_id, campaign_id, '', (extract(year FROM month)::int * 12 + extract(month FROM month)::int - 1),
                   sum(impressions), sum(engagements)
            FROM rollup_content_monthly WHERE @campaigns::bigint[] IS NULL OR campaign_id = ANY (@campaigns)
            GROUP BY content_item_id, campaign_id, month),
        span AS (
            SELECT content_item_id, campaign_id, platform, min(m) AS first_month, max(m) AS last_month FROM monthly GROUP BY 1, 2, 3),
        running AS (
            SELECT s.content_item_id, s.campaign_id, s.platform, s.first_month, g.m,
                   sum(coalesce(x.impressions, 0)) OVER w AS impressions, sum(coalesce(x.engagements, 0)) OVER w AS engagements,
                   count(x.m) OVER w AS months
            FROM span s
            CROSS JOIN LATERAL generate_series(s.first_month, s.last_month) AS g(m)
            LEFT JOIN monthly x ON x.content_item_id = s.content_item_id AND x.platform = s.platform AND x.m = g.m
            WINDOW w AS (PARTITION BY s.content_item_id, s.platform ORDER BY g.m))
        INSERT INTO rollup_content_running (content_item_id, platform, campaign_id, first_month, impressions, engagements, months)
        SELECT content_item_id, platform, campaign_id, first_month,
               array_agg(impressions::bigint ORDER BY m), array_agg(engagements::bigint ORDER BY m), array_agg(months::int ORDER BY m)
        FROM running
        GROUP BY content_item_id, platform, campaign_id, first_month
        ON CONFLICT (content_item_id, platform) DO UPDATE
        SET campaign_id = excluded.campaign_id, first_month = excluded.first_month, impressions = excluded.impressions,
            engagements = excluded.engagements, months = excluded.months
        """;

    /// <summary>Recomputes the given campaign days (and their months for content totals) from the raw facts.</summary>
    public async Task RefreshAsync(IReadOnlyList<CampaignDays> changes, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await RefreshAsync(conn, tx, changes, ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>The same, inside the caller's transaction (so an import and its rollups commit together).</summary>
    public static async Task RefreshAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, IReadOnlyList<CampaignDays> changes, CancellationToken ct = default)
    {
        const string sql = $"""
            DELETE FROM rollup_daily WHERE campaign_id = @campaignId AND day = ANY (@days);
            INSERT INTO rollup_daily ({DailyColumns})
            SELECT {DailyColumns} FROM rollup_daily_source WHERE campaign_id = @campaignId AND day = ANY (@days);
            DELETE FROM rollup_audience WHERE campaign_id = @campaignId AND day = ANY (@days);
            INSERT INTO rollup_audience ({AudienceColumns})
            SELECT {AudienceColumns} FROM rollup_audience_source WHERE campaign_id = @campaignId AND day = ANY (@days);
            DELETE FROM rollup_content_monthly WHERE campaign_id = @campaignId AND month = ANY (@months);
            INSERT INTO rollup_content_monthly ({ContentColumns})
            SELECT {ContentColumns} FROM rollup_content_source WHERE campaign_id = @campaignId AND month = ANY (@months);
            DELETE FROM rollup_content_running WHERE campaign_id = @campaignId;
            {RunningSql}
            """;
        foreach (var change in changes.Where(c => c.Days.Count > 0).OrderBy(c => c.CampaignId))
        {
            // One refresher per campaign at a time: two imports into the same campaign must not interleave their
            // delete-and-insert of the same rows.
            await conn.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_xact_lock(2354, @id)", new { id = (int)(change.CampaignId % int.MaxValue) }, tx, cancellationToken: ct));
            var days = change.Days.Distinct().ToArray();
            var months = days.Select(d => new DateOnly(d.Year, d.Month, 1)).Distinct().ToArray();
            await conn.ExecuteAsync(new CommandDefinition(sql, new { campaignId = change.CampaignId, days, months, campaigns = new[] { change.CampaignId } }, tx, cancellationToken: ct, commandTimeout: 0));
        }
    }

    /// <summary>
    /// Consumes the campaign days marked as changed (by imports, in their own transaction, and by relabelling) and
    /// refreshes them; returns the campaigns whose figures changed. With a campaign, only that campaign's days.
    /// </summary>
    public static async Task<IReadOnlyList<long>> RefreshDirtyAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, long? campaignId = null, CancellationToken ct = default)
    {
        const string take = """
            DELETE FROM rollup_dirty_days WHERE (@campaignId::bigint IS NULL OR campaign_id = @campaignId)
            RETURNING campaign_id, day
            """;
        var days = (await conn.QueryAsync<(long CampaignId, DateOnly Day)>(new CommandDefinition(take, new { campaignId }, tx, cancellationToken: ct))).AsList();
        var changes = days.GroupBy(d => d.CampaignId).Select(g => new CampaignDays(g.Key, g.Select(d => d.Day).ToList())).ToList();
        await RefreshAsync(conn, tx, changes, ct);
        return changes.Select(c => c.CampaignId).ToList();
    }

    public async Task<IReadOnlyList<long>> RefreshDirtyAsync(CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var campaigns = await RefreshDirtyAsync(conn, tx, null, ct);
        await tx.CommitAsync(ct);
        return campaigns;
    }

    /// <summary>Recomputes everything from the raw facts, in one transaction: readers see the old rollups or the new ones.</summary>
    public async Task<RebuildResult> RebuildAsync(CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var result = await RebuildAsync(conn, tx, ct);
        await tx.CommitAsync(ct);
        return result;
    }

    public static async Task<RebuildResult> RebuildAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, CancellationToken ct = default)
    {
        const string sql = $"""
            DELETE FROM rollup_daily;
            DELETE FROM rollup_audience;
            DELETE FROM rollup_content_monthly;
            DELETE FROM rollup_content_running;
            DELETE FROM rollup_dirty_days;
            INSERT INTO rollup_daily ({DailyColumns}) SELECT {DailyColumns} FROM rollup_daily_source;
            INSERT INTO rollup_audience ({AudienceColumns}) SELECT {AudienceColumns} FROM rollup_audience_source;
            INSERT INTO rollup_content_monthly ({ContentColumns}) SELECT {ContentColumns} FROM rollup_content_source;
            {RunningSql};
            SELECT (SELECT count(*) FROM rollup_daily), (SELECT count(*) FROM rollup_audience), (SELECT count(*) FROM rollup_content_monthly);
            """;
        var counts = await conn.QuerySingleAsync<(long, long, long)>(new CommandDefinition(sql, new { campaigns = (long[]?)null }, transaction: tx, cancellationToken: ct, commandTimeout: 0));
        return new RebuildResult(counts.Item1, counts.Item2, counts.Item3);
    }
}
