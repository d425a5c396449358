using System.Diagnostics;
using System.Globalization;
using System.Text;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Narratives.Core.Database;
using Narratives.Core.LocalDatabase;
using Narratives.Ingest.Formats;
using Narratives.Ingest.Imports;
using Npgsql;

namespace Narratives.Ingest.Bench;

public sealed record BenchResult(int Rows, long FileBytes, double ParseSeconds, double ParseRowsPerSecond, double ImportSeconds,
    double ImportRowsPerSecond, double? CopySeconds, double? CopyRowsPerSecond, double? ImportToCopyRatio, long PeakWorkingSetMb,
    long ManagedMemoryAfterParseMb, string? CopyNote, double? KeyedCopySeconds = null, double WarmUpSeconds = 0,
    IReadOnlyList<BenchRound>? Rounds = null);

/// <summary>One round: a whole import of a fresh export, then psql's \copy of the same file (null without psql).</summary>
public sealed record BenchRound(double ImportSeconds, double ImportCpuSeconds, double? CopySeconds)
{
    public double? Ratio => CopySeconds is { } c ? c / ImportSeconds : null;
}

/// <summary>
/// `bench --rows N`: generates a template export of N daily rows (one content item per 100 rows), then measures
/// parsing alone, and in rounds the whole import (raw file kept, staging COPY, merge, rollups) of a fresh export into
/// a throw-away database on the same server followed by psql's \copy of the same file into an unindexed table as the
/// reference. Each round pairs an import with a \copy run moments later, so that the ratio holds up when the
/// machine's speed drifts; the figures reported are the medians of the rounds.
/// </summary>
public static class ImportBenchmark
{
    public static async Task<BenchResult> RunAsync(string connectionString, int rows, TextWriter output, CancellationToken ct, int rounds = 3)
    {
        var work = Path.Combine(Path.GetTempPath(), $"narratives-bench-{Guid.NewGuid():N}");
        Directory.CreateDirectory(work);
        var dbName = $"narratives_bench_{Guid.NewGuid():N}"[..30];
        var admin = new NpgsqlConnectionStringBuilder(connectionString) { Database = "postgres", Pooling = false };
        var benchCs = new NpgsqlConnectionStringBuilder(connectionString) { Database = dbName };
        try
        {
            var file = Path.Combine(work, "bench-1.csv");
            await output.WriteLineAsync($"Generating a template export of {rows:N0} rows…");
            Generate(file, rows, "bench-1-");
            var bytes = new FileInfo(file).Length;

            var context = new ImportContext(1, "bench.csv", new DateOnly(2026, 11, 22));
            var sw = Stopwatch.StartNew();
            var parsed = ExportReader.Open(file, context);
            var good = 0;
            foreach (var item in parsed.Read()) if (item.Row is not null) good++;
            var parseSeconds = sw.Elapsed.TotalSeconds;
            var managedAfterParse = GC.GetTotalMemory(false) / (1024 * 1024);
            await output.WriteLineAsync($"Parsing: {good:N0} rows in {parseSeconds:F2} s = {good / parseSeconds:N0} rows/s");

            await using (var conn = new NpgsqlConnection(admin.ConnectionString))
            {
                await conn.OpenAsync(ct);
                await conn.ExecuteAsync($"CREATE DATABASE \"{dbName}\"");
            }
            await using var db = NarrativesDatabase.CreateDataSource(benchCs.ConnectionString);
            await new Migrator(db, NullLogger<Migrator>.Instance).ApplyAsync(ct);
            long campaignId;
            await using (var conn = await db.OpenConnectionAsync(ct))
                campaignId = await conn.ExecuteScalarAsync<long>("""
                    WITH o AS (INSERT INTO organizations (name, kind) VALUES ('Benchmark', 'civil_society') RETURNING id),
                    i AS (INSERT INTO initiatives (name, scope, lead_organization, lead_type, status)
                          VALUES ('Benchmark', 'global', 'Benchmark', 'civil_society', 'active') RETURNING id)
                    INSERT INTO campaigns (initiative_id, organization_id, name) SELECT i.id, o.id, 'Benchmark' FROM i, o RETURNING id
                    """);

            var options = new IngestOptions { RawFileDirectory = Path.Combine(work, "raw") };
            var showSteps = true;
            var store = new ImportStore(db) { StepTimings = (step, took) => { if (showSteps) output.WriteLine($"  {step}: {took.TotalSeconds:F2} s"); } };
            var pipeline = new ImportPipeline(store, new RawFileStore(options), options, TimeProvider.System);

            // A first, small import of other posts, left out of the rates: the process compiles the import's code and
            // the pooled connections fill their caches, as in a dashboard or watch folder that has imported before.
            var warmUpRows = Math.Clamp(rows / 50, 1_000, 20_000);
            var warmUpFile = Path.Combine(work, "warm-up.csv");
            Generate(warmUpFile, warmUpRows, "warm-up-");
            showSteps = false;
            sw.Restart();
            await ImportAsync(pipeline, campaignId, warmUpFile, warmUpRows, ct);
            var warmUpSeconds = sw.Elapsed.TotalSeconds;
            await output.WriteLineAsync($"Warm-up import (other posts, not counted): {warmUpRows:N0} rows in {warmUpSeconds:F2} s");

            var psql = FindPsql();
            var columns = string.Join(", ", TemplateFormat.Columns.Select(c => $"{c} {ColumnType(c)}"));
            var results = new List<BenchRound>();
            for (var round = 1; round <= rounds; round++)
            {
                if (round > 1)
                {
                    // Each round imports new posts: the same file again would be recognised and change nothing.
                    File.Delete(file);
                    file = Path.Combine(work, $"bench-{round}.csv");
                    Generate(file, rows, $"bench-{round}-");
                }
                showSteps = round == 1;
                await SettleAsync(db, ct);
                var cpu = Process.GetCurrentProcess().TotalProcessorTime;
                sw.Restart();
                var report = await ImportAsync(pipeline, campaignId, file, rows, ct);
                var importSeconds = sw.Elapsed.TotalSeconds;
                var importCpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
                await output.WriteLineAsync($"Round {round}, whole import: {rows:N0} rows in {importSeconds:F2} s = {rows / importSeconds:N0} rows/s ({report.DirtyDays.Count} campaign days marked for rollup; {importCpu:F2} s of this process's CPU)");

                double? copySeconds = null;
                if (psql is not null)
                {
                    await using (var conn = await db.OpenConnectionAsync(ct))
                        await conn.ExecuteAsync($"DROP TABLE IF EXISTS bench_copy; CREATE TABLE bench_copy ({columns})");
                    await SettleAsync(db, ct);
                    copySeconds = await RunPsqlCopyAsync(psql, benchCs, "bench_copy", file, ct);
                    await output.WriteLineAsync($"Round {round}, psql \\copy: {rows:N0} rows in {copySeconds:F2} s = {rows / copySeconds:N0} rows/s; the whole import ran at {copySeconds / importSeconds:P0} of that rate");
                }
                results.Add(new BenchRound(importSeconds, importCpu, copySeconds));
            }

            double? keyedCopySeconds = null;
            string note;
            if (psql is null)
            {
                note = "psql was not found; the \\copy reference was not measured.";
            }
            else
            {
                note = "psql \\copy into a plain table without indexes or constraints";
                // A second reference: the same rows into a table keyed as the facts are (item and day), which any
                // import that can be repeated without counting twice has to keep up to date.
                await using (var conn = await db.OpenConnectionAsync(ct))
                    await conn.ExecuteAsync($"CREATE TABLE bench_copy_keyed ({columns}, PRIMARY KEY (platform, external_id, date))");
                await SettleAsync(db, ct);
                keyedCopySeconds = await RunPsqlCopyAsync(psql, benchCs, "bench_copy_keyed", file, ct);
                await output.WriteLineAsync($"psql \\copy into a table with a primary key on item and day: {keyedCopySeconds:F2} s = {rows / keyedCopySeconds:N0} rows/s; the whole import (median) runs at {keyedCopySeconds / Median(results.Select(r => r.ImportSeconds)):P0} of that rate");
            }

            var import = Median(results.Select(r => r.ImportSeconds));
            double? copy = psql is null ? null : Median(results.Select(r => r.CopySeconds!.Value));
            double? ratio = psql is null ? null : Median(results.Select(r => r.Ratio!.Value));
            var peak = Process.GetCurrentProcess().PeakWorkingSet64 / (1024 * 1024);
            var result = new BenchResult(rows, bytes, parseSeconds, good / parseSeconds, import, rows / import,
                copy, copy is { } c ? rows / c : null, ratio, peak, managedAfterParse, note, keyedCopySeconds, warmUpSeconds, results);
            await output.WriteLineAsync($"File {bytes / (1024.0 * 1024):F0} MB; peak working set {peak} MB. Median of {rounds} rounds: whole import {import:F2} s = {rows / import:N0} rows/s" +
                (ratio is { } r ? $", psql \\copy {copy:F2} s; the whole import runs at {r:P0} of the \\copy rate (the median of the rounds' ratios)." : "."));
            return result;
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await using (var conn = new NpgsqlConnection(admin.ConnectionString))
            {
                await conn.OpenAsync(CancellationToken.None);
                await conn.ExecuteAsync($"DROP DATABASE IF EXISTS \"{dbName}\" WITH (FORCE)");
            }
            Directory.Delete(work, recursive: true);
        }
    }

