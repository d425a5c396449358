using System.CommandLine;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Narratives.Core.Database;
using Narratives.Core.LocalDatabase;

namespace Narratives.Ingest.Cli;

/// <summary>
/// `dotnet run --project src/Narratives.Ingest -- COMMAND`. Exit codes: 0 done, 1 failure, 2 bad input
/// (unknown command or option, unusable file).
/// </summary>
public static class IngestCommandLine
{
    public const int Ok = 0, Failure = 1, BadInput = 2;

    public static async Task<int> RunAsync(string[] args, TextWriter? stdout = null, TextWriter? stderr = null, IConfiguration? configuration = null)
    {
        stdout ??= Console.Out;
        stderr ??= Console.Error;

        var json = new Option<bool>("--json") { Description = "Print the result as JSON." };
        var migrate = new Command("migrate", "Apply the database migrations (the embedded local database is started when no connection string is set).");
        migrate.Options.Add(json);
        migrate.SetAction(async (parse, ct) =>
        {
            var connection = await PrepareDatabaseAsync(configuration, ct);
            await using (connection.LocalCluster)
            {
                if (parse.GetValue(json))
                    await stdout.WriteLineAsync(JsonSerializer.Serialize(new
                    {
                        version = connection.Migrations.CurrentVersion,
                        applied = connection.Migrations.Applied,
                        embedded = connection.IsEmbedded,
                    }));
                else
                    await stdout.WriteLineAsync(connection.Migrations.Applied.Count == 0
                        ? $"The database is up to date at migration {connection.Migrations.CurrentVersion}."
                        : $"Applied {string.Join(", ", connection.Migrations.Applied)}; the database is at migration {connection.Migrations.CurrentVersion}.");
            }
            return Ok;
        });

        var root = new RootCommand("Narratives ingest jobs: bring campaign content and engagement data into Narratives.");
        root.Subcommands.Add(migrate);

        var parseResult = root.Parse(args);
        if (parseResult.Errors.Count > 0)
        {
            foreach (var error in parseResult.Errors)
                await stderr.WriteLineAsync(error.Message);
            await stderr.WriteLineAsync("Run with --help to see the commands and their options.");
            return BadInput;
        }
        try
        {
            return await parseResult.InvokeAsync(new InvocationConfiguration { Output = stdout, Error = stderr });
        }
        catch (Exception ex) when (ex is LocalClusterException or MigrationException or DatabaseUnavailableException)
        {
            await stderr.WriteLineAsync(ex.Message);
            return Failure;
        }
    }

    static async Task<DatabaseConnection> PrepareDatabaseAsync(IConfiguration? configuration, CancellationToken ct)
    {
        configuration ??= new ConfigurationBuilder()
            .SetBasePath(AppContext.BaseDirectory)
            .AddJsonFile("appsettings.json", optional: true)
            .AddEnvironmentVariables()
            .Build();
        using var loggers = LoggerFactory.Create(b => b.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning));
        return await NarrativesDatabase.PrepareAsync(configuration, loggers, ct);
    }
}
