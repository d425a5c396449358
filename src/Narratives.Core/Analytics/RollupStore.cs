using Dapper;
using Npgsql;

namespace Narratives.Core.Analytics;

/// <summary>Campaign days whose figures must be brought up to date in the rollups.</summary>
public sealed record CampaignDays(long CampaignId, IReadOnlyList<DateOnly> Days);

/// <summary>
/// Keeps the analytics rollups equal to their definitions (the <c>rollup_*_source</c> views over the raw facts):
/// incrementally for the campaign days an import or a relabelling changed, or rebuilt in full when a definition
/// changes. The full rebuild copies the views; the incremental refresh computes the same rows for the changed days
/// with fewer passes over the facts, and the tests check that both give the same rollups.
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
        WITH per_platform AS MATERIALIZED (
            SELECT content_item_id, campaign_id, platform, (extract(year FROM month)::int * 12 + extract(month FROM month)::int - 1) AS m,
                   impressions, engagements
            FROM rollup_content_monthly WHERE @campaigns::bigint[] IS NULL OR campaign_id = ANY (@campaigns)),
        monthly AS MATERIALIZED (
            SELECT content_item_id, campaign_id, platform, m, impressions, engagements FROM per_platform
            UNION ALL
            SELECT content_item_id, campaign_id, '', m, sum(impressions), sum(engagements) FROM per_platform
            GROUP BY content_item_id, campaign_id, m),
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

    /// <summary>
    /// The same, inside the caller's transaction (so an import and its rollups commit together). The rows are the
    /// rows of the <c>rollup_*_source</c> views, computed with one pass over the campaign's facts of the changed days
    /// for the daily and audience rollups together, and one over the changed months for the content totals: a big
    /// import changes a million facts, and reading them once per view, sorted, took most of the refresh. The content
    /// running totals of the campaign follow from its monthly content rows. The tests compare the result with a full
    /// rebuild from the views.
    /// </summary>
    public static async Task RefreshAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, IReadOnlyList<CampaignDays> changes, CancellationToken ct = default)
    {
        // The facts are grouped by day, platform, paid or not and the item's labels (theme, language, audiences);
        // the daily rollup sums those groups over audiences, the audience rollup unnests them. Hashing the groups
        // needs a few megabytes, but the planner cannot know how few groups there are and would sort every fact.
        const string sql = $"""
            SELECT set_config('enable_sort', 'off', true);
            SELECT ensure_engagement_partitions(min(d), max(d)) FROM unnest(@days::date[]) AS d;
            DELETE FROM rollup_daily WHERE campaign_id = @campaignId AND day = ANY (@days);
            DELETE FROM rollup_audience WHERE campaign_id = @campaignId AND day = ANY (@days);
            WITH items AS (
                SELECT id, duration_seconds, coalesce(reviewed_theme, predicted_theme, 'unclassified') AS theme,
                       coalesce(language, '') AS language,
                       CASE WHEN cardinality(coalesce(reviewed_audiences, predicted_audiences)) > 0
                            THEN coalesce(reviewed_audiences, predicted_audiences) ELSE ARRAY['unclassified'] END AS audiences
                FROM content_items WHERE campaign_id = @campaignId
            ), groups AS MATERIALIZED (
                SELECT f.day, f.platform, i.theme, i.language, i.audiences,
                       (f.platform IN ('meta_ads', 'google_ads') OR coalesce(f.spend, 0) > 0) AS is_paid,
                       count(*) AS items, sum(f.impressions) AS impressions, sum(f.reach) AS reach, sum(f.views) AS views,
                       sum(f.watch_seconds) AS watch_seconds, sum(f.reactions) AS reactions, sum(f.comments) AS comments,
                       sum(f.shares) AS shares, sum(f.clicks) AS clicks, sum(f.saves) AS saves, sum(f.follows) AS follows,
                       sum(f.spend) AS spend,
                       sum(f.views * i.duration_seconds) FILTER (WHERE i.duration_seconds > 0) AS view_duration_seconds,
                       sum(f.watch_seconds) FILTER (WHERE i.duration_seconds > 0 AND f.views IS NOT NULL) AS timed_watch_seconds
                FROM engagement_rollup_input f
                JOIN items i ON i.id = f.content_item_id
                WHERE f.day = ANY (@days)
                GROUP BY 1, 2, 3, 4, 5, 6
            ), daily AS (
                INSERT INTO rollup_daily ({DailyColumns})
                SELECT day, @campaignId, platform, theme, language, is_paid, sum(items)::int,
                       coalesce(sum(impressions), 0)::bigint, coalesce(sum(reach), 0)::bigint, coalesce(sum(views), 0)::bigint,
                       coalesce(sum(watch_seconds), 0)::bigint, coalesce(sum(reactions), 0)::bigint, coalesce(sum(comments), 0)::bigint,
                       coalesce(sum(shares), 0)::bigint, coalesce(sum(clicks), 0)::bigint, coalesce(sum(saves), 0)::bigint,
                       coalesce(sum(follows), 0)::bigint, coalesce(sum(spend), 0)::numeric(16, 2),
                       coalesce(sum(view_duration_seconds), 0)::bigint, coalesce(sum(timed_watch_seconds), 0)::bigint
                FROM groups
                GROUP BY day, platform, theme, language, is_paid
            )
            INSERT INTO rollup_audience ({AudienceColumns})
            SELECT day, @campaignId, platform, theme, a.audience, is_paid, sum(items)::int,
                   coalesce(sum(impressions), 0)::bigint, coalesce(sum(reach), 0)::bigint, coalesce(sum(views), 0)::bigint,
                   coalesce(sum(reactions), 0)::bigint, coalesce(sum(comments), 0)::bigint, coalesce(sum(shares), 0)::bigint,
                   coalesce(sum(clicks), 0)::bigint, coalesce(sum(saves), 0)::bigint, coalesce(sum(spend), 0)::numeric(16, 2)
            FROM groups CROSS JOIN LATERAL unnest(audiences) AS a(audience)
            GROUP BY day, platform, theme, a.audience, is_paid;
            DELETE FROM rollup_content_monthly WHERE campaign_id = @campaignId AND month = ANY (@months);
            INSERT INTO rollup_content_monthly ({ContentColumns})
            SELECT date_trunc('month', f.day)::date, f.content_item_id, @campaignId, f.platform,
                   coalesce(sum(f.impressions), 0)::bigint, coalesce(sum(f.reach), 0)::bigint, coalesce(sum(f.views), 0)::bigint,
                   coalesce(sum(coalesce(f.reactions, 0) + coalesce(f.comments, 0) + coalesce(f.shares, 0) + coalesce(f.saves, 0) + coalesce(f.clicks, 0)), 0)::bigint
            FROM engagement_rollup_input f
            JOIN content_items ci ON ci.id = f.content_item_id
            WHERE ci.campaign_id = @campaignId AND f.day >= @firstMonth AND f.day < @lastMonth + 31
              AND date_trunc('month', f.day)::date = ANY (@months)
            GROUP BY 1, 2, 4;
            SELECT set_config('enable_sort', @sortSetting, true);
            DELETE FROM rollup_content_running WHERE campaign_id = @campaignId;
            {RunningSql}
            """;
        // The session's own setting, put back after each campaign's refresh: read once, not once per campaign.
        var sortSetting = await conn.ExecuteScalarAsync<string>(new CommandDefinition("SELECT current_setting('enable_sort')", transaction: tx, cancellationToken: ct));
        foreach (var change in changes.Where(c => c.Days.Count > 0).OrderBy(c => c.CampaignId))
        {
            await LockCampaignAsync(conn, tx, change.CampaignId, ct);
            var days = change.Days.Distinct().ToArray();
            var months = days.Select(d => new DateOnly(d.Year, d.Month, 1)).Distinct().ToArray();
            await conn.ExecuteAsync(new CommandDefinition(sql, new
            {
                campaignId = change.CampaignId, days, months, firstMonth = months.Min(), lastMonth = months.Max(), sortSetting,
                campaigns = new[] { change.CampaignId },
            }, tx, cancellationToken: ct, commandTimeout: 0));
        }
    }

    /// <summary>
    /// Adds the sums of new facts (<see cref="RollupDeltas"/>, made ready with <see cref="Prepare"/>) to the campaign's
    /// daily and audience rollups, and writes their items' monthly content rows and running totals (the items have none
    /// yet), in the caller's transaction, which holds the campaign's lock (<see cref="LockCampaignAsync"/>).
    /// </summary>
    public static async Task AddAsync(NpgsqlConnection conn, NpgsqlTransaction tx, Additions additions, CancellationToken ct = default)
    {
        if (additions.Parameters is null) return;
        const string sql = $"""
            INSERT INTO rollup_daily AS r ({DailyColumns})
            SELECT day, @campaignId, platform, theme, language, is_paid, items, impressions, reach, views, watch_seconds, reactions,
                   comments, shares, clicks, saves, follows, spend, view_duration_seconds, timed_watch_seconds
            FROM unnest(@days, @platforms, @themes, @languages, @paid, @items, @impressions, @reach, @views, @watchSeconds, @reactions,
                        @comments, @shares, @clicks, @saves, @follows, @spend, @viewDurationSeconds, @timedWatchSeconds)
                 AS d(day, platform, theme, language, is_paid, items, impressions, reach, views, watch_seconds, reactions, comments,
                      shares, clicks, saves, follows, spend, view_duration_seconds, timed_watch_seconds)
            ON CONFLICT (day, campaign_id, platform, theme, language, is_paid) DO UPDATE SET
                items = r.items + EXCLUDED.items, impressions = r.impressions + EXCLUDED.impressions, reach = r.reach + EXCLUDED.reach,
                views = r.views + EXCLUDED.views, watch_seconds = r.watch_seconds + EXCLUDED.watch_seconds,
                reactions = r.reactions + EXCLUDED.reactions, comments = r.comments + EXCLUDED.comments, shares = r.shares + EXCLUDED.shares,
                clicks = r.clicks + EXCLUDED.clicks, saves = r.saves + EXCLUDED.saves, follows = r.follows + EXCLUDED.follows,
                spend = r.spend + EXCLUDED.spend, view_duration_seconds = r.view_duration_seconds + EXCLUDED.view_duration_seconds,
                timed_watch_seconds = r.timed_watch_seconds + EXCLUDED.timed_watch_seconds;
            INSERT INTO rollup_audience AS r ({AudienceColumns})
            SELECT day, @campaignId, platform, theme, audience, is_paid, items, impressions, reach, views, reactions, comments, shares,
                   clicks, saves, spend
            FROM unnest(@aDays, @aPlatforms, @aThemes, @aAudiences, @aPaid, @aItems, @aImpressions, @aReach, @aViews, @aReactions,
                        @aComments, @aShares, @aClicks, @aSaves, @aSpend)
                 AS a(day, platform, theme, audience, is_paid, items, impressions, reach, views, reactions, comments, shares, clicks, saves, spend)
            ON CONFLICT (day, campaign_id, platform, theme, audience, is_paid) DO UPDATE SET
                items = r.items + EXCLUDED.items, impressions = r.impressions + EXCLUDED.impressions, reach = r.reach + EXCLUDED.reach,
                views = r.views + EXCLUDED.views, reactions = r.reactions + EXCLUDED.reactions, comments = r.comments + EXCLUDED.comments,
                shares = r.shares + EXCLUDED.shares, clicks = r.clicks + EXCLUDED.clicks, saves = r.saves + EXCLUDED.saves,
                spend = r.spend + EXCLUDED.spend;
            INSERT INTO rollup_content_monthly ({ContentColumns})
            SELECT month, content_item_id, @campaignId, platform, impressions, reach, views, engagements
            FROM unnest(@months, @contentItems, @cPlatforms, @cImpressions, @cReach, @cViews, @cEngagements)
                 AS c(month, content_item_id, platform, impressions, reach, views, engagements);
            INSERT INTO rollup_content_running (content_item_id, platform, campaign_id, first_month, impressions, engagements, months)
            SELECT item, platform, @campaignId, first_month, @runImpressions[start:start + length - 1],
                   @runEngagements[start:start + length - 1], @runMonths[start:start + length - 1]
            FROM unnest(@runItems, @runPlatforms, @runFirstMonths, @runStarts, @runLengths) AS x(item, platform, first_month, start, length);
            """;
        await conn.ExecuteAsync(new CommandDefinition(sql, additions.Parameters, tx, cancellationToken: ct));
    }

    /// <summary>The rows <see cref="AddAsync"/> writes, as its statement's parameters: built while the database writes the facts.</summary>
    public sealed class Additions(object? parameters)
    {
        internal object? Parameters { get; } = parameters;
    }

    public static Additions Prepare(long campaignId, RollupDeltas deltas)
    {
        if (deltas.IsEmpty) return new Additions(null);
        var d = deltas.Daily.ToList();
        var a = deltas.Audience.ToList();
        var c = deltas.Content.ToList();
        // The running totals travel as flat arrays with where each row's elements start (1-based) and how many there are.
        var r = deltas.RunningTotals().ToList();
        var starts = new int[r.Count];
        for (int i = 0, next = 1; i < r.Count; next += r[i].Impressions.Length, i++) starts[i] = next;
        return new Additions(new
        {
            campaignId,
            days = d.Select(x => x.Key.Day).ToArray(), platforms = d.Select(x => x.Key.Platform).ToArray(),
            themes = d.Select(x => x.Key.Theme).ToArray(), languages = d.Select(x => x.Key.Language).ToArray(),
            paid = d.Select(x => x.Key.IsPaid).ToArray(), items = d.Select(x => x.Value.Items).ToArray(),
            impressions = d.Select(x => x.Value.Impressions).ToArray(), reach = d.Select(x => x.Value.Reach).ToArray(),
            views = d.Select(x => x.Value.Views).ToArray(), watchSeconds = d.Select(x => x.Value.WatchSeconds).ToArray(),
            reactions = d.Select(x => x.Value.Reactions).ToArray(), comments = d.Select(x => x.Value.Comments).ToArray(),
            shares = d.Select(x => x.Value.Shares).ToArray(), clicks = d.Select(x => x.Value.Clicks).ToArray(),
            saves = d.Select(x => x.Value.Saves).ToArray(), follows = d.Select(x => x.Value.Follows).ToArray(),
            spend = d.Select(x => x.Value.Spend).ToArray(), viewDurationSeconds = d.Select(x => x.Value.ViewDurationSeconds).ToArray(),
            timedWatchSeconds = d.Select(x => x.Value.TimedWatchSeconds).ToArray(),
            aDays = a.Select(x => x.Key.Day).ToArray(), aPlatforms = a.Select(x => x.Key.Platform).ToArray(),
            aThemes = a.Select(x => x.Key.Theme).ToArray(), aAudiences = a.Select(x => x.Key.Audience).ToArray(),
            aPaid = a.Select(x => x.Key.IsPaid).ToArray(), aItems = a.Select(x => x.Value.Items).ToArray(),
            aImpressions = a.Select(x => x.Value.Impressions).ToArray(), aReach = a.Select(x => x.Value.Reach).ToArray(),
            aViews = a.Select(x => x.Value.Views).ToArray(), aReactions = a.Select(x => x.Value.Reactions).ToArray(),
            aComments = a.Select(x => x.Value.Comments).ToArray(), aShares = a.Select(x => x.Value.Shares).ToArray(),
            aClicks = a.Select(x => x.Value.Clicks).ToArray(), aSaves = a.Select(x => x.Value.Saves).ToArray(),
            aSpend = a.Select(x => x.Value.Spend).ToArray(),
            months = c.Select(x => x.Key.Month).ToArray(), contentItems = c.Select(x => x.Key.ItemId).ToArray(),
            cPlatforms = c.Select(x => x.Key.Platform).ToArray(), cImpressions = c.Select(x => x.Value.Impressions).ToArray(),
            cReach = c.Select(x => x.Value.Reach).ToArray(), cViews = c.Select(x => x.Value.Views).ToArray(),
            cEngagements = c.Select(x => x.Value.Engagements).ToArray(),
            runItems = r.Select(x => x.ItemId).ToArray(), runPlatforms = r.Select(x => x.Platform).ToArray(),
            runFirstMonths = r.Select(x => x.FirstMonth).ToArray(), runStarts = starts, runLengths = r.Select(x => x.Impressions.Length).ToArray(),
            runImpressions = r.SelectMany(x => x.Impressions).ToArray(), runEngagements = r.SelectMany(x => x.Engagements).ToArray(),
            runMonths = r.SelectMany(x => x.Months).ToArray(),
        });
    }

    /// <summary>
    /// One refresher of a campaign's rollups at a time, to the end of the transaction: two must not interleave their
    /// delete-and-insert of the same rows, nor an import add to rows another is recomputing.
    /// </summary>
    public static async Task LockCampaignAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, long campaignId, CancellationToken ct = default) =>
        await conn.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_xact_lock(2354, @id)", new { id = (int)(campaignId % int.MaxValue) }, tx, cancellationToken: ct));

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
        // The rollups' months: the facts' exist with the facts; a period's total is rolled up on its last day. Made
        // first, on its own, so that the rebuild's only result is its counts.
        const string periodMonths = "SELECT ensure_engagement_partitions(min(period_end), max(period_end)) FROM engagement_period_totals";
        await conn.ExecuteAsync(new CommandDefinition(periodMonths, transaction: tx, cancellationToken: ct));
        var counts = await conn.QuerySingleAsync<(long, long, long)>(new CommandDefinition(sql, new { campaigns = (long[]?)null }, transaction: tx, cancellationToken: ct, commandTimeout: 0));
        return new RebuildResult(counts.Item1, counts.Item2, counts.Item3);
    }
}
