using Dapper;
using Narratives.Testing;

namespace Narratives.Core.Tests.Database;

public sealed class DapperConventionsTests
{
    public sealed record Row(long ContentItemId, string Platform, DateTime? PublishedAt, DateOnly? CampaignEnd, bool IsPaid);

    [Fact]
    public async Task Snake_case_columns_fill_a_positional_record()
    {
        var server = await PostgresServer.GetAsync();
        await using var db = await server.CreateDatabaseAsync();
        await using var conn = await db.DataSource.OpenConnectionAsync();

        var row = await conn.QuerySingleAsync<Row>("""
            SELECT 7::bigint AS content_item_id, 'x' AS platform, '2026-01-02T03:04:05Z'::timestamptz AS published_at,
                   '2026-02-01'::date AS campaign_end, true AS is_paid
            """);

        Assert.Equal(new Row(7, "x", new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc), new DateOnly(2026, 2, 1), true), row);
    }

    public sealed record ArrayRow(string[] Names, long[] Ids);

    [Fact]
    public async Task Arrays_go_in_as_parameters_and_come_back_as_typed_arrays()
    {
        var server = await PostgresServer.GetAsync();
        await using var db = await server.CreateDatabaseAsync();
        await using var conn = await db.DataSource.OpenConnectionAsync();

        var row = await conn.QuerySingleAsync<ArrayRow>(
            "SELECT @names::text[] AS names, ARRAY(SELECT x FROM unnest(@ids::bigint[]) x WHERE x = ANY(@ids)) AS ids",
            new { names = new[] { "a", "b" }, ids = new long[] { 3, 4 } });

        Assert.Equal(["a", "b"], row.Names);
        Assert.Equal([3L, 4L], row.Ids);
    }
}
