using System.Globalization;
using Dapper;
using Narratives.Core.Analytics;
using Narratives.Ingest.Formats;
using Npgsql;
using NpgsqlTypes;

namespace Narratives.Ingest.Imports;

public sealed record CampaignRow(long Id, string Name, long OrganizationId, string OrganizationName, string Status);

public sealed record StoredImport(long Id, long CampaignId, string FileName, string Source, string? Format, string Status,
    int RowsRead, int RowsImported, int RowsQuarantined, string Message, DateTimeOffset StartedAt, string? StoragePath);

public sealed record QuarantinedRow(string? FileName, int? LineNumber, string? ColumnName, string Message, string? RawText);

/// <summary>The outcome of the merge inside the import's transaction.</summary>
public sealed record MergeResult(int RowsMerged, IReadOnlyList<ImportError> ForeignRows, int ItemsCreated, int ItemsChanged, DirtyDays DirtyDays);

/// <summary>
/// The database side of imports: the import journal, binary COPY of good rows into a temporary staging table and of
/// bad rows into import_errors, and the set-based merge into content items, facts, snapshots and period totals.
/// </summary>
public sealed class ImportStore(NpgsqlDataSource db)
{
    /// <summary>Called with each step of the merge and how long it took (the benchmark prints them).</summary>
    public Action<string, TimeSpan>? StepTimings { get; set; }

    /// <summary>
    /// Rows per chunk: a few megabytes, so the chunks on their way keep memory flat (in the measurements, 10,000 was
    /// slower, and 50,000 or 100,000 no faster but larger).
    /// </summary>
    internal int ChunkRows { get; init; } = 50_000;

    /// <summary>The campaigns files can be imported into: all of them, or one organization's.</summary>
    public async Task<IReadOnlyList<CampaignRow>> ListCampaignsAsync(CancellationToken ct, long? organizationId = null)
    {
        const string sql = """
            SELECT c.id, c.name, c.organization_id, o.name AS organization_name, c.status
            FROM campaigns c JOIN organizations o ON o.id = c.organization_id
            WHERE c.archived_at IS NULL AND (@organizationId::bigint IS NULL OR c.organization_id = @organizationId)
            ORDER BY c.id
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<CampaignRow>(new CommandDefinition(sql, new { organizationId }, cancellationToken: ct))).ToList();
    }

    public async Task<CampaignRow?> FindCampaignAsync(long campaignId, CancellationToken ct)
    {
        const string sql = """
            SELECT c.id, c.name, c.organization_id, o.name AS organization_name, c.status
            FROM campaigns c JOIN organizations o ON o.id = c.organization_id
            WHERE c.id = @campaignId AND c.archived_at IS NULL
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<CampaignRow>(new CommandDefinition(sql, new { campaignId }, cancellationToken: ct));
    }

    /// <summary>The earlier import that already brought this exact file into this campaign, if any.</summary>
    public async Task<long?> FindImportedFileAsync(long campaignId, byte[] sha256, CancellationToken ct)
    {
        const string sql = """
            SELECT id FROM imports
            WHERE campaign_id = @campaignId AND file_sha256 = @sha256 AND status IN ('imported', 'imported_with_errors')
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<long?>(new CommandDefinition(sql, new { campaignId, sha256 }, cancellationToken: ct));
    }

    /// <summary>Journals the raw file and a running import; the import row survives a failed import to say why.</summary>
    public async Task<long> StartAsync(long campaignId, string fileName, StoredFile file, ImportSource source, Guid? userId, long? apiKeyId,
        string status, CancellationToken ct)
    {
        const string sql = """
            INSERT INTO raw_files (sha256, size_bytes, storage_path) VALUES (@sha256, @size, @path) ON CONFLICT (sha256) DO NOTHING;
            INSERT INTO imports (campaign_id, file_name, file_sha256, source, status, created_by, api_key_id)
            VALUES (@campaignId, @fileName, @sha256, @source, @status, @userId, @apiKeyId)
            RETURNING id;
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.ExecuteScalarAsync<long>(new CommandDefinition(sql, new
        {
            sha256 = file.Sha256, size = file.SizeBytes, path = file.StoragePath, campaignId, fileName,
            source = source.ToString().ToLowerInvariant(), status, userId, apiKeyId,
        }, cancellationToken: ct));
    }

