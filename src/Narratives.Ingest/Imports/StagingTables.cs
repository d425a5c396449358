using System.Globalization;
using System.Text.RegularExpressions;
using System.Threading.Channels;
using Dapper;
using Npgsql;

namespace Narratives.Ingest.Imports;

/// <summary>
/// Staging on a connection of its own: each chunk is copied into an unlogged table of its own
/// (<c>ingest_chunk_{import}_{chunk}</c>) and committed there, so that the database takes in one chunk while the
/// import's transaction merges the one before, on another core. Staging is not product data: the tables go when the
/// import ends, committed or not, and the tables of an import whose process died go at the start of the next one.
/// </summary>
sealed partial class StagingTables : IAsyncDisposable
{
    /// <summary>Advisory lock namespace: a session holds (LockSpace, import) while that import's tables exist.</summary>
    const int LockSpace = 2355;

    /// <summary>The columns of a staging table: the staged rows as <see cref="StagingChunks"/> encodes them.</summary>
    public const string Definition = """
        seq integer NOT NULL, line integer NOT NULL, platform text NOT NULL, external_id text NOT NULL, meaning text NOT NULL,
        day date NOT NULL, period_start date, item_row boolean NOT NULL, title text, body text, permalink text,
        published_at timestamptz, duration_seconds integer, language text,
        impressions bigint, reach bigint, views bigint, watch_seconds bigint, reactions bigint, comments bigint,
        shares bigint, clicks bigint, saves bigint, follows bigint, spend numeric(14, 2)
        """;

    readonly NpgsqlConnection conn;
    readonly long importId;
    readonly List<string> tables = [];

    StagingTables(NpgsqlConnection conn, long importId)
    {
        this.conn = conn;
        this.importId = importId;
    }

    /// <summary>Time spent copying chunks (on this connection, while the import's transaction merges).</summary>
    public TimeSpan Copying { get; private set; }

    public static async Task<StagingTables> OpenAsync(NpgsqlDataSource db, long importId, CancellationToken ct)
    {
        var conn = await db.OpenConnectionAsync(ct);
        try
        {
            await conn.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_lock(@space, @id)", new { space = LockSpace, id = Key(importId) }, cancellationToken: ct));
            await DropAbandonedAsync(conn, ct);
            return new StagingTables(conn, importId);
        }
        catch
        {
            await conn.DisposeAsync();
            throw;
        }
    }

    public string TableOf(StagingChunk chunk) => string.Create(CultureInfo.InvariantCulture, $"ingest_chunk_{importId}_{chunk.Number}");

    /// <summary>Copies each chunk of <paramref name="encoded"/> into its table, commits, and passes it on to <paramref name="staged"/>.</summary>
    public async Task CopyAsync(ChannelReader<StagingChunk> encoded, ChannelWriter<StagingChunk> staged, CancellationToken ct)
    {
        try
        {
            await foreach (var chunk in encoded.ReadAllAsync(ct))
            {
                var started = System.Diagnostics.Stopwatch.GetTimestamp();
                try
                {
                    var table = TableOf(chunk);
                    await conn.ExecuteAsync(new CommandDefinition($"CREATE UNLOGGED TABLE {table} ({Definition})", cancellationToken: ct));
                    tables.Add(table);
                    await using (var stream = await conn.BeginRawBinaryCopyAsync($"COPY {table} ({StagingChunks.Columns}) FROM STDIN (FORMAT BINARY)", ct))
                        await stream.WriteAsync(chunk.Copy.Written, ct);
                    // The merge needs the chunk's counts and daily figures, not its encoded rows.
                    chunk.Copy.Dispose();
                }
                catch
                {
                    chunk.Dispose();
                    throw;
                }
                Copying += System.Diagnostics.Stopwatch.GetElapsedTime(started);
                await staged.WriteAsync(chunk, ct);
                // One chunk ahead of the merge is enough to keep both busy; more would only hold memory.
                await staged.WaitToWriteAsync(ct);
            }
            staged.Complete();
        }
        catch (Exception ex)
        {
            staged.Complete(ex);
            throw;
        }
    }

    /// <summary>Drops this import's tables. Call it once the import's transaction has ended (it may still read them).</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (tables.Count > 0) await conn.ExecuteAsync($"DROP TABLE IF EXISTS {string.Join(", ", tables)}");
            await conn.ExecuteAsync("SELECT pg_advisory_unlock(@space, @id)", new { space = LockSpace, id = Key(importId) });
        }
        finally
        {
            await conn.DisposeAsync();
        }
    }

    /// <summary>The tables of imports whose session is gone (the lock is free): their process died before dropping them.</summary>
    static async Task DropAbandonedAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        const string sql = """
            SELECT c.relname FROM pg_class c
            WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r' AND c.relname LIKE 'ingest\_chunk\_%'
            """;
        var names = (await conn.QueryAsync<string>(new CommandDefinition(sql, cancellationToken: ct))).ToList();
        foreach (var import in names.Select(n => ChunkName().Match(n)).Where(m => m.Success).GroupBy(m => long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)))
        {
            var args = new { space = LockSpace, id = Key(import.Key) };
            if (!await conn.ExecuteScalarAsync<bool>(new CommandDefinition("SELECT pg_try_advisory_lock(@space, @id)", args, cancellationToken: ct))) continue;
            await conn.ExecuteAsync(new CommandDefinition($"DROP TABLE IF EXISTS {string.Join(", ", import.Select(m => m.Value))}", cancellationToken: ct));
            await conn.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_unlock(@space, @id)", args, cancellationToken: ct));
        }
    }

    static int Key(long importId) => (int)(importId % int.MaxValue);

    [GeneratedRegex(@"^ingest_chunk_(\d+)_\d+$")]
    private static partial Regex ChunkName();
}
