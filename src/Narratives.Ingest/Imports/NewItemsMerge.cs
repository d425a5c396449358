using System.Globalization;
using Dapper;
using Narratives.Core.Analytics;
using Npgsql;

namespace Narratives.Ingest.Imports;

/// <summary>
/// What merging one chunk did: the items it created, whether it left rows for the merge at the end, and the days
/// whose rollups it brought up to date itself.
/// </summary>
sealed record ChunkMerged(int ItemsCreated, bool RowsLeft, IEnumerable<DateOnly> RolledUpDays);

/// <summary>
/// Merges one staged chunk, inside the import's transaction, as far as its rows are about content items this import
/// creates: for those, nothing in the database can be overwritten, so the chunk can be merged while the parser reads
/// the next one, and the result is the same as merging the whole file at once (each later row about the same item,
/// or item and day, replaces what an earlier chunk wrote, as the file's last row wins in the merge of the whole file).
/// Rows about items that already existed (the campaign's own, or another campaign's, to be quarantined) stay in
/// staging for the merge at the end, which keeps the figures the file does not report.
/// </summary>
static class NewItemsMerge
{
    // The items of the chunk that do not exist yet are created with the values of their last row in the chunk, in
    // the order of the file (so their facts arrive in the order of the primary key). "ingest_chunk_items" lists the
    // chunk's items that are this import's own.
    const string CreateItems = """
        TRUNCATE ingest_chunk_items;
        WITH latest AS (
            SELECT DISTINCT ON (platform, external_id) seq, platform, external_id, title, body, permalink, published_at,
                   duration_seconds, language
            FROM {0} WHERE item_row
            ORDER BY platform, external_id, seq DESC
        ), created AS (
            INSERT INTO content_items (campaign_id, platform, external_id, permalink, title, text, language, published_at,
                                       duration_seconds, source)
            SELECT @campaignId, platform, external_id, permalink, coalesce(title, ''), coalesce(body, ''), language,
                   published_at, duration_seconds, @contentSource
            FROM latest ORDER BY seq
            ON CONFLICT (platform, external_id) DO NOTHING
            RETURNING id, platform, external_id, language, duration_seconds
        ), kept AS (
            INSERT INTO ingest_new_items (id, platform, external_id) SELECT id, platform, external_id FROM created
        ), listed AS (
            INSERT INTO ingest_chunk_items (id, platform, external_id) SELECT id, platform, external_id FROM created
        )
        SELECT id, platform, external_id, language, duration_seconds FROM created
        """;

    // Items an earlier chunk created that come back in this one take this chunk's values: the item's last row so far.
    const string UpdateEarlierItems = """
        WITH latest AS (
            SELECT DISTINCT ON (platform, external_id) platform, external_id, coalesce(title, '') AS title,
                   coalesce(body, '') AS body, permalink, published_at, duration_seconds, language
            FROM {0} WHERE item_row
            ORDER BY platform, external_id, seq DESC
        ), earlier AS (
            SELECT n.id, l.platform, l.external_id, l.title, l.body, l.permalink, l.published_at, l.duration_seconds, l.language
            FROM latest l JOIN ingest_new_items n ON n.platform = l.platform AND n.external_id = l.external_id
            WHERE NOT EXISTS (SELECT 1 FROM ingest_chunk_items c WHERE c.id = n.id)
        ), updated AS (
            UPDATE content_items c SET title = e.title, text = e.body, permalink = e.permalink, published_at = e.published_at,
                                       duration_seconds = e.duration_seconds, language = e.language
            FROM earlier e
            WHERE c.id = e.id AND (c.title, c.text, c.permalink, c.published_at, c.duration_seconds, c.language) IS DISTINCT FROM
                                  (e.title, e.body, e.permalink, e.published_at, e.duration_seconds, e.language)
        )
        INSERT INTO ingest_chunk_items (id, platform, external_id) SELECT id, platform, external_id FROM earlier
        """;

    // With no item and day seen before in the file (nor twice in the chunk), the daily facts are a plain INSERT.
    const string InsertDaily = """
        INSERT INTO engagement_facts (content_item_id, day, platform, impressions, reach, views, watch_seconds,
                                      reactions, comments, shares, clicks, saves, follows, spend, import_id, meaning)
        SELECT i.id, s.day, s.platform, s.impressions, s.reach, s.views, s.watch_seconds, s.reactions, s.comments,
               s.shares, s.clicks, s.saves, s.follows, s.spend, @importId, 'daily'
        FROM {0} s JOIN ingest_chunk_items i ON i.platform = s.platform AND i.external_id = s.external_id
        WHERE s.meaning = 'daily'
        """;

