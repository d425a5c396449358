using Dapper;
using Narratives.Core.Overview;
using Narratives.Testing;

namespace Narratives.Core.Tests.Overview;

public sealed class OverviewStoreTests
{
    [Fact]
    public async Task The_summary_counts_live_records_and_sums_the_latest_days()
    {
        var server = await PostgresServer.GetAsync();
        await using var db = await server.CreateDatabaseAsync(withDemoData: true);
        await using var conn = await db.DataSource.OpenConnectionAsync();
        await conn.ExecuteAsync("UPDATE initiatives SET archived_at = now() WHERE id = (SELECT min(id) FROM initiatives)");
        var expectedImpressions = await conn.ExecuteScalarAsync<long>(
            "SELECT sum(impressions) FROM engagement_facts WHERE day > (SELECT max(day) FROM engagement_facts) - 30");
        var store = new OverviewStore(db.DataSource);

        var summary = await store.SummaryAsync(30);

        Assert.Equal(45, summary.Initiatives);
        Assert.Equal(14, summary.Campaigns);
        Assert.Equal(expectedImpressions, summary.Impressions);
        Assert.Equal(30, summary.LastDay!.Value.DayNumber - summary.FirstDay!.Value.DayNumber + 1);
        Assert.Equal(["facebook", "instagram", "tiktok", "x", "youtube"], summary.Platforms);
        Assert.True(summary.HasDemoData);
    }

    [Fact]
    public async Task An_empty_database_gives_zeros_and_no_period()
    {
        var server = await PostgresServer.GetAsync();
        await using var db = await server.CreateDatabaseAsync();
        var store = new OverviewStore(db.DataSource);

        var summary = await store.SummaryAsync(90);
        var daily = await store.DailyByPlatformAsync(90);
        var regions = await store.InitiativesByRegionAsync();

        Assert.Equal(0, summary.Initiatives);
        Assert.Equal(0, summary.Impressions);
        Assert.Null(summary.LastDay);
        Assert.Empty(summary.Platforms);
        Assert.False(summary.HasDemoData);
        Assert.Empty(daily);
        Assert.Empty(regions);
    }

    [Fact]
    public async Task Daily_figures_stay_per_platform_and_add_up_to_the_facts()
    {
        var server = await PostgresServer.GetAsync();
        await using var db = await server.CreateDatabaseAsync(withDemoData: true);
        await using var conn = await db.DataSource.OpenConnectionAsync();
        var store = new OverviewStore(db.DataSource);

        var daily = await store.DailyByPlatformAsync(7);
        var expected = await conn.QueryAsync<(string Platform, long Impressions)>("""
            SELECT platform, sum(impressions)::bigint FROM engagement_facts
            WHERE day > (SELECT max(day) FROM engagement_facts) - 7 GROUP BY platform ORDER BY platform
            """);

        Assert.Equal(7, daily.Select(d => d.Day).Distinct().Count());
        Assert.Equal(expected, daily.GroupBy(d => d.Platform).OrderBy(g => g.Key).Select(g => (g.Key, g.Sum(d => d.Impressions))));
    }

    [Fact]
    public async Task A_regional_initiative_counts_once_per_region()
    {
        var server = await PostgresServer.GetAsync();
        await using var db = await server.CreateDatabaseAsync();
        await using var conn = await db.DataSource.OpenConnectionAsync();
        await conn.ExecuteAsync("""
            INSERT INTO initiatives (name, scope, lead_organization, lead_type, status) VALUES ('Bridge', 'global', 'Org', 'academia', 'active');
            INSERT INTO initiative_countries SELECT id, unnest(ARRAY['FRA', 'BEL', 'TUN']) FROM initiatives;
            """);

        var regions = await new OverviewStore(db.DataSource).InitiativesByRegionAsync();

        Assert.Equal([new RegionCount("Africa", 1), new RegionCount("Europe", 1)], regions);
    }
}
