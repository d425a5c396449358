using Dapper;
using Narratives.Ingest.Imports;

namespace Narratives.Ingest.Tests.Imports;

public sealed class ImportPipelineTests
{
    const string Header = "platform,external_id,title,text,permalink,published_at,language,duration_seconds,meaning,date,period_start,impressions,reach,views,watch_seconds,reactions,comments,shares,clicks,saves,follows,spend";

    [Fact]
    public async Task A_sample_export_becomes_content_items_queued_for_classification_and_facts_with_the_platform()
    {
        await using var db = await IngestTestDatabase.CreateAsync();

        var report = await db.ImportAsync(IngestTestDatabase.Sample("youtube-studio-export.zip"));

        Assert.Equal((ImportReport.Imported, "youtube_zip", 8, 8, 0), (report.Status, report.Format, report.RowsRead, report.RowsImported, report.RowsQuarantined));
        Assert.Equal(2, report.ContentItemsCreated);
        Assert.Equal(2, await db.ScalarAsync<int>("SELECT count(*) FROM content_items WHERE platform = 'youtube' AND predicted_at IS NULL AND source = 'import'"));
        Assert.Equal("Check before you share (full version)", await db.ScalarAsync<string>("SELECT title FROM content_items WHERE external_id = 'dQw4w9WgXc1'"));
        Assert.Equal(1736L, await db.ScalarAsync<long>("SELECT sum(views) FROM engagement_facts WHERE platform = 'youtube' AND meaning = 'daily'"));
        Assert.Equal(1736L, report.Totals.Views);
        Assert.Equal(new DirtyDays(3, new DateOnly(2026, 11, 20), new DateOnly(2026, 11, 22)), report.DirtyDays);
        // The import refreshed the analytics rollups of those days itself, and left nothing marked.
        Assert.Equal(0, await db.ScalarAsync<int>("SELECT count(*) FROM rollup_dirty_days WHERE campaign_id = @c", new { c = db.CampaignId }));
        Assert.Equal(1736L, await db.ScalarAsync<long>("SELECT sum(views) FROM rollup_daily WHERE campaign_id = @c AND platform = 'youtube'", new { c = db.CampaignId }));
        Assert.Equal("imported", await db.ScalarAsync<string>("SELECT status FROM imports WHERE id = @id", new { id = report.ImportId }));
    }

    [Fact]
    public async Task Re_importing_the_identical_file_is_recognised_and_changes_nothing()
    {
        await using var db = await IngestTestDatabase.CreateAsync();
        var first = await db.ImportAsync(IngestTestDatabase.Sample("meta-ads-report.csv"));
        await db.QueryAsync<int>("DELETE FROM rollup_dirty_days");

        var second = await db.ImportAsync(IngestTestDatabase.Sample("meta-ads-report.csv"), fileName: "renamed.csv");

        Assert.True(second.DuplicateFile);
        Assert.Equal(ImportReport.Duplicate, second.Status);
        Assert.Contains($"import {first.ImportId}", second.Message);
        Assert.Equal(4, await db.ScalarAsync<int>("SELECT count(*) FROM engagement_facts"));
        Assert.Equal(0, await db.ScalarAsync<int>("SELECT count(*) FROM rollup_dirty_days"));
    }

    [Fact]
    public async Task Lifetime_totals_imported_on_monday_and_friday_count_mondays_figures_once()
    {
        await using var db = await IngestTestDatabase.CreateAsync();
        var monday = new DateOnly(2026, 11, 16);
        var friday = new DateOnly(2026, 11, 20);
        string Export(int views, int reactions) => $"""
            Post ID,Page ID,Page name,Title,Description,Duration (sec),Publish time,Permalink,Post type,Date,Views,Reach,Reactions,Comments,Shares,Total clicks
            111_222,111,Page,Title,Text,,11/10/2026 10:00,https://facebook.com/111/posts/222,Photos,Lifetime,{views},{views / 2},{reactions},3,1,9

            """;

        var mondays = await db.ImportTextAsync(Export(1000, 100), "monday.csv", asOf: monday);
        await db.ImportTextAsync(Export(1600, 130), "friday.csv", asOf: friday);
        // An export of Friday again, with later corrections, replaces Friday's snapshot rather than adding to it.
        await db.ImportTextAsync(Export(1650, 130), "friday-again.csv", asOf: friday);

        var facts = await db.QueryAsync<(DateOnly Day, long Views, long Reactions, string Meaning)>(
            "SELECT day, views, reactions, meaning FROM engagement_facts ORDER BY day");
        Assert.Equal([(monday, 1000L, 100L, "cumulative"), (friday, 650L, 30L, "cumulative")], facts);
        Assert.Equal(1650L, await db.ScalarAsync<long>("SELECT sum(views) FROM engagement_facts"));
        Assert.Equal(2, await db.ScalarAsync<int>("SELECT count(*) FROM engagement_snapshots"));
        Assert.StartsWith("Imported 1 row as ", mondays.Message);
    }

