using System.Net;
using System.Text.Json;
using Narratives.Core.Database;
using Narratives.Testing;
using Narratives.Web.Tests.Browser;
using Npgsql;

namespace Narratives.Web.Tests.Health;

public sealed class HealthEndpointTests
{
    [Fact]
    public async Task Health_reports_the_database_and_schema_version_and_503_once_the_database_is_gone()
    {
        var server = await PostgresServer.GetAsync();
        var db = await server.CreateDatabaseAsync();
        await using var app = await WebAppProcess.StartAsync(db.ConnectionString);
        using var http = new HttpClient { BaseAddress = app.BaseAddress };

        var up = await http.GetAsync("health");
        using (var body = JsonDocument.Parse(await up.Content.ReadAsStringAsync()))
        {
            Assert.Equal(HttpStatusCode.OK, up.StatusCode);
            Assert.Equal("application/json", up.Content.Headers.ContentType?.MediaType);
            Assert.Equal("healthy", body.RootElement.GetProperty("status").GetString());
            var database = body.RootElement.GetProperty("database");
            Assert.Equal("up", database.GetProperty("status").GetString());
            Assert.Equal(Migrator.Embedded()[^1].Version, database.GetProperty("migrationVersion").GetInt32());
        }

        await db.DisposeAsync(); // drops the database under the running app

        var down = await http.GetAsync("health");
        using (var body = JsonDocument.Parse(await down.Content.ReadAsStringAsync()))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);
            Assert.Equal("down", body.RootElement.GetProperty("database").GetProperty("status").GetString());
            Assert.False(string.IsNullOrEmpty(body.RootElement.GetProperty("database").GetProperty("error").GetString()));
        }
    }

    [Fact]
    public async Task The_app_applies_migrations_itself_on_a_blank_configured_database_without_demo_data()
    {
        var server = await PostgresServer.GetAsync();
        await using var db = await server.CreateBlankDatabaseAsync();

        await using (var app = await WebAppProcess.StartAsync(db.ConnectionString)) { }

        await using var conn = new NpgsqlConnection(db.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT (SELECT max(version) FROM schema_migrations), (SELECT count(*) FROM initiatives), (SELECT count(*) FROM countries)", conn);
        await using var reader = await cmd.ExecuteReaderAsync();
        await reader.ReadAsync();
        Assert.Equal(Migrator.Embedded()[^1].Version, reader.GetInt32(0));
        Assert.Equal(0, reader.GetInt64(1)); // a configured database never gets demo data unless asked
        Assert.True(reader.GetInt64(2) >= 249);
    }

    [Fact]
    public async Task Asking_for_demo_data_loads_it_into_an_empty_configured_database()
    {
        var server = await PostgresServer.GetAsync();
        await using var db = await server.CreateDatabaseAsync();

        await using (var app = await WebAppProcess.StartAsync(db.ConnectionString, new Dictionary<string, string> { ["Narratives:Database:SeedDemoData"] = "true" })) { }

        await using var conn = new NpgsqlConnection(db.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT count(*) FROM initiatives WHERE is_demo", conn);
        Assert.True((long)(await cmd.ExecuteScalarAsync())! >= 40);
    }
}
