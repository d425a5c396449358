using System.CommandLine;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Narratives.Core.Database;
using Narratives.Core.LocalDatabase;
using Narratives.Ingest.Bench;
using Narratives.Ingest.Feeds;
using Narratives.Ingest.Imports;
using Narratives.Ingest.Watch;
using Npgsql;
using Spectre.Console;

namespace Narratives.Ingest.Cli;

/// <summary>
/// `dotnet run --project src/Narratives.Ingest -- COMMAND`. Exit codes: 0 done, 1 failure, 2 bad input
/// (unknown command or option, unusable file, unknown campaign), 3 imported with quarantined rows.
/// </summary>
public static class IngestCommandLine
{
    public const int Ok = 0, Failure = 1, BadInput = 2, Quarantined = 3;

    public static async Task<int> RunAsync(string[] args, TextWriter? stdout = null, TextWriter? stderr = null, IConfiguration? configuration = null)
    {
        var interactive = stdout is null && !Console.IsOutputRedirected;
        stdout ??= Console.Out;
        stderr ??= Console.Error;
        configuration ??= new ConfigurationBuilder()
            .SetBasePath(AppContext.BaseDirectory)
            .AddJsonFile("appsettings.json", optional: true)
            .AddEnvironmentVariables()
            .Build();

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

        var files = new Argument<string[]>("FILE") { Description = "Export files to import.", Arity = ArgumentArity.OneOrMore };
        var campaign = new Option<long>("--campaign") { Description = "The campaign the files belong to.", Required = true };
        var asOf = new Option<DateOnly?>("--as-of") { Description = "The date lifetime totals are as of when the file does not say (default: today)." };
        var import = new Command("import", "Import platform exports or Narratives template CSVs into a campaign.");
        import.Arguments.Add(files);
        import.Options.Add(campaign);
        import.Options.Add(asOf);
        import.Options.Add(json);
        import.SetAction(async (parse, ct) =>
        {
            await using var ingest = await IngestHost.StartAsync(configuration, ct);
            return await ImportCommand.RunAsync(ingest.Pipeline, parse.GetValue(files)!, parse.GetValue(campaign), parse.GetValue(asOf),
                parse.GetValue(json), interactive, stdout, stderr, ct);
        });

        var importId = new Argument<long>("IMPORT_ID") { Description = "The import whose kept file is imported again." };
        var replay = new Command("replay", "Import an earlier import's kept raw file again (after a parser fix); it supersedes the earlier import.");
        replay.Arguments.Add(importId);
        replay.Options.Add(asOf);
        replay.Options.Add(json);
        replay.SetAction(async (parse, ct) =>
        {
            await using var ingest = await IngestHost.StartAsync(configuration, ct);
            var earlier = await ingest.Store.FindImportAsync(parse.GetValue(importId), ct);
            if (earlier?.StoragePath is null)
            {
                await stderr.WriteLineAsync($"There is no import {parse.GetValue(importId)} with a kept file.");
                return BadInput;
            }
            var path = ingest.RawFiles.FullPathOf(earlier.StoragePath);
            if (!File.Exists(path))
            {
                await stderr.WriteLineAsync($"The kept file of import {earlier.Id} is missing from the raw file store ({earlier.StoragePath}).");
                return Failure;
            }
            var hash = Path.GetFileNameWithoutExtension(path);
            var stored = new StoredFile(Convert.FromHexString(hash), new FileInfo(path).Length, earlier.StoragePath, path);
            var report = await ingest.Pipeline.ImportStoredAsync(
                new ImportRequest(earlier.CampaignId, earlier.FileName, ImportSource.Replay, AsOf: parse.GetValue(asOf)), stored, null, ct);
            await stdout.WriteLineAsync(parse.GetValue(json) ? JsonSerializer.Serialize(report, ImportReport.Json) : $"{report.File}: {report.Message}");
            return ImportCommand.ExitCodeOf(report);
        });

        var campaigns = new Command("campaigns", "Campaigns that files can be imported into.");
        var list = new Command("list", "List the campaigns.");
        list.Options.Add(json);
        list.SetAction(async (parse, ct) =>
        {
            await using var ingest = await IngestHost.StartAsync(configuration, ct);
            var rows = await ingest.Store.ListCampaignsAsync(ct);
            if (parse.GetValue(json))
                await stdout.WriteLineAsync(JsonSerializer.Serialize(rows.Select(c => new
                {
                    id = c.Id, name = c.Name, organization_id = c.OrganizationId, organization = c.OrganizationName, status = c.Status,
                })));
            else
                foreach (var c in rows)
                    await stdout.WriteLineAsync($"{c.Id,5}  {c.Name}  ({c.OrganizationName}, {c.Status})");
            return Ok;
        });
        campaigns.Subcommands.Add(list);

        var watchDir = new Argument<string>("DIR") { Description = "The watch folder: files in DIR/inbox/<campaign id>/ are imported." };
        var once = new Option<bool>("--once") { Description = "Import what is in the inbox now and exit." };
        var watch = new Command("watch", "Import files dropped into DIR/inbox/<campaign id>/, then move them to archive/ or failed/ with their report.");
        watch.Arguments.Add(watchDir);
        watch.Options.Add(once);
        watch.SetAction(async (parse, ct) =>
        {
            await using var ingest = await IngestHost.StartAsync(configuration, ct);
            var job = new WatchFolderJob(ingest.Pipeline, parse.GetValue(watchDir)!, ingest.Logger<WatchFolderJob>());
            if (parse.GetValue(once))
            {
                var results = await job.RunOnceAsync(ct);
                foreach (var r in results) await stdout.WriteLineAsync($"{r.File}: {r.Report?.Status ?? "failed"} → {r.MovedTo}");
                return results.Any(r => r.Report is null || r.Report.Status is ImportReport.Failed) ? Failure : Ok;
            }
            await stdout.WriteLineAsync($"Watching {Path.Combine(parse.GetValue(watchDir)!, "inbox")}; Ctrl+C stops.");
            try
            {
                await job.RunAsync(TimeSpan.FromSeconds(ingest.Options.WatchIntervalSeconds), ct);
            }
            catch (OperationCanceledException)
            {
            }
            return Ok;
        });

        var feeds = new Command("feeds", "RSS and Atom feeds of campaigns.");
        var feedCampaign = new Option<long>("--campaign") { Description = "The campaign publishing the feed.", Required = true };
        var feedUrl = new Argument<string>("URL") { Description = "The feed's address (http or https)." };
        var add = new Command("add", "Add a feed to a campaign.");
        add.Arguments.Add(feedUrl);
        add.Options.Add(feedCampaign);
        add.SetAction(async (parse, ct) =>
        {
            await using var ingest = await IngestHost.StartAsync(configuration, ct);
            var url = parse.GetValue(feedUrl)!;
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            {
                await stderr.WriteLineAsync($"\"{url}\" is not an http or https address.");
                return BadInput;
            }
            if (await ingest.Store.FindCampaignAsync(parse.GetValue(feedCampaign), ct) is null)
            {
                await stderr.WriteLineAsync(new CampaignNotFoundException(parse.GetValue(feedCampaign)).Message);
                return BadInput;
            }
            var id = await ingest.Feeds.AddFeedAsync(parse.GetValue(feedCampaign), uri, ct);
            await stdout.WriteLineAsync($"Feed {id} added.");
            return Ok;
        });
        var collect = new Command("collect", "Fetch every active feed now and add its new items.");
        collect.Options.Add(json);
        collect.SetAction(async (parse, ct) =>
        {
            await using var ingest = await IngestHost.StartAsync(configuration, ct);
            var results = await ingest.Feeds.CollectAllAsync(ct);
            if (parse.GetValue(json))
                await stdout.WriteLineAsync(JsonSerializer.Serialize(results, ImportReport.Json));
            else
                foreach (var r in results) await stdout.WriteLineAsync($"{r.Url}: {r.Status}");
            return results.Any(r => r.Status.StartsWith("failed", StringComparison.Ordinal)) ? Failure : Ok;
        });
        feeds.Subcommands.Add(add);
        feeds.Subcommands.Add(collect);

        var rows = new Option<int>("--rows") { Description = "How many rows the generated export has.", DefaultValueFactory = _ => 1_000_000 };
        var bench = new Command("bench", "Measure parsing, the whole import and psql \\copy on a generated template export.");
        var rounds = new Option<int>("--rounds") { Description = "How many times the whole import and psql \\copy are measured (the medians are reported).", DefaultValueFactory = _ => 3 };
        bench.Options.Add(rows);
        bench.Options.Add(rounds);
        bench.Options.Add(json);
        bench.SetAction(async (parse, ct) =>
        {
            if (parse.GetValue(rows) < 1000 || parse.GetValue(rounds) is < 1 or > 20)
            {
                await stderr.WriteLineAsync("--rows must be at least 1,000 and --rounds between 1 and 20.");
                return BadInput;
            }
            var connection = await PrepareDatabaseAsync(configuration, ct);
            await using (connection.LocalCluster)
            {
                var result = await ImportBenchmark.RunAsync(connection.ConnectionString, parse.GetValue(rows), stdout, ct, parse.GetValue(rounds));
                if (parse.GetValue(json)) await stdout.WriteLineAsync(JsonSerializer.Serialize(result, ImportReport.Json));
                return Ok;
            }
        });

        var analyticsRows = new Option<long>("--rows") { Description = "How many daily engagement facts to generate.", DefaultValueFactory = _ => 20_000_000 };
        var repetitions = new Option<int>("--repetitions") { Description = "How many times each widget query runs on the rollups.", DefaultValueFactory = _ => 50 };
        var benchAnalytics = new Command("analytics", "Time every Overview widget query from the rollups and from the raw facts, on generated engagement facts.");
        benchAnalytics.Options.Add(analyticsRows);
        benchAnalytics.Options.Add(repetitions);
        var keep = new Option<bool>("--keep") { Description = "Keep the generated database (its name is printed) instead of dropping it." };
        benchAnalytics.Options.Add(keep);
        var existing = new Option<string?>("--database") { Description = "Time a database kept by an earlier run (--keep) again instead of generating one." };
        benchAnalytics.Options.Add(existing);
        benchAnalytics.Options.Add(json);
        benchAnalytics.SetAction(async (parse, ct) =>
        {
            if (parse.GetValue(analyticsRows) < 1000 || parse.GetValue(repetitions) < 1)
            {
                await stderr.WriteLineAsync("--rows must be at least 1,000 and --repetitions at least 1.");
                return BadInput;
            }
            if (parse.GetValue(existing) is { } name && !System.Text.RegularExpressions.Regex.IsMatch(name, "^narratives_bench_[0-9a-f]+$"))
            {
                await stderr.WriteLineAsync($"--database takes the name of a benchmark database an earlier run kept (narratives_bench_…), not '{name}'.");
                return BadInput;
            }
            var connection = await PrepareDatabaseAsync(configuration, ct);
            await using (connection.LocalCluster)
            {
                var result = await AnalyticsBenchmark.RunAsync(connection.ConnectionString, parse.GetValue(analyticsRows), parse.GetValue(repetitions), parse.GetValue(keep), parse.GetValue(existing), stdout, ct);
                if (parse.GetValue(json)) await stdout.WriteLineAsync(JsonSerializer.Serialize(result, ImportReport.Json));
                return Ok;
            }
        });
        bench.Subcommands.Add(benchAnalytics);

        var rollups = new Command("rollups", "The analytics rollups.");
        var rebuild = new Command("rebuild", "Recompute every rollup from the raw facts (after a change of definitions).");
        rebuild.Options.Add(json);
        rebuild.SetAction(async (parse, ct) =>
        {
            var connection = await PrepareDatabaseAsync(configuration, ct);
            await using (connection.LocalCluster)
            {
                await using var db = NarrativesDatabase.CreateDataSource(connection.ConnectionString);
                var sw = System.Diagnostics.Stopwatch.StartNew();
                var result = await new Narratives.Core.Analytics.RollupStore(db).RebuildAsync(ct);
                if (parse.GetValue(json))
                    await stdout.WriteLineAsync(JsonSerializer.Serialize(new { daily_rows = result.DailyRows, audience_rows = result.AudienceRows, content_rows = result.ContentRows, seconds = sw.Elapsed.TotalSeconds }));
                else
                    await stdout.WriteLineAsync($"Rebuilt the rollups in {sw.Elapsed.TotalSeconds:F1} s: {result.DailyRows:N0} daily, {result.AudienceRows:N0} audience and {result.ContentRows:N0} content rows.");
                return Ok;
            }
        });
        rollups.Subcommands.Add(rebuild);

        var root = new RootCommand("Narratives ingest jobs: bring campaign content and engagement data into Narratives.");
        root.Subcommands.Add(migrate);
        root.Subcommands.Add(import);
        root.Subcommands.Add(replay);
        root.Subcommands.Add(campaigns);
        root.Subcommands.Add(watch);
        root.Subcommands.Add(feeds);
        root.Subcommands.Add(bench);
        root.Subcommands.Add(rollups);

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

    internal static async Task<DatabaseConnection> PrepareDatabaseAsync(IConfiguration configuration, CancellationToken ct)
    {
        using var loggers = LoggerFactory.Create(b => b.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning));
        return await NarrativesDatabase.PrepareAsync(configuration, loggers, ct);
    }
}