    static async Task<ImportReport> ImportAsync(ImportPipeline pipeline, long campaignId, string file, int rows, CancellationToken ct)
    {
        ImportReport report;
        await using (var stream = File.OpenRead(file))
            report = await pipeline.ImportAsync(new ImportRequest(campaignId, Path.GetFileName(file), ImportSource.Cli), stream, null, ct);
        if (report.RowsImported != rows) throw new InvalidOperationException($"The benchmark import stored {report.RowsImported} rows, not {rows}: {report.Message}");
        return report;
    }

    /// <summary>
    /// Writes out what the last step left in the server's buffers, and the operating system's, before the next is
    /// timed, so that neither the import nor \\copy pays for the other's writes. Without the right to checkpoint (a
    /// configured server's ordinary account) it only asks the operating system.
    /// </summary>
    static async Task SettleAsync(NpgsqlDataSource db, CancellationToken ct)
    {
        await using (var conn = await db.OpenConnectionAsync(ct))
        {
            try
            {
                await conn.ExecuteAsync(new CommandDefinition("CHECKPOINT", commandTimeout: 0, commandType: System.Data.CommandType.Text, cancellationToken: ct));
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InsufficientPrivilege)
            {
            }
        }
        if (!OperatingSystem.IsWindows())
        {
            try
            {
                using var sync = Process.Start(new ProcessStartInfo("sync") { UseShellExecute = false });
                if (sync is not null) await sync.WaitForExitAsync(ct);
            }
            catch (System.ComponentModel.Win32Exception)
            {
                // No sync command: the kernel writes back on its own.
            }
        }
    }

