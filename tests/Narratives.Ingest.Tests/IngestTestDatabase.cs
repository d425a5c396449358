using Dapper;
using Narratives.Ingest.Imports;
using Narratives.Testing;
using Npgsql;

namespace Narratives.Ingest.Tests;

/// <summary>A fresh migrated database with two organizations, each with a campaign, and a pipeline writing raw files to a temporary folder.</summary>
public sealed class IngestTestDatabase : IAsyncDisposable
{
    IngestTestDatabase(TestDatabase database, long campaignId, long otherCampaignId, string rawDirectory, int? chunkRows)
    {
        Database = database;
        CampaignId = campaignId;
        OtherCampaignId = otherCampaignId;
        RawDirectory = rawDirectory;
        Options = new IngestOptions { RawFileDirectory = rawDirectory };
        Store = chunkRows is { } rows ? new ImportStore(database.DataSource) { ChunkRows = rows } : new ImportStore(database.DataSource);
        Pipeline = new ImportPipeline(Store, new RawFileStore(Options), Options, TimeProvider.System);
    }

    public TestDatabase Database { get; }
    public NpgsqlDataSource DataSource => Database.DataSource;
    public long CampaignId { get; }
    public long OtherCampaignId { get; }
    public string RawDirectory { get; }
    public IngestOptions Options { get; }
    public ImportStore Store { get; }
    public ImportPipeline Pipeline { get; }

    public static string Sample(string name) => Path.Combine(AppContext.BaseDirectory, "samples", name);

    /// <param name="chunkRows">Rows per staging chunk, to merge small files in several chunks.</param>
    public static async Task<IngestTestDatabase> CreateAsync(int? chunkRows = null)
    {
        var server = await PostgresServer.GetAsync();
        var db = await server.CreateDatabaseAsync();
        await using var conn = await db.DataSource.OpenConnectionAsync();
        var ids = (await conn.QueryAsync<long>("""
            WITH o AS (INSERT INTO organizations (key, name, kind) VALUES ('org-a', 'Org A', 'civil_society'), ('org-b', 'Org B', 'civil_society') RETURNING id, key),
            i AS (INSERT INTO initiatives (name, scope, lead_organization, lead_type, status)
                  VALUES ('Initiative', 'global', 'Org A', 'civil_society', 'active') RETURNING id)
            INSERT INTO campaigns (initiative_id, organization_id, name)
            SELECT i.id, o.id, 'Campaign of ' || o.key FROM i, o ORDER BY o.key
            RETURNING id
            """)).Order().ToList();
        var raw = Path.Combine(Path.GetTempPath(), $"narratives-raw-{Guid.NewGuid():N}");
        return new IngestTestDatabase(db, ids[0], ids[1], raw, chunkRows);
    }

    public async Task<ImportReport> ImportAsync(string path, long? campaignId = null, DateOnly? asOf = null, string? fileName = null)
    {
        await using var stream = File.OpenRead(path);
        return await Pipeline.ImportAsync(new ImportRequest(campaignId ?? CampaignId, fileName ?? Path.GetFileName(path), ImportSource.Cli, AsOf: asOf),
            stream, null, CancellationToken.None);
    }

    public async Task<ImportReport> ImportTextAsync(string text, string fileName = "upload.csv", long? campaignId = null, DateOnly? asOf = null)
    {
        await using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text));
        return await Pipeline.ImportAsync(new ImportRequest(campaignId ?? CampaignId, fileName, ImportSource.Cli, AsOf: asOf), stream, null, CancellationToken.None);
    }

    public async Task<T> ScalarAsync<T>(string sql, object? parameters = null)
    {
        await using var conn = await DataSource.OpenConnectionAsync();
        return await conn.ExecuteScalarAsync<T>(sql, parameters) ?? throw new InvalidOperationException("No value.");
    }

    public async Task<List<T>> QueryAsync<T>(string sql, object? parameters = null)
    {
        await using var conn = await DataSource.OpenConnectionAsync();
        return (await conn.QueryAsync<T>(sql, parameters)).ToList();
    }

    public async ValueTask DisposeAsync()
    {
        await Database.DisposeAsync();
        if (Directory.Exists(RawDirectory)) Directory.Delete(RawDirectory, recursive: true);
    }
}
