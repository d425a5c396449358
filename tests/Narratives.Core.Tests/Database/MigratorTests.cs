using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Narratives.Core.Database;
using Narratives.Testing;
using Npgsql;

namespace Narratives.Core.Tests.Database;

public sealed class MigratorTests
{
    static Migrator MigratorFor(TestDatabase db) => new(db.DataSource, NullLogger<Migrator>.Instance);

    [Fact]
    public async Task A_blank_database_gets_every_embedded_migration_once()
    {
        var server = await PostgresServer.GetAsync();
        await using var db = await server.CreateBlankDatabaseAsync();
        var embedded = Migrator.Embedded();

        var first = await MigratorFor(db).ApplyAsync();
        var second = await MigratorFor(db).ApplyAsync();

        Assert.Equal(embedded.Select(m => m.FileName), first.Applied);
        Assert.Empty(second.Applied);
        Assert.Equal(embedded[^1].Version, second.CurrentVersion);
        await using var conn = await db.DataSource.OpenConnectionAsync();
        Assert.Equal(embedded.Count, await conn.ExecuteScalarAsync<int>("SELECT count(*) FROM schema_migrations"));
    }

    [Fact]
    public async Task Migrations_are_numbered_without_gaps_starting_at_one()
    {
        var versions = Migrator.Embedded().Select(m => m.Version).ToList();
        Assert.Equal(Enumerable.Range(1, versions.Count), versions);
    }

    [Fact]
    public async Task A_failing_migration_names_its_file_and_the_error_and_leaves_nothing_half_done()
    {
        var server = await PostgresServer.GetAsync();
        await using var db = await server.CreateBlankDatabaseAsync();
        var broken = new Migration(1, "0001_broken", "CREATE TABLE half_done (id int);\nSELECT * FROM no_such_table;");

        var ex = await Assert.ThrowsAsync<MigrationException>(() => MigratorFor(db).ApplyAsync([broken]));

        Assert.Contains("0001_broken.sql", ex.Message);
        Assert.Contains("no_such_table", ex.Message);
        Assert.Contains("42P01", ex.Message);
        await using var conn = await db.DataSource.OpenConnectionAsync();
        Assert.Null(await conn.ExecuteScalarAsync<string?>("SELECT to_regclass('half_done')::text"));
        Assert.Equal(0, await conn.ExecuteScalarAsync<int>("SELECT count(*) FROM schema_migrations"));
    }

    [Fact]
    public async Task An_applied_migration_that_was_edited_stops_start_up()
    {
        var server = await PostgresServer.GetAsync();
        await using var db = await server.CreateBlankDatabaseAsync();
        await MigratorFor(db).ApplyAsync([new Migration(1, "0001_first", "CREATE TABLE first_table (id int);")]);

        var ex = await Assert.ThrowsAsync<MigrationException>(() =>
            MigratorFor(db).ApplyAsync([new Migration(1, "0001_first", "CREATE TABLE first_table (id bigint);")]));

        Assert.Contains("0001_first.sql", ex.Message);
        Assert.Contains("changed after it was applied", ex.Message);
    }

    [Fact]
    public async Task Programs_migrating_at_the_same_time_apply_each_migration_once()
    {
        var server = await PostgresServer.GetAsync();
        await using var db = await server.CreateBlankDatabaseAsync();

        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => MigratorFor(db).ApplyAsync()));

        Assert.Equal(Migrator.Embedded().Count, results.Sum(r => r.Applied.Count));
    }
}