/// <summary>The database and the ingest services for one command-line run.</summary>
sealed class IngestHost : IAsyncDisposable
{
    readonly DatabaseConnection connection;
    readonly NpgsqlDataSource db;
    readonly HttpClient http;

    IngestHost(DatabaseConnection connection, IngestOptions options)
    {
        this.connection = connection;
        Options = options;
        db = NarrativesDatabase.CreateDataSource(connection.ConnectionString);
        Store = new ImportStore(db);
        RawFiles = new RawFileStore(options);
        Pipeline = new ImportPipeline(Store, RawFiles, options, TimeProvider.System);
        http = FeedCollector.CreateHttpClient(options);
        Feeds = new FeedCollector(db, Pipeline, http, NullLogger<FeedCollector>.Instance);
    }

    public IngestOptions Options { get; }
    public ImportStore Store { get; }
    public RawFileStore RawFiles { get; }
    public ImportPipeline Pipeline { get; }
    public FeedCollector Feeds { get; }

    public ILogger<T> Logger<T>() => NullLogger<T>.Instance;

    public static async Task<IngestHost> StartAsync(IConfiguration configuration, CancellationToken ct)
    {
        var options = configuration.GetSection(IngestOptions.Section).Get<IngestOptions>() ?? new IngestOptions();
        var connection = await IngestCommandLine.PrepareDatabaseAsync(configuration, ct);
        return new IngestHost(connection, options);
    }

