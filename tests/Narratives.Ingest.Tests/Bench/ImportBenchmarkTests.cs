using Narratives.Ingest.Bench;
using Narratives.Ingest.Formats;
using Narratives.Testing;
using Npgsql;

namespace Narratives.Ingest.Tests.Bench;

public sealed class ImportBenchmarkTests
{
    [Fact]
    public void The_generated_export_is_a_valid_template_file_with_the_rows_asked_for()
    {
        var path = Path.Combine(Path.GetTempPath(), $"narratives-bench-{Guid.NewGuid():N}.csv");
        try
        {
            ImportBenchmark.Generate(path, 1_234);

            var file = ExportReader.Open(path, new ImportContext(1, "bench.csv", new DateOnly(2026, 11, 22)));
            var items = file.Read().ToList();
            Assert.Equal("narratives_template", file.Format);
            Assert.Equal(1_234, items.Count(i => i.Row is not null));
            Assert.DoesNotContain(items, i => i.Error is not null);
            Assert.Equal(13, items.Select(i => i.Row!.ExternalId).Distinct().Count());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task A_small_run_measures_every_round_against_psql_copy_and_reports_the_medians()
    {
        var server = await PostgresServer.GetAsync();
        var output = new StringWriter();
        var before = await BenchDatabasesAsync(server);

        var result = await ImportBenchmark.RunAsync(server.ConnectionStringFor("postgres"), 2_000, output, CancellationToken.None, rounds: 2);

        Assert.Equal(2, result.Rounds!.Count);
        Assert.All(result.Rounds, r => Assert.True(r.ImportSeconds > 0 && r.CopySeconds > 0, output.ToString()));
        Assert.Equal(ImportBenchmark.Median(result.Rounds.Select(r => r.ImportSeconds)), result.ImportSeconds);
        Assert.Equal(ImportBenchmark.Median(result.Rounds.Select(r => r.Ratio!.Value)), result.ImportToCopyRatio);
        Assert.NotNull(result.KeyedCopySeconds);
        Assert.Contains("Round 2, psql \\copy: 2,000 rows", output.ToString());
        // The throw-away database is gone.
        Assert.Equal(before, await BenchDatabasesAsync(server));
    }

    static async Task<long> BenchDatabasesAsync(PostgresServer server)
    {
        await using var conn = new NpgsqlConnection(server.ConnectionStringFor("postgres"));
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT count(*) FROM pg_database WHERE datname LIKE 'narratives_bench_%'", conn);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    [Theory]
    [InlineData(new[] { 3.0 }, 3.0)]
    [InlineData(new[] { 5.0, 1.0, 3.0 }, 3.0)]
    [InlineData(new[] { 4.0, 1.0, 2.0, 3.0 }, 2.5)]
    public void The_median_is_the_middle_value_or_the_mean_of_the_two_middle_ones(double[] values, double median) =>
        Assert.Equal(median, ImportBenchmark.Median(values));
}
