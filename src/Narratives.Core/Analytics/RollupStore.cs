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
            """;
        foreach (var change in changes.Where(c => c.Days.Count > 0).OrderBy(c => c.CampaignId))
        {
            // One refresher per campaign at a time: two imports into the same campaign must not interleave their
            // delete-and-insert of the same rows.
            await conn.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_xact_lock(2354, @id)", new { id = (int)(change.CampaignId % int.MaxValue) }, tx, cancellationToken: ct));
            var days = change.Days.Distinct().ToArray();
            var months = days.Select(d => new DateOnly(d.Year, d.Month, 1)).Distinct().ToArray();
            await conn.ExecuteAsync(new CommandDefinition(sql, new { campaignId = change.CampaignId, days, months }, tx, cancellationToken: ct, commandTimeout: 0));
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
            DELETE FROM rollup_dirty_days;
            INSERT INTO rollup_daily ({DailyColumns}) SELECT {DailyColumns} FROM rollup_daily_source;
            INSERT INTO rollup_audience ({AudienceColumns}) SELECT {AudienceColumns} FROM rollup_audience_source;
            INSERT INTO rollup_content_monthly ({ContentColumns}) SELECT {ContentColumns} FROM rollup_content_source;
            SELECT (SELECT count(*) FROM rollup_daily), (SELECT count(*) FROM rollup_audience), (SELECT count(*) FROM rollup_content_monthly);
            """;
        var counts = await conn.QuerySingleAsync<(long, long, long)>(new CommandDefinition(sql, transaction: tx, cancellationToken: ct, commandTimeout: 0));
        return new RebuildResult(counts.Item1, counts.Item2, counts.Item3);
    }
}
