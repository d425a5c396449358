using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Narratives.Core.Demo;
using Narratives.Core.LocalDatabase;
using Narratives.Core.Reference;
using Npgsql;

namespace Narratives.Core.Database;

public sealed class DatabaseOptions
{
    public const string Section = "Narratives:Database";

    /// <summary>Where the embedded PostgreSQL keeps its files when no connection string is configured.</summary>
    public string? LocalDirectory { get; set; }

    /// <summary>Load the demo dataset into an empty database. Unset: yes for the embedded database, no for a configured one.</summary>
    public bool? SeedDemoData { get; set; }
}

/// <summary>The database a program ended up with: configured, or the embedded local cluster.</summary>
public sealed record DatabaseConnection(string ConnectionString, LocalCluster? LocalCluster, MigrationResult Migrations, DemoSeedResult? DemoSeed,
    bool HasDemoData = false)
{
    public bool IsEmbedded => LocalCluster is not null;
}

public sealed class DatabaseUnavailableException(string message, Exception inner) : Exception(message, inner);

/// <summary>
/// What every Narratives program does first: find or start the database, apply migrations, sync reference data,
/// and on a new embedded database load the demo data.
/// </summary>
public static class NarrativesDatabase
{
    public const string ConnectionStringName = "Narratives";

    public static NpgsqlDataSource CreateDataSource(string connectionString)
    {
        DapperConventions.Apply();
        return new NpgsqlDataSourceBuilder(connectionString) { Name = "narratives" }.Build();
    }

    public static async Task<DatabaseConnection> PrepareAsync(IConfiguration configuration, ILoggerFactory loggers, CancellationToken ct = default)
    {
        var configured = configuration.GetConnectionString(ConnectionStringName);
        var options = configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>() ?? new DatabaseOptions();

        LocalCluster? cluster = null;
        if (string.IsNullOrWhiteSpace(configured))
        {
            var dir = options.LocalDirectory ?? DataFiles.DefaultLocalDatabaseDirectory();
            cluster = await LocalCluster.StartAsync(new LocalClusterOptions(dir), loggers.CreateLogger<LocalCluster>(), ct);
        }

        var connectionString = cluster?.ConnectionString ?? configured!;
        try
        {
            await using var db = CreateDataSource(connectionString);
            await CheckReachableAsync(db, cluster is null, ct);

            var migrations = await new Migrator(db, loggers.CreateLogger<Migrator>()).ApplyAsync(ct);
            await CountryReference.SyncAsync(db, CountryReference.ReadCsv(), ct);

            DemoSeedResult? seeded = null;
            var seedDemo = options.SeedDemoData ?? cluster is not null;
            var seeder = new DemoSeeder(db, loggers.CreateLogger<DemoSeeder>());
            if (seedDemo)
            {
                if (await seeder.IsDatabaseEmptyAsync(ct))
                    seeded = await seeder.SeedAsync(ct: ct);
                else if (options.SeedDemoData == true)
                    loggers.CreateLogger(typeof(NarrativesDatabase)).LogWarning("Demo data not loaded: the database already holds data.");
            }
            return new DatabaseConnection(connectionString, cluster, migrations, seeded, await seeder.HasDemoDataAsync(ct));
        }
        catch
        {
            if (cluster is not null) await cluster.DisposeAsync();
            throw;
        }
    }

    static async Task CheckReachableAsync(NpgsqlDataSource db, bool configured, CancellationToken ct)
    {
        try
        {
            await using var conn = await db.OpenConnectionAsync(ct);
        }
        catch (NpgsqlException ex) when (configured)
        {
            var b = new NpgsqlConnectionStringBuilder(db.ConnectionString);
            throw new DatabaseUnavailableException(
                $"Cannot reach the database configured in ConnectionStrings:{ConnectionStringName} " +
                $"(host {b.Host}, port {b.Port}, database {b.Database}, user {b.Username}): {ex.Message}. " +
                "Check the setting, or remove it to use the embedded local database.", ex);
        }
    }
}
