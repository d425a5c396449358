using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Narratives.Ingest.Cli;
using Narratives.Testing;

namespace Narratives.Ingest.Tests.Cli;

public sealed class IngestCommandLineTests
{
    [Fact]
    public async Task Migrate_brings_a_blank_database_to_the_latest_migration_and_reports_it_as_json()
    {
        var server = await PostgresServer.GetAsync();
        await using var db = await server.CreateBlankDatabaseAsync();
        var stdout = new StringWriter();
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection([new("ConnectionStrings:Narratives", db.ConnectionString)])
            .Build();

        var exit = await IngestCommandLine.RunAsync(["migrate", "--json"], stdout, new StringWriter(), configuration);

        Assert.Equal(IngestCommandLine.Ok, exit);
        using var report = JsonDocument.Parse(stdout.ToString());
        Assert.Equal(Core.Database.Migrator.Embedded()[^1].Version, report.RootElement.GetProperty("version").GetInt32());
        Assert.Equal("0001_initial.sql", report.RootElement.GetProperty("applied")[0].GetString());
        Assert.False(report.RootElement.GetProperty("embedded").GetBoolean());
    }

    [Theory]
    [InlineData("no-such-command")]
    [InlineData("migrate", "--no-such-option")]
    public async Task Bad_input_exits_with_code_2_and_says_what_is_wrong(params string[] args)
    {
        var stderr = new StringWriter();

        var exit = await IngestCommandLine.RunAsync(args, new StringWriter(), stderr);

        Assert.Equal(IngestCommandLine.BadInput, exit);
        Assert.Contains(args[^1], stderr.ToString());
        Assert.Contains("--help", stderr.ToString());
    }

    [Fact]
    public async Task An_unreachable_configured_database_is_a_clear_failure()
    {
        var stderr = new StringWriter();
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection([new("ConnectionStrings:Narratives", "Host=127.0.0.1;Port=1;Database=nowhere;Username=x;Password=y;Timeout=2")])
            .Build();

        var exit = await IngestCommandLine.RunAsync(["migrate"], new StringWriter(), stderr, configuration);

        Assert.Equal(IngestCommandLine.Failure, exit);
        Assert.Contains("Cannot reach the database configured in ConnectionStrings:Narratives", stderr.ToString());
        Assert.Contains("port 1", stderr.ToString());
    }
}