    public async Task FinishAsync(long importId, ImportReport report, CancellationToken ct, bool replay = false)
    {
        const string sql = """
            UPDATE imports SET status = 'replayed'
            WHERE @replay AND campaign_id = @CampaignId AND file_sha256 = decode(@Sha256, 'hex') AND id <> @importId
              AND status IN ('imported', 'imported_with_errors') AND @Status IN ('imported', 'imported_with_errors');
            UPDATE imports SET status = @Status, format = @Format, message = @Message, rows_read = @RowsRead,
                               rows_imported = @RowsImported, rows_quarantined = @RowsQuarantined,
                               report = @report::jsonb, finished_at = now()
            WHERE id = @importId
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition(sql, new
        {
            report.Status, report.Format, report.Message, report.RowsRead, report.RowsImported, report.RowsQuarantined,
            report = System.Text.Json.JsonSerializer.Serialize(report), importId, replay, report.CampaignId, report.Sha256,
        }, cancellationToken: ct));
    }

    public async Task<StoredImport?> FindImportAsync(long importId, CancellationToken ct)
    {
        const string sql = """
            SELECT i.id, i.campaign_id, i.file_name, i.source, i.format, i.status, i.rows_read, i.rows_imported,
                   i.rows_quarantined, i.message, i.started_at, r.storage_path
            FROM imports i LEFT JOIN raw_files r ON r.sha256 = i.file_sha256
            WHERE i.id = @importId
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<StoredImport>(new CommandDefinition(sql, new { importId }, cancellationToken: ct));
    }