    internal static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0) throw new ArgumentException("No values.", nameof(values));
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    static string ColumnType(string column) => column switch
    {
        "duration_seconds" => "integer",
        "published_at" => "timestamptz",
        "date" or "period_start" => "date",
        "spend" => "numeric(14,2)",
        "impressions" or "reach" or "views" or "watch_seconds" or "reactions" or "comments" or "shares" or "clicks" or "saves" or "follows" => "bigint",
        _ => "text",
    };

    /// <summary>Daily rows for N/100 posts over 100 days, written with the quirks a real export has (quotes, commas).</summary>
    public static void Generate(string path, int rows, string idPrefix = "bench-")
    {
        using var w = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 16);
        w.WriteLine(string.Join(',', TemplateFormat.Columns));
        var random = new Random(2354);
        var start = new DateOnly(2026, 1, 1);
        var sb = new StringBuilder(256);
        for (var i = 0; i < rows; i++)
        {
            var item = i / 100;
            var day = start.AddDays(i % 100);
            sb.Clear();
            sb.Append("facebook,").Append(idPrefix).Append(item).Append(",\"Post ").Append(item).Append(", a title\",\"Text of post ").Append(item)
              .Append("\",https://www.facebook.com/bench/posts/").Append(item).Append(",2026-01-01T09:00:00Z,en,,daily,")
              .Append(day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).Append(',');
            for (var m = 0; m < 10; m++) sb.Append(',').Append(random.Next(0, 5000));
            sb.Append(',').Append((random.Next(0, 10000) / 100m).ToString(CultureInfo.InvariantCulture));
            w.WriteLine(sb);
        }
    }

    static string? FindPsql()
    {
        try
        {
            var dir = PostgresBinaries.Find();
            var psql = Path.Combine(dir, "psql");
            if (File.Exists(psql)) return psql;
        }
        catch (LocalClusterException)
        {
        }
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
            if (File.Exists(Path.Combine(dir, "psql"))) return Path.Combine(dir, "psql");
        return null;
    }

    static async Task<double> RunPsqlCopyAsync(string psql, NpgsqlConnectionStringBuilder cs, string table, string file, CancellationToken ct)
    {
        var start = new ProcessStartInfo(psql)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-X");
        start.ArgumentList.Add("-v");
        start.ArgumentList.Add("ON_ERROR_STOP=1");
        start.ArgumentList.Add("-h");
        start.ArgumentList.Add(cs.Host!);
        start.ArgumentList.Add("-p");
        start.ArgumentList.Add(cs.Port.ToString(CultureInfo.InvariantCulture));
        start.ArgumentList.Add("-U");
        start.ArgumentList.Add(cs.Username!);
        start.ArgumentList.Add("-d");
        start.ArgumentList.Add(cs.Database!);
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add($"\\copy {table} FROM '{file.Replace("'", "''")}' WITH (FORMAT csv, HEADER true)");
        if (cs.Password is { } password) start.Environment["PGPASSWORD"] = password;
        var sw = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync(ct);
        await process.StandardOutput.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        var seconds = sw.Elapsed.TotalSeconds;
        if (process.ExitCode != 0) throw new InvalidOperationException($"psql \\copy failed: {await stderr}");
        return seconds;
    }
}