    [Fact]
    public async Task A_snapshot_arriving_out_of_order_recomputes_the_increases_after_it()
    {
        await using var db = await IngestTestDatabase.CreateAsync();
        string Row(string day, int views) => $"{Header}\r\nother,n-1,Newsletter,,,,,,cumulative,{day},,,,{views},,,,,,,,\r\n";

        await db.ImportTextAsync(Row("2026-11-20", 900), "fri.csv");
        await db.ImportTextAsync(Row("2026-11-16", 400), "mon.csv");

        var facts = await db.QueryAsync<(DateOnly Day, long Views)>("SELECT day, views FROM engagement_facts ORDER BY day");
        Assert.Equal([(new DateOnly(2026, 11, 16), 400L), (new DateOnly(2026, 11, 20), 500L)], facts);
    }

    [Fact]
    public async Task Period_totals_are_kept_as_periods_and_one_day_periods_as_daily_facts()
    {
        await using var db = await IngestTestDatabase.CreateAsync();

        var report = await db.ImportAsync(IngestTestDatabase.Sample("google-ads-campaigns.csv"));

        Assert.Equal("EUR", report.Currency);
        Assert.Equal(3, await db.ScalarAsync<int>("SELECT count(*) FROM engagement_period_totals WHERE period_start = '2026-11-01' AND period_end = '2026-11-22'"));
        Assert.Equal(1689.07m, await db.ScalarAsync<decimal>("SELECT sum(spend) FROM engagement_period_totals"));
        Assert.Equal(0, await db.ScalarAsync<int>("SELECT count(*) FROM engagement_facts"));
        Assert.Equal(22, report.DirtyDays.Count);
    }

    [Fact]
    public async Task Bad_rows_are_quarantined_in_the_database_and_listed_in_the_report()
    {
        await using var db = await IngestTestDatabase.CreateAsync();

        var report = await db.ImportAsync(IngestTestDatabase.Sample("narratives-template-with-bad-rows.csv"));

        Assert.Equal((ImportReport.ImportedWithErrors, 7, 2, 5), (report.Status, report.RowsRead, report.RowsImported, report.RowsQuarantined));
        Assert.Equal([3, 4, 5, 6, 7], report.Errors.Select(e => e.Line!.Value));
        var stored = await db.Store.ListErrorsAsync(report.ImportId!.Value, CancellationToken.None);
        Assert.Equal(5, stored.Count);
        Assert.Equal(("views", "website,article-bad-count,Bad count,,,,en,,daily,2026-11-20,,,,a lot,,,,,,,,"), (stored[0].ColumnName, stored[0].RawText));
        Assert.Equal(220L, await db.ScalarAsync<long>("SELECT sum(views) FROM engagement_facts"));
    }

    [Fact]
    public async Task A_rejected_file_imports_nothing_and_says_why()
    {
        await using var db = await IngestTestDatabase.CreateAsync();

        var report = await db.ImportTextAsync(Header + "\r\nwebsite,a,Title,,,,en,,daily,2026-11-20,,,,100,,,,,,,,\r\nwebsite,b,Tit");

        Assert.Equal(ImportReport.Rejected, report.Status);
        Assert.Contains("truncated", report.Message);
        Assert.Equal(0, await db.ScalarAsync<int>("SELECT count(*) FROM content_items"));
        Assert.Equal("rejected", await db.ScalarAsync<string>("SELECT status FROM imports WHERE id = @id", new { id = report.ImportId }));
    }

