using Microsoft.Extensions.Logging.Abstractions;
using Narratives.Core;
using Narratives.Core.Database;
using Narratives.Core.Demo;
using Narratives.Core.LocalDatabase;
using Narratives.Core.Reference;
using Npgsql;

namespace Narratives.Testing;

/// <summary>
/// The PostgreSQL server the tests of one test project share: the one named by NARRATIVES_TEST_DB, or a throw-away
/// cluster started with the same launcher the application uses. Tests never share a database: each one gets a fresh
/// copy of a migrated template, so they start from a known state and can run in any order and in parallel.
/// </summary>
public sealed class PostgresServer
{
    public const string EnvironmentVariable = "NARRATIVES_TEST_DB";
    const string TestClusterPrefix = "narratives-test-";

    static readonly SemaphoreSlim Gate = new(1, 1);
    static PostgresServer? instance;

    readonly string adminConnectionString;
    readonly string runId = Guid.NewGuid().ToString("N")[..8];
    readonly LocalCluster? cluster;
    readonly Dictionary<bool, string> templates = [];

    PostgresServer(string adminConnectionString, LocalCluster? cluster)
    {
        this.adminConnectionString = adminConnectionString;
        this.cluster = cluster;
    }

    public static async Task<PostgresServer> GetAsync()
    {
        if (instance is not null) return instance;
        await Gate.WaitAsync();
        try
        {
            if (instance is not null) return instance;
            DapperConventions.Apply();
            var configured = Environment.GetEnvironmentVariable(EnvironmentVariable);
            if (!string.IsNullOrWhiteSpace(configured))
            {
                instance = new PostgresServer(configured, null);
            }
            else
            {
                RemoveAbandonedClusters();
                var dir = Path.Combine(Path.GetTempPath(), $"{TestClusterPrefix}{Guid.NewGuid():N}");
                var cluster = await LocalCluster.StartAsync(new LocalClusterOptions(dir, DatabaseName: "postgres", Durable: false), NullLogger.Instance);
                instance = new PostgresServer(cluster.ConnectionString, cluster);
                AppDomain.CurrentDomain.ProcessExit += (_, _) => cluster.DestroyAsync().GetAwaiter().GetResult();
            }
            return instance;
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>
    /// Test runs stop their cluster when the test process exits, but the runner may end that process before the
    /// files are deleted: folders of earlier runs whose server is no longer running are removed here.
    /// </summary>
    static void RemoveAbandonedClusters()
    {
        foreach (var dir in Directory.EnumerateDirectories(Path.GetTempPath(), TestClusterPrefix + "*"))
        {
            if (File.Exists(Path.Combine(dir, "pgdata", "postmaster.pid"))) continue;
            if (Directory.GetLastWriteTimeUtc(dir) > DateTime.UtcNow.AddMinutes(-1)) continue; // another run may be creating it
            try { Directory.Delete(dir, recursive: true); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>The launcher's cluster when the tests started their own; null with NARRATIVES_TEST_DB.</summary>
    public LocalCluster? Cluster => cluster;

    public string ConnectionStringFor(string database) =>
        new NpgsqlConnectionStringBuilder(adminConnectionString) { Database = database, Pooling = true }.ConnectionString;

    /// <summary>A new, empty database with no migrations applied (for testing the migrator itself).</summary>
    public Task<TestDatabase> CreateBlankDatabaseAsync() => CreateFromAsync("template0");

    /// <summary>A new migrated database with the reference countries; with demo data when asked.</summary>
    public async Task<TestDatabase> CreateDatabaseAsync(bool withDemoData = false) =>
        await CreateFromAsync(await TemplateAsync(withDemoData));

    async Task<string> TemplateAsync(bool withDemoData)
    {
        await Gate.WaitAsync();
        try
        {
            if (templates.TryGetValue(withDemoData, out var existing)) return existing;
            var name = $"narratives_{runId}_template{(withDemoData ? "_demo" : "")}";
            await ExecuteAdminAsync($"CREATE DATABASE \"{name}\"");
            await using (var db = NarrativesDatabase.CreateDataSource(ConnectionStringFor(name)))
            {
                await new Migrator(db, NullLogger<Migrator>.Instance).ApplyAsync();
                await CountryReference.SyncAsync(db, CountryReference.ReadCsv());
                if (withDemoData)
                    await new DemoSeeder(db, NullLogger<DemoSeeder>.Instance).SeedAsync();
            }
            NpgsqlConnection.ClearAllPools();
            templates[withDemoData] = name;
            return name;
        }
        finally
        {
            Gate.Release();
        }
    }

    async Task<TestDatabase> CreateFromAsync(string template)
    {
        var name = $"narratives_{runId}_{Guid.NewGuid():N}"[..40];
        await ExecuteAdminAsync($"CREATE DATABASE \"{name}\" TEMPLATE \"{template}\"");
        return new TestDatabase(this, name, ConnectionStringFor(name));
    }

    internal async Task DropAsync(string name) => await ExecuteAdminAsync($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");

    async Task ExecuteAdminAsync(string sql)
    {
        await using var conn = new NpgsqlConnection(ConnectionStringFor("postgres"));
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }
}

/// <summary>One test's own database; dropped when disposed.</summary>
public sealed class TestDatabase(PostgresServer server, string name, string connectionString) : IAsyncDisposable
{
    NpgsqlDataSource? dataSource;

    public string Name => name;
    public string ConnectionString => connectionString;
    public NpgsqlDataSource DataSource => dataSource ??= NarrativesDatabase.CreateDataSource(connectionString);

    public async ValueTask DisposeAsync()
    {
        if (dataSource is not null) await dataSource.DisposeAsync();
        await server.DropAsync(name);
    }
}