    public async Task<IReadOnlyList<StoredImport>> ListImportsAsync(long campaignId, int limit, CancellationToken ct)
    {
        const string sql = """
            SELECT i.id, i.campaign_id, i.file_name, i.source, i.format, i.status, i.rows_read, i.rows_imported,
                   i.rows_quarantined, i.message, i.started_at, r.storage_path
            FROM imports i LEFT JOIN raw_files r ON r.sha256 = i.file_sha256
            WHERE i.campaign_id = @campaignId
            ORDER BY i.started_at DESC, i.id DESC
            LIMIT @limit
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<StoredImport>(new CommandDefinition(sql, new { campaignId, limit }, cancellationToken: ct))).ToList();
    }

    public async Task<IReadOnlyList<QuarantinedRow>> ListErrorsAsync(long importId, CancellationToken ct)
    {
        const string sql = """
            SELECT file_name, line_number, column_name, message, raw_text
            FROM import_errors WHERE import_id = @importId ORDER BY line_number NULLS FIRST, id
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<QuarantinedRow>(new CommandDefinition(sql, new { importId }, cancellationToken: ct))).ToList();
    }

    /// <summary>
    /// Stages the good rows and the bad rows with binary COPY and merges them, all in one transaction: the import is
    /// atomic. <paramref name="onStage"/> lets tests inject a failure between the steps.
    /// </summary>
    public async Task<MergeResult> StageAndMergeAsync(long importId, long campaignId, string fileName, string contentSource,
        IEnumerable<ImportRow> rows, IReadOnlyList<RowError> errors, Func<string, Task>? onStage, CancellationToken ct,
        Func<double>? fractionRead = null)
    {
        // Disposed last: the staging tables go once the transaction that reads them has ended.
        await using var staging = await StagingTables.OpenAsync(db, importId, ct);
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        void Step(string name)
        {
            StepTimings?.Invoke(name, clock.Elapsed);
            clock.Restart();
        }
        // The merge sorts and hashes the whole file: give it the memory to do so without spilling to disk.
        await Execute(conn, tx, "SET LOCAL work_mem = '256MB'", ct);
        // The chunks add to the campaign's rollups as they go: from the start, no one else refreshes them, and
        // imports into the same campaign take turns (taking it later could deadlock with an import waiting for one
        // of this import's new items).
        await RollupStore.LockCampaignAsync(conn, tx, campaignId, ct);
        await Execute(conn, tx, CreateStaging, ct);
        var staged = await StageAndMergeNewItemsAsync(staging, conn, tx, importId, campaignId, contentSource, rows, ChunkRows, fractionRead, StepTimings, ct);
        clock.Restart();
        // Errors are known only once every row was read.
        await CopyErrorsAsync(conn, importId, errors, ct);
        if (onStage is not null) await onStage("staged");

        var (foreignRows, created, changed) = staged.RowsLeft
            ? await MergeAsync(conn, tx, importId, campaignId, fileName, contentSource, staged, Step, ct)
            : ([], 0, 0);

        const string dirty = "SELECT day FROM rollup_dirty_days WHERE campaign_id = @campaignId AND marked_at = now()";
        var days = (await conn.QueryAsync<DateOnly>(new CommandDefinition(dirty, new { campaignId }, tx, cancellationToken: ct)))
            .Concat(staged.RolledUpDays).Distinct().ToList();
        // The analytics rollups of the days marked, in the same transaction: the import and its figures commit
        // together (the chunks already added their new facts to the rollups of their days).
        await RollupStore.RefreshDirtyAsync(conn, tx, campaignId, ct);
        Step("rollups");
        if (onStage is not null) await onStage("merged");
        await tx.CommitAsync(ct);
        Step("commit");
        return new MergeResult(staged.Count - foreignRows.Count, foreignRows, staged.ItemsCreated + created, changed,
            new DirtyDays(days.Count, days.Count > 0 ? days.Min() : null, days.Count > 0 ? days.Max() : null));
    }

    // The rows the chunks leave (about items that existed before the import) gather in "ingest_staging" for the
    // merge at the end. "ingest_new_items" lists the items this import created, "ingest_chunk_items" the ones of the
    // chunk being merged.
    const string CreateStaging = $"""
        CREATE TEMP TABLE ingest_staging ({StagingTables.Definition}) ON COMMIT DROP;
        CREATE TEMP TABLE ingest_new_items (id bigint NOT NULL, platform text NOT NULL, external_id text NOT NULL) ON COMMIT DROP;
        CREATE TEMP TABLE ingest_chunk_items (id bigint NOT NULL, platform text NOT NULL, external_id text NOT NULL) ON COMMIT DROP;
        """;

    /// <summary>What staging learnt about the rows on the way, and what the merge of the chunks left.</summary>
    sealed record StagedRows(int Count, bool DistinctKeys, int Daily, int Cumulative, int Period, DateOnly? FirstDay, DateOnly? LastDay,
        int ItemsCreated, bool RowsLeft, HashSet<DateOnly> RolledUpDays);


    /// <summary>
    /// Parses and encodes the file chunk by chunk on one thread, copies each chunk into staging on the staging
    /// connection, and merges its rows about new items here (<see cref="NewItemsMerge"/>): while the database merges
    /// one chunk in this transaction, it takes in the next on the other connection, and the next is being read.
    /// Bounded channels of one chunk between the three keep memory flat in the file's size.
    /// </summary>
    static async Task<StagedRows> StageAndMergeNewItemsAsync(StagingTables staging, NpgsqlConnection conn, NpgsqlTransaction tx, long importId,
        long campaignId, string contentSource, IEnumerable<ImportRow> rows, int chunkRows, Func<double>? fractionRead, Action<string, TimeSpan>? timings,
        CancellationToken ct)
    {
        var options = new System.Threading.Channels.BoundedChannelOptions(1) { SingleReader = true, SingleWriter = true };
        var encoded = System.Threading.Channels.Channel.CreateBounded<StagingChunk>(options);
        var copied = System.Threading.Channels.Channel.CreateBounded<StagingChunk>(options);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var producer = Task.Run(() => StagingChunks.WriteAsync(rows, encoded.Writer, chunkRows, stop.Token, fractionRead), stop.Token);
        var copier = Task.Run(() => staging.CopyAsync(encoded.Reader, copied.Writer, stop.Token), stop.Token);

        // Each step's time summed over the chunks; "waiting for staged rows" is the time this transaction had nothing to do.
        var steps = new List<(string Name, TimeSpan Took)>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        void Step(string name)
        {
            var i = steps.FindIndex(s => s.Name == name);
            if (i < 0) steps.Add((name, clock.Elapsed));
            else steps[i] = (name, steps[i].Took + clock.Elapsed);
            clock.Restart();
        }

        var staged = new StagedRows(0, true, 0, 0, 0, null, null, 0, false, []);
        DateOnly? partitionsFrom = null, partitionsTo = null;
        try
        {
            while (await copied.Reader.WaitToReadAsync(ct))
            {
                Step("waiting for staged rows");
                if (!copied.Reader.TryRead(out var chunk)) continue;
                using (chunk)
                {
                    // The months (facts and rollups) for the days seen so far, periods' last days included (rows about
                    // another campaign's items may widen the range: an empty partition is harmless).
                    if (chunk.FirstDay is { } first && chunk.LastDay is { } last && (partitionsFrom is null || first < partitionsFrom || last > partitionsTo))
                    {
                        partitionsFrom = Min(partitionsFrom, first);
                        partitionsTo = Max(partitionsTo, last);
                        await Execute(conn, tx, "SELECT ensure_engagement_partitions(@partitionsFrom, @partitionsTo)", ct, new { partitionsFrom, partitionsTo });
                    }
                    var merged = await NewItemsMerge.MergeAsync(conn, tx, staging.TableOf(chunk), chunk, importId, campaignId, contentSource, Step, ct);
                    staged.RolledUpDays.UnionWith(merged.RolledUpDays);
                    staged = staged with
                    {
                        Count = staged.Count + chunk.Rows, DistinctKeys = chunk.FreshKeys, Daily = staged.Daily + chunk.Daily,
                        Cumulative = staged.Cumulative + chunk.Cumulative, Period = staged.Period + chunk.Period,
                        FirstDay = Min(staged.FirstDay, chunk.FirstDay), LastDay = Max(staged.LastDay, chunk.LastDay),
                        ItemsCreated = staged.ItemsCreated + merged.ItemsCreated, RowsLeft = staged.RowsLeft || merged.RowsLeft,
                    };
                }
                clock.Restart();
            }
            await producer;
            await copier;
        }
        catch
        {
            // A bad file (thrown by the parser) or a failed COPY or merge: stop the others before the error goes on.
            await stop.CancelAsync();
            await Task.WhenAll(producer, copier).ContinueWith(_ => { }, TaskScheduler.Default);
            while (encoded.Reader.TryRead(out var left)) left.Dispose();
            while (copied.Reader.TryRead(out var left)) left.Dispose();
            throw;
        }
        foreach (var (name, took) in steps) timings?.Invoke($"chunks: {name}", took);
        timings?.Invoke("chunks: COPY into staging (on the staging connection, meanwhile)", staging.Copying);
        return staged;
    }

    static DateOnly? Min(DateOnly? a, DateOnly? b) => a is null ? b : b is null ? a : a < b ? a : b;
    static DateOnly? Max(DateOnly? a, DateOnly? b) => a is null ? b : b is null ? a : a > b ? a : b;

    static async Task CopyErrorsAsync(NpgsqlConnection conn, long importId, IReadOnlyList<RowError> errors, CancellationToken ct)
    {
        if (errors.Count == 0) return;
        const string copy = "COPY import_errors (import_id, line_number, column_name, message, raw_text, file_name) FROM STDIN (FORMAT BINARY)";
        await using var writer = await conn.BeginBinaryImportAsync(copy, ct);
        foreach (var e in errors)
        {
            await writer.StartRowAsync(ct);
            await writer.WriteAsync(importId, NpgsqlDbType.Bigint, ct);
            await WriteAsync(writer, e.Line >= 1 ? e.Line : (int?)null, NpgsqlDbType.Integer, ct);
            await WriteAsync(writer, Clean(e.Column), NpgsqlDbType.Text, ct);
            await writer.WriteAsync(Clean(e.Message)!, NpgsqlDbType.Text, ct);
            await WriteAsync(writer, Clean(e.RawText), NpgsqlDbType.Text, ct);
            await WriteAsync(writer, Clean(e.FileName), NpgsqlDbType.Text, ct);
        }
        await writer.CompleteAsync(ct);
    }

    /// <summary>Error rows written while the import runs (by the pipeline's final journal) without a staging table.</summary>
    public async Task RecordErrorsAsync(long importId, IReadOnlyList<RowError> errors, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await CopyErrorsAsync(conn, importId, errors, ct);
    }

    /// <summary>
    /// Merges what the chunks left in staging, the rows about items that existed before the import: their facts
    /// upsert, keeping the figures the file does not report, and rows about another campaign's items are quarantined.
    /// </summary>
    static async Task<(List<ImportError> ForeignRows, int Created, int Changed)> MergeAsync(NpgsqlConnection conn, NpgsqlTransaction tx,
        long importId, long campaignId, string fileName, string contentSource, StagedRows staged, Action<string> step, CancellationToken ct)
    {
        // Rows about another campaign's content items are not this import's to change: quarantined, named.
        const string foreign = """
            WITH foreign_rows AS (
                DELETE FROM ingest_staging s USING content_items c
                WHERE c.platform = s.platform AND c.external_id = s.external_id AND c.campaign_id <> @campaignId
                RETURNING s.line, s.platform, s.external_id
            )
            INSERT INTO import_errors (import_id, line_number, column_name, message, file_name)
            SELECT @importId, line, NULL, format('The %s item %s belongs to another campaign; it was not changed.', platform, external_id), @fileName
            FROM foreign_rows
            RETURNING line_number, column_name, message, file_name
            """;
        var foreignRows = (await conn.QueryAsync<(int? Line, string? Column, string Message, string? File)>(
            new CommandDefinition(foreign, new { campaignId, importId, fileName }, tx, cancellationToken: ct)))
            .Select(r => new ImportError(r.Line, r.Column, r.Message, r.File)).ToList();

        // Statistics of the columns the merge joins, groups and filters on: the plans depend on those alone.
        await Execute(conn, tx, "ANALYZE ingest_staging (platform, external_id, meaning, day, item_row)", ct);
        step("foreign rows and analyze");

        // New items are queued for classification (predicted_at is NULL); a changed title or text queues them again.
        const string items = """
            WITH latest AS (
                SELECT DISTINCT ON (platform, external_id) platform, external_id, title, body, permalink, published_at,
                       duration_seconds, language
                FROM ingest_staging WHERE item_row
                ORDER BY platform, external_id, seq DESC
            ), upserted AS (
                INSERT INTO content_items AS c (campaign_id, platform, external_id, permalink, title, text, language,
                                                published_at, duration_seconds, source)
                SELECT @campaignId, platform, external_id, permalink, coalesce(title, ''), coalesce(body, ''), language,
                       published_at, duration_seconds, @contentSource
                FROM latest
                ON CONFLICT (platform, external_id) DO UPDATE SET
                    title = coalesce(nullif(EXCLUDED.title, ''), c.title),
                    text = coalesce(nullif(EXCLUDED.text, ''), c.text),
                    permalink = coalesce(EXCLUDED.permalink, c.permalink),
                    published_at = coalesce(EXCLUDED.published_at, c.published_at),
                    duration_seconds = coalesce(EXCLUDED.duration_seconds, c.duration_seconds),
                    language = coalesce(EXCLUDED.language, c.language),
                    updated_at = now(),
                    predicted_at = CASE WHEN text_changed THEN NULL ELSE c.predicted_at END,
                    predicted_theme = CASE WHEN text_changed THEN NULL ELSE c.predicted_theme END,
                    predicted_theme_confidence = CASE WHEN text_changed THEN NULL ELSE c.predicted_theme_confidence END,
                    predicted_audiences = CASE WHEN text_changed THEN NULL ELSE c.predicted_audiences END,
                    predicted_audience_confidences = CASE WHEN text_changed THEN NULL ELSE c.predicted_audience_confidences END,
                    theme_model_version_id = CASE WHEN text_changed THEN NULL ELSE c.theme_model_version_id END,
                    audience_model_version_id = CASE WHEN text_changed THEN NULL ELSE c.audience_model_version_id END
                WHERE (c.title, c.text, c.permalink, c.published_at, c.duration_seconds, c.language) IS DISTINCT FROM
                      (coalesce(nullif(EXCLUDED.title, ''), c.title), coalesce(nullif(EXCLUDED.text, ''), c.text),
                       coalesce(EXCLUDED.permalink, c.permalink), coalesce(EXCLUDED.published_at, c.published_at),
                       coalesce(EXCLUDED.duration_seconds, c.duration_seconds), coalesce(EXCLUDED.language, c.language))
                RETURNING id, platform, external_id, (xmax = 0) AS inserted
            ), created AS (
                INSERT INTO ingest_new_items (id, platform, external_id) SELECT id, platform, external_id FROM upserted WHERE inserted
            )
            SELECT count(*) FILTER (WHERE inserted)::int AS created, count(*) FILTER (WHERE NOT inserted)::int AS changed,
                   (SELECT count(*)::int FROM latest) AS items
            FROM upserted
            """;
        // "text_changed" is spelled out below: PostgreSQL has no alias for an expression in ON CONFLICT.
        const string textChanged = """
            ((coalesce(nullif(EXCLUDED.title, ''), c.title), coalesce(nullif(EXCLUDED.text, ''), c.text)) IS DISTINCT FROM (c.title, c.text))
            """;
        var (created, changed, itemsInFile) = await conn.QuerySingleAsync<(int, int, int)>(new CommandDefinition(
            items.Replace("text_changed", textChanged.Trim()), new { campaignId, contentSource }, tx, cancellationToken: ct));

        step("content items");
        // The items this import created have no facts yet, and no other transaction can write any for them: their
        // facts are a plain INSERT, a third to a half cheaper than an upsert. The items the campaign already had upsert.
        // When no item and day occurs twice in the file there is nothing to choose between, and no need to sort.
        const string lastOfEachDay = """
            SELECT DISTINCT ON (n.id, s.day) n.id, s.day, s.platform, s.impressions, s.reach, s.views, s.watch_seconds,
                   s.reactions, s.comments, s.shares, s.clicks, s.saves, s.follows, s.spend
            FROM ingest_staging s JOIN ingest_new_items n ON n.platform = s.platform AND n.external_id = s.external_id
            WHERE s.meaning = 'daily'
            ORDER BY n.id, s.day, s.seq DESC
            """;
        const string everyDay = """
            SELECT n.id, s.day, s.platform, s.impressions, s.reach, s.views, s.watch_seconds,
                   s.reactions, s.comments, s.shares, s.clicks, s.saves, s.follows, s.spend
            FROM ingest_staging s JOIN ingest_new_items n ON n.platform = s.platform AND n.external_id = s.external_id
            WHERE s.meaning = 'daily'
            """;
        const string dailyOfNewItems = """
            WITH rows AS (
                {0}
            ), written AS (
                INSERT INTO engagement_facts (content_item_id, day, platform, impressions, reach, views, watch_seconds,
                                              reactions, comments, shares, clicks, saves, follows, spend, import_id, meaning)
                SELECT id, day, platform, impressions, reach, views, watch_seconds, reactions, comments, shares, clicks,
                       saves, follows, spend, @importId, 'daily'
                FROM rows
                RETURNING day
            )
            INSERT INTO rollup_dirty_days AS d (campaign_id, day)
            SELECT DISTINCT @campaignId, day FROM written
            ON CONFLICT (campaign_id, day) DO UPDATE SET marked_at = now()
            """;
        if (created > 0 && staged.Daily > 0)
        {
            await Execute(conn, tx, "ANALYZE ingest_new_items", ct);
            await Execute(conn, tx, string.Format(CultureInfo.InvariantCulture, dailyOfNewItems, staged.DistinctKeys ? everyDay : lastOfEachDay), ct, new { importId, campaignId });
        }
        const string dailyOfKnownItems = """
            WITH rows AS (
                SELECT DISTINCT ON (c.id, s.day) c.id, s.day, s.platform, s.impressions, s.reach, s.views, s.watch_seconds,
                       s.reactions, s.comments, s.shares, s.clicks, s.saves, s.follows, s.spend
                FROM ingest_staging s JOIN content_items c ON c.platform = s.platform AND c.external_id = s.external_id
                WHERE s.meaning = 'daily' AND NOT EXISTS (SELECT 1 FROM ingest_new_items n WHERE n.id = c.id)
                ORDER BY c.id, s.day, s.seq DESC
            ), written AS (
                INSERT INTO engagement_facts AS f (content_item_id, day, platform, impressions, reach, views, watch_seconds,
                                                   reactions, comments, shares, clicks, saves, follows, spend, import_id, meaning)
                SELECT id, day, platform, impressions, reach, views, watch_seconds, reactions, comments, shares, clicks,
                       saves, follows, spend, @importId, 'daily'
                FROM rows
                ON CONFLICT (content_item_id, day) DO UPDATE SET
                    impressions = coalesce(EXCLUDED.impressions, f.impressions), reach = coalesce(EXCLUDED.reach, f.reach),
                    views = coalesce(EXCLUDED.views, f.views), watch_seconds = coalesce(EXCLUDED.watch_seconds, f.watch_seconds),
                    reactions = coalesce(EXCLUDED.reactions, f.reactions), comments = coalesce(EXCLUDED.comments, f.comments),
                    shares = coalesce(EXCLUDED.shares, f.shares), clicks = coalesce(EXCLUDED.clicks, f.clicks),
                    saves = coalesce(EXCLUDED.saves, f.saves), follows = coalesce(EXCLUDED.follows, f.follows),
                    spend = coalesce(EXCLUDED.spend, f.spend), import_id = EXCLUDED.import_id, meaning = 'daily'
                WHERE f.meaning <> 'daily' OR
                      (f.impressions, f.reach, f.views, f.watch_seconds, f.reactions, f.comments, f.shares, f.clicks, f.saves, f.follows, f.spend)
                      IS DISTINCT FROM
                      (coalesce(EXCLUDED.impressions, f.impressions), coalesce(EXCLUDED.reach, f.reach), coalesce(EXCLUDED.views, f.views),
                       coalesce(EXCLUDED.watch_seconds, f.watch_seconds), coalesce(EXCLUDED.reactions, f.reactions),
                       coalesce(EXCLUDED.comments, f.comments), coalesce(EXCLUDED.shares, f.shares), coalesce(EXCLUDED.clicks, f.clicks),
                       coalesce(EXCLUDED.saves, f.saves), coalesce(EXCLUDED.follows, f.follows), coalesce(EXCLUDED.spend, f.spend))
                RETURNING day
            )
            INSERT INTO rollup_dirty_days AS d (campaign_id, day)
            SELECT DISTINCT @campaignId, day FROM written
            ON CONFLICT (campaign_id, day) DO UPDATE SET marked_at = now()
            """;
        if (created < itemsInFile && staged.Daily > 0) await Execute(conn, tx, dailyOfKnownItems, ct, new { importId, campaignId });
        step("daily facts");

        const string snapshots = """
            WITH rows AS (
                SELECT DISTINCT ON (c.id, s.day) c.id, s.day, s.platform, s.impressions, s.reach, s.views, s.watch_seconds,
                       s.reactions, s.comments, s.shares, s.clicks, s.saves, s.follows, s.spend
                FROM ingest_staging s JOIN content_items c ON c.platform = s.platform AND c.external_id = s.external_id
                WHERE s.meaning = 'cumulative'
                ORDER BY c.id, s.day, s.seq DESC
            )
            INSERT INTO engagement_snapshots AS e (content_item_id, as_of, platform, impressions, reach, views, watch_seconds,
                                                   reactions, comments, shares, clicks, saves, follows, spend, import_id)
            SELECT id, day, platform, impressions, reach, views, watch_seconds, reactions, comments, shares, clicks, saves,
                   follows, spend, @importId
            FROM rows
            ON CONFLICT (content_item_id, as_of) DO UPDATE SET
                impressions = coalesce(EXCLUDED.impressions, e.impressions), reach = coalesce(EXCLUDED.reach, e.reach),
                views = coalesce(EXCLUDED.views, e.views), watch_seconds = coalesce(EXCLUDED.watch_seconds, e.watch_seconds),
                reactions = coalesce(EXCLUDED.reactions, e.reactions), comments = coalesce(EXCLUDED.comments, e.comments),
                shares = coalesce(EXCLUDED.shares, e.shares), clicks = coalesce(EXCLUDED.clicks, e.clicks),
                saves = coalesce(EXCLUDED.saves, e.saves), follows = coalesce(EXCLUDED.follows, e.follows),
                spend = coalesce(EXCLUDED.spend, e.spend), import_id = EXCLUDED.import_id
            WHERE (e.impressions, e.reach, e.views, e.watch_seconds, e.reactions, e.comments, e.shares, e.clicks, e.saves, e.follows, e.spend)
                  IS DISTINCT FROM
                  (coalesce(EXCLUDED.impressions, e.impressions), coalesce(EXCLUDED.reach, e.reach), coalesce(EXCLUDED.views, e.views),
                   coalesce(EXCLUDED.watch_seconds, e.watch_seconds), coalesce(EXCLUDED.reactions, e.reactions),
                   coalesce(EXCLUDED.comments, e.comments), coalesce(EXCLUDED.shares, e.shares), coalesce(EXCLUDED.clicks, e.clicks),
                   coalesce(EXCLUDED.saves, e.saves), coalesce(EXCLUDED.follows, e.follows), coalesce(EXCLUDED.spend, e.spend))
            """;
        var snapshotsWritten = staged.Cumulative > 0 ? await Execute(conn, tx, snapshots, ct, new { importId }) : 0;
        step("snapshots");

        if (snapshotsWritten > 0)
            await DeriveFromSnapshotsAsync(conn, tx, "SELECT DISTINCT content_item_id FROM engagement_snapshots WHERE import_id = @importId",
                importId, campaignId, ct);
        if (staged.Period > 0)
            await WritePeriodTotalsAsync(conn, tx, "ingest_staging s JOIN content_items c ON c.platform = s.platform AND c.external_id = s.external_id",
                importId, campaignId, ct);
        step("derived facts and period totals");

        return (foreignRows, created, changed);
    }

    /// <summary>
    /// Daily figures of the items <paramref name="items"/> selects (their snapshots changed) are derived again from all
    /// their snapshots: each snapshot's increase over the previous one is that item's fact on the snapshot's day. A
    /// daily series for the same day, when one was imported, is kept instead.
    /// </summary>
    internal static async Task DeriveFromSnapshotsAsync(NpgsqlConnection conn, NpgsqlTransaction tx, string items, long importId, long campaignId,
        CancellationToken ct)
    {
        const string removeDerived = """
            WITH items AS ({0}),
            removed AS (
                DELETE FROM engagement_facts f USING items i
                WHERE f.content_item_id = i.content_item_id AND f.meaning = 'cumulative'
                RETURNING f.day
            )
            INSERT INTO rollup_dirty_days (campaign_id, day)
            SELECT DISTINCT @campaignId, day FROM removed
            ON CONFLICT (campaign_id, day) DO UPDATE SET marked_at = now()
            """;
        await Execute(conn, tx, string.Format(CultureInfo.InvariantCulture, removeDerived, items), ct, new { importId, campaignId });
        const string derive = """
            WITH items AS ({0}),
            increases AS (
                SELECT s.content_item_id, s.as_of, s.platform,
                       ingest_increase(s.impressions, lag(s.impressions) OVER w) AS impressions,
                       ingest_increase(s.reach, lag(s.reach) OVER w) AS reach,
                       ingest_increase(s.views, lag(s.views) OVER w) AS views,
                       ingest_increase(s.watch_seconds, lag(s.watch_seconds) OVER w) AS watch_seconds,
                       ingest_increase(s.reactions, lag(s.reactions) OVER w) AS reactions,
                       ingest_increase(s.comments, lag(s.comments) OVER w) AS comments,
                       ingest_increase(s.shares, lag(s.shares) OVER w) AS shares,
                       ingest_increase(s.clicks, lag(s.clicks) OVER w) AS clicks,
                       ingest_increase(s.saves, lag(s.saves) OVER w) AS saves,
                       ingest_increase(s.follows, lag(s.follows) OVER w) AS follows,
                       ingest_increase(s.spend, lag(s.spend) OVER w) AS spend
                FROM engagement_snapshots s JOIN items i ON i.content_item_id = s.content_item_id
                WINDOW w AS (PARTITION BY s.content_item_id ORDER BY s.as_of)
            ), written AS (
                INSERT INTO engagement_facts (content_item_id, day, platform, impressions, reach, views, watch_seconds,
                                              reactions, comments, shares, clicks, saves, follows, spend, import_id, meaning)
                SELECT content_item_id, as_of, platform, impressions, reach, views, watch_seconds, reactions, comments,
                       shares, clicks, saves, follows, spend, @importId, 'cumulative'
                FROM increases
                ON CONFLICT (content_item_id, day) DO NOTHING
                RETURNING day
            )
            INSERT INTO rollup_dirty_days (campaign_id, day)
            SELECT DISTINCT @campaignId, day FROM written
            ON CONFLICT (campaign_id, day) DO UPDATE SET marked_at = now()
            """;
        await Execute(conn, tx, string.Format(CultureInfo.InvariantCulture, derive, items), ct, new { importId, campaignId });
    }

    /// <summary>Totals over a period, from the staged rows and items <paramref name="rows"/> joins (as <c>s</c> and <c>c</c>).</summary>
    internal static async Task WritePeriodTotalsAsync(NpgsqlConnection conn, NpgsqlTransaction tx, string rows, long importId, long campaignId,
        CancellationToken ct)
    {
        const string periods = """
            WITH rows AS (
                SELECT DISTINCT ON (c.id, s.period_start, s.day) c.id, s.period_start, s.day, s.platform, s.impressions,
                       s.reach, s.views, s.watch_seconds, s.reactions, s.comments, s.shares, s.clicks, s.saves, s.follows, s.spend
                FROM {0}
                WHERE s.meaning = 'period'
                ORDER BY c.id, s.period_start, s.day, s.seq DESC
            ), written AS (
                INSERT INTO engagement_period_totals AS p (content_item_id, period_start, period_end, platform, impressions,
                            reach, views, watch_seconds, reactions, comments, shares, clicks, saves, follows, spend, import_id)
                SELECT id, period_start, day, platform, impressions, reach, views, watch_seconds, reactions, comments,
                       shares, clicks, saves, follows, spend, @importId
                FROM rows
                ON CONFLICT (content_item_id, period_start, period_end) DO UPDATE SET
                    impressions = EXCLUDED.impressions, reach = EXCLUDED.reach, views = EXCLUDED.views,
                    watch_seconds = EXCLUDED.watch_seconds, reactions = EXCLUDED.reactions, comments = EXCLUDED.comments,
                    shares = EXCLUDED.shares, clicks = EXCLUDED.clicks, saves = EXCLUDED.saves, follows = EXCLUDED.follows,
                    spend = EXCLUDED.spend, import_id = EXCLUDED.import_id
                WHERE (p.impressions, p.reach, p.views, p.watch_seconds, p.reactions, p.comments, p.shares, p.clicks, p.saves, p.follows, p.spend)
                      IS DISTINCT FROM
                      (EXCLUDED.impressions, EXCLUDED.reach, EXCLUDED.views, EXCLUDED.watch_seconds, EXCLUDED.reactions,
                       EXCLUDED.comments, EXCLUDED.shares, EXCLUDED.clicks, EXCLUDED.saves, EXCLUDED.follows, EXCLUDED.spend)
                RETURNING period_start, period_end
            )
            INSERT INTO rollup_dirty_days (campaign_id, day)
            SELECT DISTINCT @campaignId, d::date FROM written, generate_series(period_start, period_end, interval '1 day') d
            ON CONFLICT (campaign_id, day) DO UPDATE SET marked_at = now()
            """;
        await Execute(conn, tx, string.Format(CultureInfo.InvariantCulture, periods, rows), ct, new { importId, campaignId });
    }

    static async Task<int> Execute(NpgsqlConnection conn, NpgsqlTransaction tx, string sql, CancellationToken ct, object? parameters = null) =>
        await conn.ExecuteAsync(new CommandDefinition(sql, parameters, tx, cancellationToken: ct));

    static string? Clean(string? s) => StagingChunks.Clean(s);

    static async Task WriteAsync<T>(NpgsqlBinaryImporter writer, T? value, NpgsqlDbType type, CancellationToken ct) where T : struct
    {
        if (value is { } v) await writer.WriteAsync(v, type, ct);
        else await writer.WriteNullAsync(ct);
    }

    static async Task WriteAsync(NpgsqlBinaryImporter writer, string? value, NpgsqlDbType type, CancellationToken ct)
    {
        if (value is not null) await writer.WriteAsync(value, type, ct);
        else await writer.WriteNullAsync(ct);
    }
}