    public async ValueTask DisposeAsync()
    {
        http.Dispose();
        await db.DisposeAsync();
        if (connection.LocalCluster is { } cluster) await cluster.DisposeAsync();
    }
}

/// <summary>`import FILE... --campaign ID [--json]`: a progress bar on a terminal, the report as text or JSON.</summary>
static class ImportCommand
{
    public static async Task<int> RunAsync(ImportPipeline pipeline, string[] files, long campaignId, DateOnly? asOf, bool json, bool interactive,
        TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        var reports = new List<ImportReport>();
        var exit = IngestCommandLine.Ok;
        foreach (var file in files)
        {
            if (!File.Exists(file))
            {
                await stderr.WriteLineAsync($"{file}: no such file.");
                exit = Worst(exit, IngestCommandLine.BadInput);
                continue;
            }
            ImportReport report;
            try
            {
                var request = new ImportRequest(campaignId, Path.GetFileName(file), ImportSource.Cli, AsOf: asOf);
                if (interactive && !json)
                {
                    ImportReport? result = null;
                    await AnsiConsole.Progress().AutoClear(true).StartAsync(async progressContext =>
                    {
                        var task = progressContext.AddTask(Markup.Escape(Path.GetFileName(file)), maxValue: 1);
                        await using var stream = File.OpenRead(file);
                        result = await pipeline.ImportAsync(request, stream, new Progress<double>(v => task.Value = v), ct);
                        task.Value = 1;
                    });
                    report = result!;
                }
                else
                {
                    await using var stream = File.OpenRead(file);
                    report = await pipeline.ImportAsync(request, stream, null, ct);
                }
            }
            catch (CampaignNotFoundException ex)
            {
                await stderr.WriteLineAsync(ex.Message);
                return IngestCommandLine.BadInput;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                await stderr.WriteLineAsync($"{file}: the import failed and nothing was imported: {ex.Message}");
                exit = Worst(exit, IngestCommandLine.Failure);
                continue;
            }
            reports.Add(report);
            exit = Worst(exit, ExitCodeOf(report));
            if (!json) await WriteTextAsync(report, stdout);
        }
        if (json)
            await stdout.WriteLineAsync(reports.Count == 1 && files.Length == 1
                ? JsonSerializer.Serialize(reports[0], ImportReport.Json)
                : JsonSerializer.Serialize(reports, ImportReport.Json));
        return exit;
    }

