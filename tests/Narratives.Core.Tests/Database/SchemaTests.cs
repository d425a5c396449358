using Dapper;
using Narratives.Testing;
using Npgsql;

namespace Narratives.Core.Tests.Database;

public sealed class SchemaTests
{
    [Fact]
    public async Task Engagement_facts_are_partitioned_by_month_with_a_brin_index_on_the_day()
    {
        var server = await PostgresServer.GetAsync();
        await using var db = await server.CreateDatabaseAsync();
        await using var conn = await db.DataSource.OpenConnectionAsync();

        var created = await conn.ExecuteScalarAsync<int>("SELECT ensure_engagement_partitions('2026-01-15', '2026-03-02')");
        var again = await conn.ExecuteScalarAsync<int>("SELECT ensure_engagement_partitions('2026-02-01', '2026-02-28')");
        var partitions = (await conn.QueryAsync<string>("""
            SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent = 'engagement_facts'::regclass ORDER BY 1
            """)).ToList();
        var brin = await conn.ExecuteScalarAsync<string>("""
            SELECT am.amname FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid JOIN pg_am am ON am.oid = c.relam
            WHERE c.relname = 'engagement_facts_day'
            """);

        Assert.Equal(3, created);
        Assert.Equal(0, again);
        Assert.Equal(["engagement_facts_2026_01", "engagement_facts_2026_02", "engagement_facts_2026_03"], partitions);
        Assert.Equal("brin", brin);
    }

    [Fact]
    public async Task Two_writers_needing_the_same_new_month_both_go_on_and_the_partition_is_made_once()
    {
        var server = await PostgresServer.GetAsync();
        await using var db = await server.CreateDatabaseAsync();
        await using var first = await db.DataSource.OpenConnectionAsync();
        await using var second = await db.DataSource.OpenConnectionAsync();
        await using var firstTx = await first.BeginTransactionAsync();
        await using var secondTx = await second.BeginTransactionAsync();

        var madeByFirst = await first.ExecuteScalarAsync<int>("SELECT ensure_engagement_partitions('2031-05-02', '2031-05-09')", transaction: firstTx);
        // The second waits for the first's transaction; it must not fail once the first commits.
        var secondCall = second.ExecuteScalarAsync<int>("SELECT ensure_engagement_partitions('2031-05-20', '2031-05-21')", transaction: secondTx);
        await Task.Delay(300);
        Assert.False(secondCall.IsCompleted);
        await firstTx.CommitAsync();
        var madeBySecond = await secondCall;
        await secondTx.CommitAsync();

        Assert.Equal(1, madeByFirst);
        Assert.Equal(0, madeBySecond);
        Assert.Equal(1L, await first.ExecuteScalarAsync<long>("SELECT count(*) FROM pg_class WHERE relname = 'engagement_facts_2031_05'"));
    }

    [Theory]
    [InlineData("UPDATE campaigns SET end_date = start_date - 1", "campaigns_check")]
    [InlineData("UPDATE campaigns SET budget = -5", "campaigns_budget_check")]
    [InlineData("UPDATE campaigns SET currency = 'eur'", "campaigns_currency_check")]
    [InlineData("UPDATE campaigns SET target_countries = '{FR}'", "campaigns_target_countries_check")]
    [InlineData("INSERT INTO campaign_kpis (campaign_id, metric, target, deadline) SELECT id, 'reach', 0, '2026-12-31' FROM campaigns", "campaign_kpis_target_check")]
    [InlineData("INSERT INTO outcome_measurements (campaign_id, kind, question, design, arm, sample_size, agreeing, measured_on) SELECT id, 'survey', 'q', 'pre_post', 'pre', 100, 101, '2026-10-01' FROM campaigns", "outcome_measurements_check")]
    [InlineData("UPDATE initiatives SET scope = 'local'", "initiatives_scope_check")]
    [InlineData("UPDATE initiatives SET verification = 'verified', last_verified_at = NULL", "initiatives_check")]
    [InlineData("UPDATE initiatives SET languages = '{EN}'", "initiatives_languages_check")]
    [InlineData("UPDATE content_items SET platform = 'myspace'", "content_items_platform_check")]
    public async Task The_schema_refuses_invalid_rows(string sql, string constraintPrefix)
    {
        var server = await PostgresServer.GetAsync();
        await using var db = await server.CreateDatabaseAsync(withDemoData: true);
        await using var conn = await db.DataSource.OpenConnectionAsync();

        var ex = await Assert.ThrowsAsync<PostgresException>(() => conn.ExecuteAsync(sql));

        Assert.Equal(PostgresErrorCodes.CheckViolation, ex.SqlState);
        Assert.StartsWith(constraintPrefix, ex.ConstraintName);
    }

    [Fact]
    public async Task A_negative_engagement_count_is_refused()
    {
        var server = await PostgresServer.GetAsync();
        await using var db = await server.CreateDatabaseAsync(withDemoData: true);
        await using var conn = await db.DataSource.OpenConnectionAsync();

        var ex = await Assert.ThrowsAsync<PostgresException>(() => conn.ExecuteAsync(
            "UPDATE engagement_facts SET impressions = -1 WHERE content_item_id = (SELECT min(content_item_id) FROM engagement_facts)"));

        Assert.Equal(PostgresErrorCodes.CheckViolation, ex.SqlState);
    }

    [Fact]
    public async Task Only_one_model_version_per_task_can_be_active()
    {
        var server = await PostgresServer.GetAsync();
        await using var db = await server.CreateDatabaseAsync();
        await using var conn = await db.DataSource.OpenConnectionAsync();
        const string insert = """
            INSERT INTO model_versions (task, taxonomy_version, training_data_hash, trainer, metrics, model, is_active, created_by)
            VALUES ('theme', '1', 'abc', 'sdca', '{}', '\x00', true, 'test')
            """;
        await conn.ExecuteAsync(insert);

        var ex = await Assert.ThrowsAsync<PostgresException>(() => conn.ExecuteAsync(insert));

        Assert.Equal(PostgresErrorCodes.UniqueViolation, ex.SqlState);
    }
}
