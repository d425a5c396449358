using Dapper;
using Narratives.Core.Analytics;

namespace Narratives.Ingest.Tests.Imports;

public sealed class ImportRollupTests
{
    /// <summary>The rollups as rows of text, to compare the incremental result with a full rebuild.</summary>
    static async Task<string> RollupsAsync(IngestTestDatabase db) =>
        string.Join("\n", await db.QueryAsync<string>("""
            SELECT t::text FROM (
                SELECT day, campaign_id, platform, theme, language, is_paid, items, impressions, reach, views, watch_seconds, reactions, comments,
                       shares, clicks, saves, follows, spend, view_duration_seconds, timed_watch_seconds FROM rollup_daily) t
            UNION ALL SELECT a::text FROM rollup_audience a
            UNION ALL SELECT c::text FROM rollup_content_monthly c
            UNION ALL SELECT r::text FROM rollup_content_running r
            ORDER BY 1
            """));

    [Fact]
    public async Task Every_import_brings_the_rollups_of_its_days_up_to_date_in_its_own_transaction()
    {
        await using var db = await IngestTestDatabase.CreateAsync();

        foreach (var sample in new[] { "youtube-studio-export.zip", "meta-ads-report.csv", "meta-ads-report-period.csv", "x-posts.csv", "google-ads-campaigns.csv", "narratives-template-with-bad-rows.csv" })
            await db.ImportAsync(IngestTestDatabase.Sample(sample));
        // Monday's and Friday's lifetime totals of the same posts.
        await db.ImportAsync(IngestTestDatabase.Sample("meta-facebook-posts.csv"), asOf: new DateOnly(2026, 11, 2));

        var incremental = await RollupsAsync(db);
        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM rollup_dirty_days"));
        await new RollupStore(db.DataSource).RebuildAsync();
        Assert.NotEmpty(incremental);
        Assert.Equal(await RollupsAsync(db), incremental);

        var impressions = await db.ScalarAsync<long>("SELECT coalesce(sum(impressions), 0) FROM engagement_rollup_input");
        Assert.Equal(impressions, await db.ScalarAsync<long>("SELECT coalesce(sum(impressions), 0) FROM rollup_daily"));
    }

    [Fact]
    public async Task Relabelling_an_item_marks_its_days_and_the_refresh_moves_its_figures_to_the_new_theme()
    {
        await using var db = await IngestTestDatabase.CreateAsync();
        await db.ImportAsync(IngestTestDatabase.Sample("x-posts.csv"));
        var item = await db.ScalarAsync<long>("SELECT min(content_item_id) FROM engagement_facts");
        var days = await db.ScalarAsync<long>("SELECT count(*) FROM engagement_facts WHERE content_item_id = @item", new { item });

        await using (var conn = await db.DataSource.OpenConnectionAsync())
            await conn.ExecuteAsync("UPDATE content_items SET reviewed_theme = 'formers', reviewed_audiences = '{returnees}', reviewed_at = now() WHERE id = @item", new { item });

        Assert.Equal(days, await db.ScalarAsync<long>("SELECT count(*) FROM rollup_dirty_days"));
        var campaigns = await new RollupStore(db.DataSource).RefreshDirtyAsync();
        Assert.Equal([db.CampaignId], campaigns);
        var expected = await db.ScalarAsync<long>("SELECT coalesce(sum(impressions), 0) FROM engagement_facts WHERE content_item_id = @item", new { item });
        Assert.Equal(expected, await db.ScalarAsync<long>("SELECT coalesce(sum(impressions), 0) FROM rollup_daily WHERE theme = 'formers'"));
        Assert.Equal(expected, await db.ScalarAsync<long>("SELECT coalesce(sum(impressions), 0) FROM rollup_audience WHERE audience = 'returnees'"));
    }
}
