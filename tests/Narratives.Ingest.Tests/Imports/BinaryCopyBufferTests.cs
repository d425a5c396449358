using CsCheck;
using Dapper;
using Narratives.Ingest.Imports;

namespace Narratives.Ingest.Tests.Imports;

public sealed class BinaryCopyBufferTests
{
    sealed record Row(int I, long L, bool B, DateOnly D, DateTimeOffset T, string S, decimal N);

    static async Task<List<Row>> RoundTripAsync(IReadOnlyList<Row> rows, string numericType = "numeric")
    {
        await using var db = await IngestTestDatabase.CreateAsync();
        await using var conn = await db.DataSource.OpenConnectionAsync();
        await conn.ExecuteAsync($"CREATE TEMP TABLE t (k integer, i integer, l bigint, b boolean, d date, t timestamptz, s text, n {numericType}, x bigint)");
        using var buffer = new BinaryCopyBuffer(64);
        for (var k = 0; k < rows.Count; k++)
        {
            var r = rows[k];
            buffer.StartRow(9);
            buffer.Write(k);
            buffer.Write(r.I);
            buffer.Write(r.L);
            buffer.Write(r.B);
            buffer.Write(r.D);
            buffer.Write(r.T);
            buffer.Write(r.S);
            buffer.Write(r.N);
            buffer.WriteNull();
        }
        buffer.Finish();
        await using (var copy = await conn.BeginRawBinaryCopyAsync("COPY t FROM STDIN (FORMAT BINARY)"))
            await copy.WriteAsync(buffer.Written);
        Assert.Equal(rows.Count, await conn.ExecuteScalarAsync<int>("SELECT count(*) FROM t WHERE x IS NULL"));
        return (await conn.QueryAsync<(int I, long L, bool B, DateOnly D, DateTime T, string S, decimal N)>(
                "SELECT i, l, b, d, t, s, n FROM t ORDER BY k"))
            .Select(r => new Row(r.I, r.L, r.B, r.D, new DateTimeOffset(r.T, TimeSpan.Zero), r.S, r.N)).ToList();
    }

    [Fact]
    public async Task Values_written_in_the_binary_copy_format_read_back_unchanged()
    {
        var t = new DateTimeOffset(2026, 11, 23, 9, 30, 15, 123, TimeSpan.Zero).AddTicks(4560);
        Row[] rows =
        [
            new(0, 0, false, new DateOnly(2000, 1, 1), new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero), "", 0m),
            new(-1, long.MinValue, true, new DateOnly(1999, 12, 31), t, "Text, \"quoted\" — é ü 日本 😀", -0.01m),
            new(int.MaxValue, long.MaxValue, true, new DateOnly(2026, 2, 28), t.ToOffset(TimeSpan.FromHours(2)), new string('x', 100_000), 123456789012.34m),
            new(int.MinValue, 42, false, new DateOnly(1970, 1, 1), new DateTimeOffset(1969, 7, 20, 20, 17, 40, TimeSpan.Zero), "a", 10000m),
            new(7, 7, false, new DateOnly(2026, 12, 31), t, "b", 0.0001m),
            new(8, 8, false, new DateOnly(2026, 12, 31), t, "c", 79228162514264337593543950335m),
            new(9, 9, false, new DateOnly(2026, 12, 31), t, "d", -7.9228162514264337593543950335m),
            new(10, 10, false, new DateOnly(2026, 12, 31), t, "e", 1.50m),
        ];

        var back = await RoundTripAsync(rows);

        // timestamptz keeps microseconds: the 100-nanosecond ticks below them are dropped, as Npgsql does.
        Assert.Equal(rows.Select(r => r with { T = new DateTimeOffset(r.T.UtcTicks / 10 * 10, TimeSpan.Zero) }), back);
    }

    [Fact]
    public async Task Decimals_of_any_scale_read_back_as_postgresql_rounds_them_to_the_columns_scale()
    {
        var decimals = Gen.Select(Gen.Long, Gen.Int[0, 12], (unscaled, scale) => new decimal(unscaled) / (decimal)Math.Pow(10, scale))
            .Array[1, 50];
        await decimals.SampleAsync(async values =>
        {
            var rows = values.Select(v => new Row(0, 0, false, new DateOnly(2026, 1, 1), DateTimeOffset.UnixEpoch, "", v)).ToList();
            var back = await RoundTripAsync(rows);
            Assert.Equal(values, back.Select(r => r.N));
            var bounded = values.Where(v => Math.Abs(v) < 1e11m).ToList();
            if (bounded.Count == 0) return;
            var rounded = await RoundTripAsync(rows.Where(r => Math.Abs(r.N) < 1e11m).ToList(), "numeric(14, 2)");
            Assert.Equal(bounded.Select(v => Math.Round(v, 2, MidpointRounding.AwayFromZero)), rounded.Select(r => r.N));
        }, iter: 10, threads: 1);
    }
}