    // The same, marking the days for the rollup refresh at the end (when some facts may replace others).
    const string InsertDailyMarkingDays = """
        WITH written AS (
            INSERT INTO engagement_facts (content_item_id, day, platform, impressions, reach, views, watch_seconds,
                                          reactions, comments, shares, clicks, saves, follows, spend, import_id, meaning)
            SELECT i.id, s.day, s.platform, s.impressions, s.reach, s.views, s.watch_seconds, s.reactions, s.comments,
                   s.shares, s.clicks, s.saves, s.follows, s.spend, @importId, 'daily'
            FROM {0} s JOIN ingest_chunk_items i ON i.platform = s.platform AND i.external_id = s.external_id
            WHERE s.meaning = 'daily'
            RETURNING day
        )
        INSERT INTO rollup_dirty_days AS d (campaign_id, day)
        SELECT DISTINCT @campaignId, day FROM written
        ON CONFLICT (campaign_id, day) DO UPDATE SET marked_at = now() WHERE d.marked_at <> now()
        """;

    // Otherwise the chunk's last row of each item and day replaces whatever an earlier chunk wrote for it (a daily
    // figure, or one derived from lifetime totals: a daily series wins).
    const string UpsertDaily = """
        WITH rows AS (
            SELECT DISTINCT ON (i.id, s.day) i.id, s.day, s.platform, s.impressions, s.reach, s.views, s.watch_seconds,
                   s.reactions, s.comments, s.shares, s.clicks, s.saves, s.follows, s.spend
            FROM {0} s JOIN ingest_chunk_items i ON i.platform = s.platform AND i.external_id = s.external_id
            WHERE s.meaning = 'daily'
            ORDER BY i.id, s.day, s.seq DESC
        ), written AS (
            INSERT INTO engagement_facts AS f (content_item_id, day, platform, impressions, reach, views, watch_seconds,
                                               reactions, comments, shares, clicks, saves, follows, spend, import_id, meaning)
            SELECT id, day, platform, impressions, reach, views, watch_seconds, reactions, comments, shares, clicks,
                   saves, follows, spend, @importId, 'daily'
            FROM rows
            ON CONFLICT (content_item_id, day) DO UPDATE SET
                platform = EXCLUDED.platform, impressions = EXCLUDED.impressions, reach = EXCLUDED.reach,
                views = EXCLUDED.views, watch_seconds = EXCLUDED.watch_seconds, reactions = EXCLUDED.reactions,
                comments = EXCLUDED.comments, shares = EXCLUDED.shares, clicks = EXCLUDED.clicks, saves = EXCLUDED.saves,
                follows = EXCLUDED.follows, spend = EXCLUDED.spend, import_id = EXCLUDED.import_id, meaning = 'daily'
            RETURNING day
        )
        INSERT INTO rollup_dirty_days AS d (campaign_id, day)
        SELECT DISTINCT @campaignId, day FROM written
        ON CONFLICT (campaign_id, day) DO UPDATE SET marked_at = now() WHERE d.marked_at <> now()
        """;

    // Lifetime totals: the chunk's last row of each item and day replaces an earlier chunk's.
    const string UpsertSnapshots = """
        WITH rows AS (
            SELECT DISTINCT ON (i.id, s.day) i.id, s.day, s.platform, s.impressions, s.reach, s.views, s.watch_seconds,
                   s.reactions, s.comments, s.shares, s.clicks, s.saves, s.follows, s.spend
            FROM {0} s JOIN ingest_chunk_items i ON i.platform = s.platform AND i.external_id = s.external_id
            WHERE s.meaning = 'cumulative'
            ORDER BY i.id, s.day, s.seq DESC
        )
        INSERT INTO engagement_snapshots AS e (content_item_id, as_of, platform, impressions, reach, views, watch_seconds,
                                               reactions, comments, shares, clicks, saves, follows, spend, import_id)
        SELECT id, day, platform, impressions, reach, views, watch_seconds, reactions, comments, shares, clicks, saves,
               follows, spend, @importId
        FROM rows
        ON CONFLICT (content_item_id, as_of) DO UPDATE SET
            platform = EXCLUDED.platform, impressions = EXCLUDED.impressions, reach = EXCLUDED.reach, views = EXCLUDED.views,
            watch_seconds = EXCLUDED.watch_seconds, reactions = EXCLUDED.reactions, comments = EXCLUDED.comments,
            shares = EXCLUDED.shares, clicks = EXCLUDED.clicks, saves = EXCLUDED.saves, follows = EXCLUDED.follows,
            spend = EXCLUDED.spend, import_id = EXCLUDED.import_id
        """;

