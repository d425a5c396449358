using Dapper;
using Narratives.Core.Analytics;
using Narratives.Core.Campaigns;
using Narratives.Testing;
using Npgsql;

namespace Narratives.Core.Tests.Analytics;

public sealed class RollupTests
{
    static async Task<string> SnapshotAsync(NpgsqlConnection conn)
    {
        const string sql = """
            SELECT string_agg(t::text, E'\n' ORDER BY t::text) FROM (
                SELECT 'd' AS k, day, campaign_id, platform, theme, language, is_paid, items, impressions, reach, views, watch_seconds, reactions,
                       comments, shares, clicks, saves, follows, spend, view_duration_seconds, timed_watch_seconds, NULL::text AS audience, NULL::bigint AS content
                FROM rollup_daily
                UNION ALL
                SELECT 'a', day, campaign_id, platform, theme, '', is_paid, items, impressions, reach, views, 0, reactions, comments, shares, clicks,
                       saves, 0, spend, 0, 0, audience, NULL FROM rollup_audience
                UNION ALL
                SELECT 'c', month, campaign_id, platform, '', '', false, 0, impressions, reach, views, 0, engagements, 0, 0, 0, 0, 0, 0, 0, 0, NULL, content_item_id
                FROM rollup_content_monthly
                UNION ALL
                SELECT 'r', NULL, campaign_id, platform, impressions::text, engagements::text, false, first_month, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                       months::text, content_item_id
                FROM rollup_content_running) t
            """;
        return await conn.ExecuteScalarAsync<string>(sql) ?? "";
    }

    [Fact]
    public async Task Incremental_refreshes_after_generated_imports_equal_a_full_rebuild()
    {
        await using var db = await (await PostgresServer.GetAsync()).CreateDatabaseAsync(withDemoData: true);
        var rollups = new RollupStore(db.DataSource);
        await using var conn = await db.DataSource.OpenConnectionAsync();
        var items = (await conn.QueryAsync<(long Id, long CampaignId, string Platform)>("SELECT id, campaign_id, platform FROM content_items ORDER BY id")).AsList();
        var random = new Random(2354);

        for (var round = 0; round < 5; round++)
        {
            // An "import": new and changed daily figures for a handful of items, then a relabelled item.
            var changed = new List<(long Item, long Campaign, DateOnly Day)>();
            foreach (var (id, campaign, platform) in items.OrderBy(_ => random.Next()).Take(6))
            {
                var day = new DateOnly(2026, 6, 1).AddDays(random.Next(0, 200));
                await conn.ExecuteAsync("SELECT ensure_engagement_partitions(@day, @day)", new { day });
                await conn.ExecuteAsync("""
                    INSERT INTO engagement_facts (content_item_id, day, platform, impressions, reach, views, reactions, comments, shares, clicks, saves, spend)
                    VALUES (@id, @day, @platform, @n * 10, @n * 4, @n, @n, 1, 2, 3, 0, CASE WHEN @paid THEN 1.50 END)
                    ON CONFLICT (content_item_id, day) DO UPDATE SET impressions = excluded.impressions, reach = excluded.reach, reactions = excluded.reactions, spend = excluded.spend
                    """, new { id, day, platform, n = random.Next(1, 5000), paid = random.Next(2) == 0 });
                changed.Add((id, campaign, day));
            }
            var relabelled = items[random.Next(items.Count)];
            await conn.ExecuteAsync("UPDATE content_items SET reviewed_theme = 'dialogue', reviewed_audiences = '{women,general}', reviewed_at = now() WHERE id = @Id", new { relabelled.Id });
            var relabelledDays = (await conn.QueryAsync<DateOnly>("SELECT day FROM engagement_facts WHERE content_item_id = @Id", new { relabelled.Id })).AsList();

            await rollups.RefreshAsync(changed.Select(c => new CampaignDays(c.Campaign, [c.Day]))
                .Append(new CampaignDays(relabelled.CampaignId, relabelledDays)).ToList());
        }
        var incremental = await SnapshotAsync(conn);
        await rollups.RebuildAsync();
        var full = await SnapshotAsync(conn);

        Assert.NotEmpty(incremental);
        Assert.Equal(full, incremental);
    }