    public static int ExitCodeOf(ImportReport report) => report.Status switch
    {
        ImportReport.Imported or ImportReport.Duplicate => IngestCommandLine.Ok,
        ImportReport.ImportedWithErrors => IngestCommandLine.Quarantined,
        ImportReport.Rejected => IngestCommandLine.BadInput,
        _ => IngestCommandLine.Failure,
    };

    /// <summary>Failure outranks a rejected file, which outranks quarantined rows.</summary>
    static int Worst(int a, int b)
    {
        static int Rank(int code) => code switch { IngestCommandLine.Failure => 3, IngestCommandLine.BadInput => 2, IngestCommandLine.Quarantined => 1, _ => 0 };
        return Rank(a) >= Rank(b) ? a : b;
    }

    static async Task WriteTextAsync(ImportReport r, TextWriter stdout)
    {
        await stdout.WriteLineAsync($"{r.File}: {r.Message}");
        if (r.Format is not null && r.Status is not ImportReport.Rejected)
            await stdout.WriteLineAsync($"  format {r.Format}; rows read {r.RowsRead:N0}, imported {r.RowsImported:N0}, quarantined {r.RowsQuarantined:N0}; " +
                $"{r.ContentItemsCreated:N0} new content items, {r.ContentItemsChanged:N0} changed; {r.DirtyDays.Count:N0} campaign days to roll up.");
        foreach (var e in r.Errors.Take(50))
            await stdout.WriteLineAsync($"  line {e.Line?.ToString() ?? "-"}{(e.Column is null ? "" : $", column {e.Column}")}: {e.Message}");
        if (r.Errors.Count > 50) await stdout.WriteLineAsync($"  … and {r.RowsQuarantined - 50:N0} more (see --json or the import page).");
    }
}