    const string SnapshotItems = """
        SELECT DISTINCT i.id AS content_item_id
        FROM {0} s JOIN ingest_chunk_items i ON i.platform = s.platform AND i.external_id = s.external_id
        WHERE s.meaning = 'cumulative'
        """;

    const string PeriodRows = "{0} s JOIN ingest_chunk_items c ON c.platform = s.platform AND c.external_id = s.external_id";

    /// <summary>Merges the rows of <paramref name="partition"/> (the chunk's staging partition) about new items.</summary>
    public static async Task<ChunkMerged> MergeAsync(NpgsqlConnection conn, NpgsqlTransaction tx, string partition, StagingChunk chunk,
        long importId, long campaignId, string contentSource, Action<string> step, CancellationToken ct)
    {
        string Sql(string sql) => string.Format(CultureInfo.InvariantCulture, sql, partition);

        var created = (await conn.QueryAsync<(long Id, string Platform, string ExternalId, string? Language, int? DurationSeconds)>(
            new CommandDefinition(Sql(CreateItems), new { campaignId, contentSource }, tx, cancellationToken: ct))).AsList();
        var earlier = chunk.Revisits ? await Execute(conn, tx, Sql(UpdateEarlierItems), ct) : 0;
        var ours = created.Count + earlier;
        step("content items");

        RollupDeltas? deltas = null;
        if (ours > 0 && chunk.Daily > 0)
        {
            if (chunk.FreshKeys && !chunk.Revisits)
            {
                // Every fact is new and every item is new and unlabelled: the rollups take the facts' sums, added up
                // here while the database writes the facts, instead of recomputing the days from all their facts.
                var insert = Execute(conn, tx, Sql(InsertDaily), ct, new { importId });
                RollupStore.Additions additions;
                try
                {
                    deltas = Deltas(chunk, created);
                    additions = RollupStore.Prepare(campaignId, deltas);
                }
                finally
                {
                    await insert;
                }
                step("daily facts");
                await RollupStore.AddAsync(conn, tx, additions, ct);
                step("rollups of the new facts");
            }
            else
            {
                await Execute(conn, tx, Sql(chunk.FreshKeys ? InsertDailyMarkingDays : UpsertDaily), ct, new { importId, campaignId });
                step("daily facts");
            }
        }
        if (ours > 0 && chunk.Cumulative > 0 && await Execute(conn, tx, Sql(UpsertSnapshots), ct, new { importId }) > 0)
            await ImportStore.DeriveFromSnapshotsAsync(conn, tx, Sql(SnapshotItems), importId, campaignId, ct);
        if (ours > 0 && chunk.Period > 0)
            await ImportStore.WritePeriodTotalsAsync(conn, tx, Sql(PeriodRows), importId, campaignId, ct);
        if (ours > 0 && (chunk.Cumulative > 0 || chunk.Period > 0)) step("snapshots, derived facts, period totals");

        // What is merged leaves staging; the rest waits for the merge at the end.
        var left = chunk.Items.Count > ours;
        if (!left)
            await Execute(conn, tx, Sql("TRUNCATE {0}"), ct);
        else if (ours > 0)
            await Execute(conn, tx, Sql("DELETE FROM {0} s USING ingest_chunk_items i WHERE i.platform = s.platform AND i.external_id = s.external_id"), ct);
        return new ChunkMerged(created.Count, left, deltas?.Days ?? []);
    }

    static RollupDeltas Deltas(StagingChunk chunk, List<(long Id, string Platform, string ExternalId, string? Language, int? DurationSeconds)> created)
    {
        var byKey = created.ToDictionary(c => (c.Platform, c.ExternalId), c => RollupItem.Unlabelled(c.Id, c.Language, c.DurationSeconds));
        var items = chunk.Items.Select(k => byKey.GetValueOrDefault(k)).ToArray();
        var deltas = new RollupDeltas();
        foreach (var (item, day, figures) in chunk.DailyRows)
            if (items[item] is { } rollupItem) deltas.Add(rollupItem, day, chunk.Items[item].Platform, figures);
        return deltas;
    }

    static async Task<int> Execute(NpgsqlConnection conn, NpgsqlTransaction tx, string sql, CancellationToken ct, object? parameters = null) =>
        await conn.ExecuteAsync(new CommandDefinition(sql, parameters, tx, cancellationToken: ct));
}