    [Fact]
    public async Task A_rebuild_reports_how_many_rows_each_rollup_holds()
    {
        await using var db = await (await PostgresServer.GetAsync()).CreateDatabaseAsync(withDemoData: true);
        var result = await new RollupStore(db.DataSource).RebuildAsync();
        await using var conn = await db.DataSource.OpenConnectionAsync();
        var counts = await conn.QuerySingleAsync<(long, long, long)>(
            "SELECT (SELECT count(*) FROM rollup_daily), (SELECT count(*) FROM rollup_audience), (SELECT count(*) FROM rollup_content_monthly)");

        Assert.True(result.DailyRows > 0);
        Assert.Equal(counts, (result.DailyRows, result.AudienceRows, result.ContentRows));
    }

    [Fact]
    public async Task Figures_from_the_rollups_equal_the_same_figures_from_the_raw_facts()
    {
        await using var db = await (await PostgresServer.GetAsync()).CreateDatabaseAsync(withDemoData: true);
        var store = new AnalyticsStore(db.DataSource);
        var last = (await store.LastDayAsync())!.Value;
        var filter = new AnalyticsFilter(last.AddDays(-89), last);
        var staff = new CampaignViewer(true, null);

        foreach (var (by, then) in new[] { (Dimension.Day, Dimension.Platform), (Dimension.Theme, Dimension.Audience), (Dimension.Region, Dimension.None), (Dimension.Campaign, Dimension.Language) })
        {
            var fromRollups = await store.BreakdownAsync(filter, staff, by, then);
            var fromFacts = await store.BreakdownAsync(filter, staff, by, then, fromRawFacts: true);
            Assert.NotEmpty(fromRollups);
            Assert.Equal(fromFacts, fromRollups);
        }
        await AssertSameTopContentAsync(store, filter, staff);

        await using var conn = await db.DataSource.OpenConnectionAsync();
        var impressions = await conn.ExecuteScalarAsync<long>("SELECT sum(impressions) FROM engagement_facts WHERE day BETWEEN @From AND @To", new { filter.From, filter.To });
        Assert.Equal(impressions, (await store.TotalsAsync(filter, staff)).Impressions);
    }

    static async Task AssertSameTopContentAsync(AnalyticsStore store, AnalyticsFilter filter, CampaignViewer viewer, int count = 10)
    {
        var fromFacts = (await store.TopContentAsync(filter, viewer, count, fromRawFacts: true)).Select(t => (t.Id, t.Impressions, t.Engagements, string.Join(",", t.Audiences))).ToList();
        var fromRollups = (await store.TopContentAsync(filter, viewer, count)).Select(t => (t.Id, t.Impressions, t.Engagements, string.Join(",", t.Audiences))).ToList();
        Assert.Equal(fromFacts, fromRollups);
    }

