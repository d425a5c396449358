using System.Diagnostics;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Narratives.Core.Analytics;
using Narratives.Core.Campaigns;
using Narratives.Core.Database;
using Npgsql;

namespace Narratives.Ingest.Bench;

public sealed record WidgetTiming(string Widget, double RollupP50Ms, double RollupP95Ms, double RawP50Ms, double RawP95Ms, double Ratio);

public sealed record AnalyticsBenchResult(long Facts, int ContentItems, int Campaigns, double GenerateSeconds, double RebuildSeconds,
    long RollupRows, IReadOnlyList<WidgetTiming> Widgets);

/// <summary>
/// `bench analytics --rows N`: generates N daily engagement facts (a year of days over enough content items, spread
/// over 200 campaigns, every platform, theme, audience and language) in a throw-away database on the same server,
/// builds the rollups, then times every Overview widget query (staff, the latest 90 days) from the rollups and the
/// same query from the raw facts, and reports p50/p95 and their ratio. Times are measured at the client on the same
/// machine, so they include handing the rows over.
/// </summary>
public static class AnalyticsBenchmark
{
    const int Days = 365, Campaigns = 200;

    /// <param name="keep">Leave the generated database in place (its name is printed), for example to open the dashboard on it.</param>
    public static async Task<AnalyticsBenchResult> RunAsync(string connectionString, long rows, int repetitions, bool keep, TextWriter output,
        CancellationToken ct)
    {
        var dbName = $"narratives_bench_{Guid.NewGuid():N}"[..30];
        var admin = new NpgsqlConnectionStringBuilder(connectionString) { Database = "postgres", Pooling = false };
        var benchCs = new NpgsqlConnectionStringBuilder(connectionString) { Database = dbName, CommandTimeout = 0 };
        await using (var conn = new NpgsqlConnection(admin.ConnectionString))
        {
            await conn.OpenAsync(ct);
            await conn.ExecuteAsync($"CREATE DATABASE \"{dbName}\"");
        }
        try
        {
            await using var db = NarrativesDatabase.CreateDataSource(benchCs.ConnectionString);
            await new Migrator(db, NullLogger<Migrator>.Instance).ApplyAsync(ct);
            var items = (int)Math.Ceiling(rows / (double)Days);
            await output.WriteLineAsync($"Generating {rows:N0} daily facts: {items:N0} content items × {Days} days over {Campaigns} campaigns…");
            var sw = Stopwatch.StartNew();
            await GenerateAsync(db, rows, items, ct);
            var generateSeconds = sw.Elapsed.TotalSeconds;
            await output.WriteLineAsync($"  generated in {generateSeconds:F1} s");

            sw.Restart();
            var rebuild = await new RollupStore(db).RebuildAsync(ct);
            var rebuildSeconds = sw.Elapsed.TotalSeconds;
            var rollupRows = rebuild.DailyRows + rebuild.AudienceRows + rebuild.ContentRows;
            await output.WriteLineAsync($"Rollups built in {rebuildSeconds:F1} s: {rebuild.DailyRows:N0} daily, {rebuild.AudienceRows:N0} audience, {rebuild.ContentRows:N0} content rows");
            await using (var conn = await db.OpenConnectionAsync(ct)) await conn.ExecuteAsync("VACUUM ANALYZE");

            var store = new AnalyticsStore(db);
            var last = (await store.LastDayAsync(ct))!.Value;
            var filter = new AnalyticsFilter(last.AddDays(-89), last);
            var staff = new CampaignViewer(true, null);
            (string Name, Func<bool, Task> Run)[] widgets =
            [
                ("KPI totals", raw => store.TotalsAsync(filter, staff, raw, ct)),
                ("KPI totals, previous period", raw => store.TotalsAsync(filter.Previous(), staff, raw, ct)),
                ("Reach and engagement per day and platform", raw => store.BreakdownAsync(filter, staff, Dimension.Day, Dimension.Platform, raw, ct)),
                ("Engagement rate by theme", raw => store.BreakdownAsync(filter, staff, Dimension.Theme, fromRawFacts: raw, ct: ct)),
                ("Theme × audience heatmap", raw => store.BreakdownAsync(filter, staff, Dimension.Theme, Dimension.Audience, raw, ct)),
                ("Platform mix", raw => store.BreakdownAsync(filter, staff, Dimension.Platform, fromRawFacts: raw, ct: ct)),
                ("Top content", raw => store.TopContentAsync(filter, staff, 10, raw, ct)),
            ];
            var timings = new List<WidgetTiming>();
            foreach (var (name, run) in widgets)
            {
                await run(false); // warm the plan and cache once
                var fromRollups = await TimeAsync(() => run(false), repetitions);
                var fromFacts = await TimeAsync(() => run(true), Math.Max(3, repetitions / 10));
                var timing = new WidgetTiming(name, Percentile(fromRollups, 50), Percentile(fromRollups, 95), Percentile(fromFacts, 50), Percentile(fromFacts, 95),
                    Percentile(fromFacts, 50) / Math.Max(Percentile(fromRollups, 50), 0.001));
                timings.Add(timing);
                await output.WriteLineAsync($"{name}: rollups p50 {timing.RollupP50Ms:F1} ms, p95 {timing.RollupP95Ms:F1} ms; raw facts p50 {timing.RawP50Ms:F0} ms, p95 {timing.RawP95Ms:F0} ms; {timing.Ratio:F0}× faster");
            }
            return new AnalyticsBenchResult(rows, items, Campaigns, generateSeconds, rebuildSeconds, rollupRows, timings);
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            if (keep) await output.WriteLineAsync($"The generated database is kept: {dbName}");
            else await DropAsync(admin.ConnectionString, dbName);
        }
    }

