using Dapper;
using Narratives.Testing;
using Npgsql;

namespace Narratives.Core.Tests.Database;

public sealed class SchemaTests
{
    [Fact]
    public async Task Engagement_facts_are_partitioned_by_month_with_the_item_and_day_key_as_their_only_index()
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
        // What every written fact has to keep up to date besides its checks: the partition's one index, the key.
        var indexes = (await conn.QueryAsync<string>("""
            SELECT am.amname || ' ' || pg_get_indexdef(x.indexrelid, 0, false) FROM pg_index x
            JOIN pg_class c ON c.oid = x.indexrelid JOIN pg_am am ON am.oid = c.relam
            WHERE x.indrelid = 'engagement_facts_2026_02'::regclass
            """)).ToList();

        Assert.Equal(3, created);
        Assert.Equal(0, again);
        Assert.Equal(["engagement_facts_2026_01", "engagement_facts_2026_02", "engagement_facts_2026_03"], partitions);
        Assert.Equal(["btree CREATE UNIQUE INDEX engagement_facts_2026_02_pkey ON public.engagement_facts_2026_02 USING btree (content_item_id, day)"], indexes);
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

    [Fact]
    public async Task The_daily_and_audience_rollups_are_split_by_month_and_get_each_month_with_the_facts()
    {
        var server = await PostgresServer.GetAsync();
        await using var db = await server.CreateDatabaseAsync();
        await using var conn = await db.DataSource.OpenConnectionAsync();

        var created = await conn.ExecuteScalarAsync<int>("SELECT ensure_engagement_partitions('2032-01-15', '2032-02-02')");
        var months = (await conn.QueryAsync<(string Parent, string Name)>("""
            SELECT p.relname, c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
            WHERE p.relname IN ('rollup_daily', 'rollup_audience') AND c.relname LIKE '%2032%' ORDER BY 1, 2
            """)).ToList();
        // A period reads only its months: the plan of a one-month query touches one month of each rollup.
        var plan = string.Join("\n", await conn.QueryAsync<string>("EXPLAIN SELECT sum(impressions) FROM rollup_daily WHERE day BETWEEN '2032-02-01' AND '2032-02-20'"));

        Assert.Equal(2, created); // the facts' months, as before
        Assert.Equal([("rollup_audience", "rollup_audience_2032_01"), ("rollup_audience", "rollup_audience_2032_02"),
            ("rollup_daily", "rollup_daily_2032_01"), ("rollup_daily", "rollup_daily_2032_02")], months);
        Assert.Contains("rollup_daily_2032_02", plan);
        Assert.DoesNotContain("rollup_daily_2032_01", plan);
    }

    [Fact]
    public async Task Splitting_the_rollups_by_month_keeps_every_row_already_rolled_up()
    {
        var server = await PostgresServer.GetAsync();
        await using var db = await server.CreateBlankDatabaseAsync();
        var migrator = new Narratives.Core.Database.Migrator(db.DataSource, Microsoft.Extensions.Logging.Abstractions.NullLogger<Narratives.Core.Database.Migrator>.Instance);
        var embedded = Narratives.Core.Database.Migrator.Embedded();
        var split = embedded.Single(m => m.Name.EndsWith("_rollups_by_month", StringComparison.Ordinal));
        await migrator.ApplyAsync(embedded.Where(m => m.Version < split.Version).ToList());
        await using var conn = await db.DataSource.OpenConnectionAsync();
        // Rollup rows as 0010 left them; the campaign they name is beside the point here.
        const long campaign = 7;
        await conn.ExecuteAsync("ALTER TABLE rollup_daily DROP CONSTRAINT rollup_daily_campaign_id_fkey; ALTER TABLE rollup_audience DROP CONSTRAINT rollup_audience_campaign_id_fkey");
        await conn.ExecuteAsync("SELECT ensure_engagement_partitions('2026-03-01', '2026-03-31')");
        await conn.ExecuteAsync("""
            INSERT INTO rollup_daily VALUES ('2026-03-04', @campaign, 'youtube', 'victims', 'en', false, 2, 100, 80, 50, 600, 5, 4, 3, 2, 1, 0, 0, 120, 300);
            INSERT INTO rollup_audience VALUES ('2026-04-09', @campaign, 'youtube', 'victims', 'youth', false, 1, 40, 30, 20, 2, 1, 1, 0, 0, 0);
            """, new { campaign });

        await migrator.ApplyAsync(embedded.Where(m => m.Version == split.Version).ToList());

        Assert.Equal(100L, await conn.ExecuteScalarAsync<long>("SELECT impressions FROM rollup_daily_2026_03 WHERE campaign_id = @campaign", new { campaign }));
        // A rollup row in a month without facts still finds its month.
        Assert.Equal(40L, await conn.ExecuteScalarAsync<long>("SELECT impressions FROM rollup_audience_2026_04 WHERE campaign_id = @campaign", new { campaign }));
        Assert.Null(await conn.ExecuteScalarAsync<string>("SELECT to_regclass('rollup_daily_unsplit')::text"));
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