    [Fact]
    public async Task Top_content_from_running_totals_equals_the_sums_of_the_raw_facts_for_any_period_and_filter()
    {
        await using var db = await (await PostgresServer.GetAsync()).CreateDatabaseAsync(withDemoData: true);
        var store = new AnalyticsStore(db.DataSource);
        await using var conn = await db.DataSource.OpenConnectionAsync();
        // A gap of months for one item: its running totals carry over, and a period inside the gap has no figures for it.
        var (item, platform) = await conn.QuerySingleAsync<(long, string)>("SELECT id, platform FROM content_items WHERE campaign_id IN (SELECT id FROM campaigns WHERE is_published) ORDER BY id LIMIT 1");
        foreach (var day in new[] { new DateOnly(2025, 1, 15), new DateOnly(2025, 6, 3) })
        {
            await conn.ExecuteAsync("SELECT ensure_engagement_partitions(@day, @day)", new { day });
            await conn.ExecuteAsync("INSERT INTO engagement_facts (content_item_id, day, platform, impressions, reactions) VALUES (@item, @day, @platform, 5000, 4000) ON CONFLICT DO NOTHING",
                new { item, day, platform });
        }
        await new RollupStore(db.DataSource).RebuildAsync();
        var last = (await store.LastDayAsync())!.Value;
        var staff = new CampaignViewer(true, null);
        var owner = await conn.ExecuteScalarAsync<long>("SELECT organization_id FROM campaigns WHERE NOT is_published ORDER BY id LIMIT 1");

        AnalyticsFilter[] filters =
        [
            new(last.AddDays(-89), last),
            new(last.AddDays(-364), last),
            new(new DateOnly(2025, 1, 20), new DateOnly(2025, 1, 31)),
            new(new DateOnly(2025, 2, 1), new DateOnly(2025, 5, 31)),
            new(new DateOnly(2025, 3, 1), new DateOnly(2025, 8, 31)),
            new(new DateOnly(2020, 1, 1), new DateOnly(2020, 12, 31)),
            new(last.AddDays(-89), last) { Platform = platform },
            new(last.AddDays(-89), last) { Theme = "victims" },
            new(last.AddDays(-89), last) { Language = "fr", Audience = "youth" },
        ];
        foreach (var filter in filters)
        {
            await AssertSameTopContentAsync(store, filter, staff, 25);
            await AssertSameTopContentAsync(store, filter, CampaignViewer.Public);
            await AssertSameTopContentAsync(store, filter, new CampaignViewer(false, owner));
        }
        var gap = await store.TopContentAsync(new AnalyticsFilter(new DateOnly(2025, 2, 1), new DateOnly(2025, 5, 31)), staff);
        Assert.DoesNotContain(gap, t => t.Id == item);
        var both = await store.TopContentAsync(new AnalyticsFilter(new DateOnly(2025, 1, 1), new DateOnly(2025, 6, 30)), staff);
        Assert.Equal(8000, both.Single(t => t.Id == item).Engagements);
    }

    [Fact]
    public async Task Nobody_sees_figures_of_a_draft_that_is_not_theirs()
    {
        await using var db = await (await PostgresServer.GetAsync()).CreateDatabaseAsync(withDemoData: true);
        await using var conn = await db.DataSource.OpenConnectionAsync();
        var (draft, owner) = await conn.QuerySingleAsync<(long, long)>(
            "SELECT c.id, c.organization_id FROM campaigns c WHERE NOT c.is_published AND EXISTS (SELECT 1 FROM content_items ci WHERE ci.campaign_id = c.id) ORDER BY c.id LIMIT 1");
        var other = await conn.ExecuteScalarAsync<long>("SELECT id FROM organizations WHERE id <> @owner AND kind = 'civil_society' ORDER BY id LIMIT 1", new { owner });
        var day = new DateOnly(2026, 11, 1);
        await conn.ExecuteAsync("""
            INSERT INTO engagement_facts (content_item_id, day, platform, impressions)
            SELECT id, @day, platform, 1000000 FROM content_items WHERE campaign_id = @draft
            ON CONFLICT (content_item_id, day) DO UPDATE SET impressions = 1000000
            """, new { draft, day });
        await new RollupStore(db.DataSource).RebuildAsync();
        var store = new AnalyticsStore(db.DataSource);
        var filter = new AnalyticsFilter(day, day);

        var asOwner = await store.TotalsAsync(filter, new CampaignViewer(false, owner));
        var asOther = await store.TotalsAsync(filter, new CampaignViewer(false, other));
        var asResearcher = await store.TotalsAsync(filter, CampaignViewer.Public);

        Assert.True(asOwner.Impressions >= 1_000_000);
        Assert.True(asOther.Impressions < 1_000_000);
        Assert.Equal(asOther.Impressions, asResearcher.Impressions);
        Assert.Empty(await store.BreakdownAsync(filter with { CampaignId = draft }, CampaignViewer.Public, Dimension.Platform));
    }
}