    static async Task DropAsync(string adminConnectionString, string dbName)
    {
        await using var conn = new NpgsqlConnection(adminConnectionString);
        await conn.OpenAsync(CancellationToken.None);
        await conn.ExecuteAsync($"DROP DATABASE IF EXISTS \"{dbName}\" WITH (FORCE)");
    }

    static async Task<List<double>> TimeAsync(Func<Task> run, int times)
    {
        var list = new List<double>(times);
        for (var i = 0; i < times; i++)
        {
            var sw = Stopwatch.StartNew();
            await run();
            list.Add(sw.Elapsed.TotalMilliseconds);
        }
        return list;
    }

    static double Percentile(List<double> values, int p)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Clamp((int)Math.Ceiling(p / 100.0 * sorted.Count) - 1, 0, sorted.Count - 1)];
    }

    /// <summary>Everything is generated by the server itself (generate_series), deterministically from the row numbers.</summary>
    static async Task GenerateAsync(NpgsqlDataSource db, long rows, int items, CancellationToken ct)
    {
        const string setup = """
            INSERT INTO organizations (name, kind) VALUES ('Benchmark partner', 'civil_society');
            INSERT INTO initiatives (name, scope, lead_organization, lead_type, status, themes, audiences)
            SELECT 'Benchmark initiative ' || n, 'national', 'Benchmark partner', 'civil_society', 'active', '{}', '{}' FROM generate_series(1, 40) n;
            INSERT INTO initiative_countries (initiative_id, country)
            SELECT i.id, c.alpha3 FROM initiatives i
            JOIN LATERAL (SELECT alpha3 FROM countries ORDER BY alpha3 OFFSET (i.id * 7) % 240 LIMIT 1) c ON true;
            INSERT INTO campaigns (initiative_id, organization_id, name, status, is_published, start_date)
            SELECT (SELECT min(id) FROM initiatives) + (n % 40), (SELECT min(id) FROM organizations WHERE name = 'Benchmark partner'),
                   'Benchmark campaign ' || n, 'running', true, DATE '2025-11-23'
            FROM generate_series(1, @campaigns) n;
            INSERT INTO content_items (campaign_id, platform, external_id, text, language, published_at, source, reviewed_theme, reviewed_audiences, reviewed_at, duration_seconds)
            SELECT (SELECT min(id) FROM campaigns) + (n % @campaigns),
                   (ARRAY['facebook','instagram','youtube','x','tiktok','meta_ads'])[1 + n % 6],
                   'bench-' || n, 'Benchmark item ' || n, (ARRAY['ar','fr','en'])[1 + n % 3], TIMESTAMPTZ '2025-11-23', 'import',
                   (ARRAY['rebuttal','alternative','grievance','religious','victims','formers','literacy','dialogue'])[1 + n % 8],
                   ARRAY[(ARRAY['youth','women','families','religious','educators','at-risk-online','prisons','returnees','diaspora','general'])[1 + n % 10],
                         (ARRAY['general','youth','families'])[1 + n % 3]],
                   now(), CASE WHEN n % 6 = 2 THEN 60 + n % 240 END
            FROM generate_series(1, @items) n;
            SELECT ensure_engagement_partitions(DATE '2025-11-23', DATE '2026-11-22');
            """;
        const string facts = """
            INSERT INTO engagement_facts (content_item_id, day, platform, impressions, reach, views, watch_seconds, reactions, comments, shares, clicks, saves, spend, import_id)
            SELECT ci.id, DATE '2025-11-23' + d, ci.platform,
                   h % 5000 + 100, h % 3000 + 50, CASE WHEN ci.platform IN ('youtube','tiktok') THEN h % 2000 END,
                   CASE WHEN ci.platform IN ('youtube','tiktok') THEN h % 40000 END,
                   h % 150, h % 20, h % 30, h % 60, h % 10, CASE WHEN ci.platform = 'meta_ads' THEN (h % 900) / 100.0 END, NULL
            FROM content_items ci
            CROSS JOIN generate_series(0, @days - 1) d
            CROSS JOIN LATERAL (SELECT abs(hashint8(ci.id * 1000 + d)) AS h) x
            WHERE ci.id >= @from AND ci.id < @to AND (ci.id - @first) * @days + d < @rows
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition(setup, new { campaigns = Campaigns, items }, cancellationToken: ct, commandTimeout: 0));
        var first = await conn.ExecuteScalarAsync<long>(new CommandDefinition("SELECT min(id) FROM content_items", cancellationToken: ct));
        // In slices, so that one statement's memory stays small.
        for (var from = first; from < first + items; from += 5000)
            await conn.ExecuteAsync(new CommandDefinition(facts, new { from, to = from + 5000, first, days = Days, rows }, cancellationToken: ct, commandTimeout: 0));
    }
}