    [Theory]
    [InlineData("staged")]
    [InlineData("merged")]
    public async Task A_failure_in_the_middle_of_an_import_leaves_nothing_behind(string stage)
    {
        await using var db = await IngestTestDatabase.CreateAsync();
        db.Pipeline.OnStage = s => s == stage ? throw new InvalidOperationException("injected failure") : Task.CompletedTask;

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => db.ImportAsync(IngestTestDatabase.Sample("narratives-template-with-bad-rows.csv")));

        Assert.Equal("injected failure", ex.Message);
        Assert.Equal(0, await db.ScalarAsync<int>("SELECT count(*) FROM content_items"));
        Assert.Equal(0, await db.ScalarAsync<int>("SELECT count(*) FROM engagement_facts"));
        Assert.Equal(0, await db.ScalarAsync<int>("SELECT count(*) FROM import_errors"));
        Assert.Equal(0, await db.ScalarAsync<int>("SELECT count(*) FROM rollup_dirty_days"));
        Assert.Equal("failed", await db.ScalarAsync<string>("SELECT status FROM imports"));
        Assert.Equal(0, await db.ScalarAsync<int>(StagingTablesLeft));

        // The same file can then be imported: the failed attempt does not count as imported.
        db.Pipeline.OnStage = null;
        var retry = await db.ImportAsync(IngestTestDatabase.Sample("narratives-template-with-bad-rows.csv"));
        Assert.Equal(ImportReport.ImportedWithErrors, retry.Status);
    }

    const string StagingTablesLeft = "SELECT count(*)::int FROM pg_class WHERE relname LIKE 'ingest\\_chunk\\_%'";

    [Fact]
    public async Task Staging_tables_go_when_the_import_ends_and_those_of_an_import_whose_process_died_at_the_next_import()
    {
        await using var db = await IngestTestDatabase.CreateAsync(chunkRows: 2);
        await using (var conn = await db.DataSource.OpenConnectionAsync())
            await conn.ExecuteAsync("CREATE UNLOGGED TABLE ingest_chunk_987_0 (seq integer); CREATE UNLOGGED TABLE ingest_chunk_987_1 (seq integer)");

        var report = await db.ImportAsync(IngestTestDatabase.Sample("narratives-template-with-bad-rows.csv"));

        Assert.Equal(ImportReport.ImportedWithErrors, report.Status);
        Assert.Equal(0, await db.ScalarAsync<int>(StagingTablesLeft));
    }

    [Fact]
    public async Task A_changed_title_or_text_queues_the_item_for_classification_again_but_new_figures_do_not()
    {
        await using var db = await IngestTestDatabase.CreateAsync();
        await db.ImportTextAsync($"{Header}\r\nwebsite,a,Title,Text,,,en,,daily,2026-11-20,,,,100,,,,,,,,\r\n", "one.csv");
        await db.QueryAsync<int>("UPDATE content_items SET predicted_at = now(), predicted_theme = 'x'");

        await db.ImportTextAsync($"{Header}\r\nwebsite,a,Title,Text,,,en,,daily,2026-11-21,,,,120,,,,,,,,\r\n", "two.csv");
        Assert.Equal(1, await db.ScalarAsync<int>("SELECT count(*) FROM content_items WHERE predicted_at IS NOT NULL AND predicted_theme = 'x'"));

        var changed = await db.ImportTextAsync($"{Header}\r\nwebsite,a,Title,New text,,,en,,daily,2026-11-21,,,,120,,,,,,,,\r\n", "three.csv");
        Assert.Equal(1, changed.ContentItemsChanged);
        Assert.Equal(1, await db.ScalarAsync<int>("SELECT count(*) FROM content_items WHERE predicted_at IS NULL AND predicted_theme IS NULL AND text = 'New text'"));
    }

    [Fact]
    public async Task Rows_about_another_campaigns_content_are_quarantined_not_moved()
    {
        await using var db = await IngestTestDatabase.CreateAsync();
        await db.ImportTextAsync($"{Header}\r\nwebsite,shared-id,Theirs,,,,en,,daily,2026-11-20,,,,100,,,,,,,,\r\n", "theirs.csv", db.OtherCampaignId);

        var report = await db.ImportTextAsync($"{Header}\r\nwebsite,shared-id,Mine,,,,en,,daily,2026-11-20,,,,999,,,,,,,,\r\nwebsite,mine,Mine,,,,en,,daily,2026-11-20,,,,5,,,,,,,,\r\n", "mine.csv");

        Assert.Equal((1, 1), (report.RowsImported, report.RowsQuarantined));
        Assert.Contains("belongs to another campaign", report.Errors.Single().Message);
        Assert.Equal(100L, await db.ScalarAsync<long>("SELECT views FROM engagement_facts f JOIN content_items c ON c.id = f.content_item_id WHERE c.external_id = 'shared-id'"));
    }

    [Fact]
    public async Task Overlapping_daily_exports_upsert_by_item_and_day_and_keep_figures_the_later_file_does_not_report()
    {
        await using var db = await IngestTestDatabase.CreateAsync();
        await db.ImportTextAsync($"{Header}\r\nwebsite,a,T,,,,en,,daily,2026-11-20,,,50,100,,,,,,,,\r\nwebsite,a,T,,,,en,,daily,2026-11-21,,,,110,,,,,,,,\r\n", "a.csv");

        await db.ImportTextAsync($"{Header}\r\nwebsite,a,T,,,,en,,daily,2026-11-21,,,,115,,,,,,,,\r\nwebsite,a,T,,,,en,,daily,2026-11-22,,,,90,,,,,,,,\r\nwebsite,a,T,,,,en,,daily,2026-11-20,,,,101,,,,,,,,\r\n", "b.csv");

        var facts = await db.QueryAsync<(DateOnly Day, long? Reach, long Views)>("SELECT day, reach, views FROM engagement_facts ORDER BY day");
        Assert.Equal([(new DateOnly(2026, 11, 20), (long?)50, 101L), (new DateOnly(2026, 11, 21), null, 115L), (new DateOnly(2026, 11, 22), null, 90L)], facts);
    }

    [Fact]
    public async Task The_last_row_of_an_item_and_day_wins_wherever_it_is_in_the_file_and_gives_the_items_title()
    {
        await using var db = await IngestTestDatabase.CreateAsync();
        // "a" comes back after "b" with a day it already had; "c" repeats a day within its own rows; "d" is a
        // falling series whose title changes half-way; "e" runs with the same title throughout.
        await db.ImportTextAsync($"{Header}\r\n" +
            "website,a,A1,,,,en,,daily,2026-11-20,,,,1,,,,,,,,\r\nwebsite,a,A1,,,,en,,daily,2026-11-21,,,,2,,,,,,,,\r\n" +
            "website,b,B,,,,en,,daily,2026-11-20,,,,3,,,,,,,,\r\nwebsite,a,A2,,,,en,,daily,2026-11-20,,,,4,,,,,,,,\r\n" +
            "website,c,C,,,,en,,daily,2026-11-20,,,,5,,,,,,,,\r\nwebsite,c,C,,,,en,,daily,2026-11-20,,,,6,,,,,,,,\r\n" +
            "website,d,D1,,,,en,,daily,2026-11-22,,,,7,,,,,,,,\r\nwebsite,d,D2,,,,en,,daily,2026-11-21,,,,8,,,,,,,,\r\n" +
            "website,d,D2,,,,en,,daily,2026-11-20,,,,9,,,,,,,,\r\nwebsite,e,E,,,,en,,daily,2026-11-20,,,,10,,,,,,,,\r\n" +
            "website,e,E,,,,en,,daily,2026-11-21,,,,11,,,,,,,,\r\n", "mixed.csv");

        var facts = await db.QueryAsync<(string Item, DateOnly Day, long Views)>(
            "SELECT c.external_id, f.day, f.views FROM engagement_facts f JOIN content_items c ON c.id = f.content_item_id ORDER BY 1, 2");
        Assert.Equal([("a", new DateOnly(2026, 11, 20), 4L), ("a", new DateOnly(2026, 11, 21), 2L), ("b", new DateOnly(2026, 11, 20), 3L),
            ("c", new DateOnly(2026, 11, 20), 6L), ("d", new DateOnly(2026, 11, 20), 9L), ("d", new DateOnly(2026, 11, 21), 8L),
            ("d", new DateOnly(2026, 11, 22), 7L), ("e", new DateOnly(2026, 11, 20), 10L), ("e", new DateOnly(2026, 11, 21), 11L)], facts);
        var titles = await db.QueryAsync<(string Item, string Title)>("SELECT external_id, title FROM content_items ORDER BY 1");
        Assert.Equal([("a", "A2"), ("b", "B"), ("c", "C"), ("d", "D2"), ("e", "E")], titles);
        Assert.Equal(3, await db.ScalarAsync<int>("SELECT count(*) FROM rollup_daily WHERE campaign_id = @c", new { c = db.CampaignId }));
        Assert.Equal(4L + 3 + 6 + 9 + 10, await db.ScalarAsync<long>("SELECT sum(views) FROM rollup_daily WHERE day = '2026-11-20'"));
    }

    [Fact]
    public async Task The_raw_file_is_kept_content_addressed_so_an_import_can_be_replayed()
    {
        await using var db = await IngestTestDatabase.CreateAsync();
        var report = await db.ImportAsync(IngestTestDatabase.Sample("x-posts.csv"));

        var stored = await db.Store.FindImportAsync(report.ImportId!.Value, CancellationToken.None);
        var path = Path.Combine(db.RawDirectory, stored!.StoragePath!);
        Assert.Equal(File.ReadAllBytes(IngestTestDatabase.Sample("x-posts.csv")), File.ReadAllBytes(path));
        Assert.Contains(report.Sha256!, stored.StoragePath);

        var replay = await db.Pipeline.ImportStoredAsync(new ImportRequest(db.CampaignId, "x-posts.csv", ImportSource.Replay, AsOf: new DateOnly(2026, 11, 23)),
            new StoredFile(Convert.FromHexString(report.Sha256!), new FileInfo(path).Length, stored.StoragePath!, path), null, CancellationToken.None);
        Assert.Equal(ImportReport.Imported, replay.Status);
        Assert.Equal(2, await db.ScalarAsync<int>("SELECT count(*) FROM content_items"));
    }

    [Fact]
    public async Task An_unknown_campaign_is_refused_before_anything_is_kept()
    {
        await using var db = await IngestTestDatabase.CreateAsync();

        await Assert.ThrowsAsync<CampaignNotFoundException>(() => db.ImportAsync(IngestTestDatabase.Sample("x-posts.csv"), campaignId: 999_999));
        Assert.Equal(0, await db.ScalarAsync<int>("SELECT count(*) FROM imports"));
    }

    [Theory]
    [InlineData("meta-facebook-posts.csv")]
    [InlineData("meta-facebook-page-reach.csv")]
    [InlineData("instagram-posts.csv")]
    [InlineData("meta-ads-report-period.csv")]
    [InlineData("youtube-table-data.csv")]
    [InlineData("x-tweet-activity-classic.csv")]
    [InlineData("tiktok-content_2026-10-24_2026-11-22.csv")]
    [InlineData("tiktok-contenu-fr_2026-10-24_2026-11-22.csv")]
    [InlineData("tiktok-overview_2026-11-16_2026-11-22.csv")]
    [InlineData("google-ads-videos.csv")]
    [InlineData("narratives-template.csv")]
    [InlineData("blog-feed.rss.xml")]
    public async Task Every_sample_imports_into_the_database_without_errors(string sample)
    {
        await using var db = await IngestTestDatabase.CreateAsync();

        var report = await db.ImportAsync(IngestTestDatabase.Sample(sample));

        Assert.True(report.Status == ImportReport.Imported, report.Message + string.Join("; ", report.Errors.Select(e => e.Message)));
        Assert.Equal(report.RowsRead, report.RowsImported);
        Assert.True(await db.ScalarAsync<int>("SELECT count(*) FROM content_items") > 0);
    }
}
