using Narratives.Ingest.Formats;

namespace Narratives.Ingest.Tests.Formats;

public sealed class SampleFormatTests
{
    static readonly DateOnly AsOf = new(2026, 11, 23);

    static (ParsedFile File, List<ImportRow> Rows, List<RowError> Errors) Read(string sample, DateOnly? asOf = null)
    {
        var file = ExportReader.Open(IngestTestDatabase.Sample(sample), new ImportContext(7, sample, asOf ?? AsOf));
        var items = file.Read().ToList();
        return (file, items.Where(i => i.Row is not null).Select(i => i.Row!).ToList(), items.Where(i => i.Error is not null).Select(i => i.Error!).ToList());
    }

    [Theory]
    [InlineData("meta-facebook-posts.csv", "meta_posts", 3)]
    [InlineData("meta-facebook-page-reach.csv", "meta_page", 7)]
    [InlineData("instagram-posts.csv", "instagram_posts", 2)]
    [InlineData("meta-ads-report.csv", "meta_ads", 4)]
    [InlineData("meta-ads-report-period.csv", "meta_ads", 2)]
    [InlineData("youtube-table-data.csv", "youtube_table", 2)]
    [InlineData("youtube-studio-export.zip", "youtube_zip", 8)]
    [InlineData("x-posts.csv", "x_posts", 2)]
    [InlineData("x-tweet-activity-classic.csv", "x_classic", 2)]
    [InlineData("tiktok-content_2026-10-24_2026-11-22.csv", "tiktok_content", 3)]
    [InlineData("tiktok-contenu-fr_2026-10-24_2026-11-22.csv", "tiktok_content", 2)]
    [InlineData("tiktok-overview_2026-11-16_2026-11-22.csv", "tiktok_overview", 7)]
    [InlineData("google-ads-campaigns.csv", "google_ads", 3)]
    [InlineData("google-ads-videos.csv", "google_ads", 2)]
    [InlineData("narratives-template.csv", "narratives_template", 4)]
    [InlineData("blog-feed.rss.xml", "feed", 2)]
    [InlineData("youtube-channel-feed.atom.xml", "feed", 2)]
    public void Every_sample_is_recognised_and_read_without_errors(string sample, string format, int rows)
    {
        var (file, good, errors) = Read(sample);

        Assert.Equal(format, file.Format);
        Assert.True(errors.Count == 0, string.Join("; ", errors.Select(e => $"{e.Line} {e.Column} {e.Message}")));
        Assert.Equal(rows, good.Count);
    }

    [Fact]
    public void Meta_post_export_gives_lifetime_totals_as_of_the_export_date_with_the_multiline_description()
    {
        var (_, rows, _) = Read("meta-facebook-posts.csv");

        var video = rows[0];
        Assert.Equal(("facebook", "104455667788990_1211223344556677"), (video.Platform, video.ExternalId));
        Assert.Equal(FactMeaning.Cumulative, video.Meaning);
        Assert.Equal(AsOf, video.Day);
        Assert.Equal(new Metrics(Reach: 12301, Views: 18420, WatchSeconds: 96420, Reactions: 987, Comments: 143, Shares: 74, Clicks: 530), video.Metrics);
        Assert.Contains("\nWatch and tag a friend.", video.Text);
        Assert.Equal(151, video.DurationSeconds);
        Assert.Equal(new DateTimeOffset(2026, 11, 3, 9, 15, 0, TimeSpan.Zero), video.PublishedAt);
        Assert.Equal(2310, rows[2].Metrics.Views); // "2,310"
        Assert.Equal(5, rows[2].Line); // the multi-line description makes the third post start on line 5
    }

    [Fact]
    public void Meta_page_level_export_in_utf16_with_sep_line_gives_daily_reach_for_the_page()
    {
        var (_, rows, _) = Read("meta-facebook-page-reach.csv");

        Assert.All(rows, r => Assert.Equal((FactMeaning.Daily, "facebook", "page-of-campaign-7"), (r.Meaning, r.Platform, r.ExternalId)));
        Assert.Equal(new DateOnly(2026, 11, 16), rows[0].Day);
        Assert.Equal(1820, rows[0].Metrics.Reach);
        Assert.Null(rows[0].Metrics.Views);
        Assert.Equal(4, rows[0].Line);
    }

    [Fact]
    public void Meta_ads_one_day_rows_are_daily_and_longer_periods_are_period_totals_with_the_currency()
    {
        var (daily, dailyRows, _) = Read("meta-ads-report.csv");
        var (period, periodRows, _) = Read("meta-ads-report-period.csv");

        Assert.All(dailyRows, r => Assert.Equal(FactMeaning.Daily, r.Meaning));
        Assert.Equal("120210000000000101", dailyRows[0].ExternalId);
        Assert.Equal(24.13m, dailyRows[0].Metrics.Spend);
        Assert.Equal(3211, dailyRows[0].Metrics.Views); // ThruPlays
        Assert.Equal("EUR", daily.Currency);
        Assert.All(periodRows, r => Assert.Equal((FactMeaning.Period, new DateOnly(2026, 11, 1), new DateOnly(2026, 11, 22)), (r.Meaning, r.PeriodStart!.Value, r.Day)));
        Assert.Equal(1204.55m, periodRows[0].Metrics.Spend);
        Assert.Null(periodRows[0].Metrics.Views);
        Assert.Equal("USD", period.Currency);
    }

    [Fact]
    public void YouTube_table_skips_the_total_row_and_reads_durations_and_watch_hours()
    {
        var (_, rows, _) = Read("youtube-table-data.csv");

        Assert.DoesNotContain(rows, r => r.ExternalId == "Total");
        Assert.Equal("dQw4w9WgXc1", rows[0].ExternalId);
        Assert.Equal(151, rows[0].DurationSeconds);
        Assert.Equal((long)Math.Round(402.5512m * 3600), rows[0].Metrics.WatchSeconds);
        Assert.Equal(9821 + 4389, rows.Sum(r => r.Metrics.Views)); // the Total row's 14210 is not added again
        Assert.Equal(FactMeaning.Cumulative, rows[0].Meaning);
    }

    [Fact]
    public void YouTube_zip_takes_daily_figures_from_the_chart_and_titles_from_the_table()
    {
        var (_, rows, _) = Read("youtube-studio-export.zip");

        Assert.Equal(2, rows.Count(r => r.Meaning == FactMeaning.None));
        var daily = rows.Where(r => r.Meaning == FactMeaning.Daily).ToList();
        Assert.Equal(6, daily.Count);
        Assert.Equal(402 + 388 + 351 + 210 + 198 + 187, daily.Sum(r => r.Metrics.Views));
        Assert.Equal(new DateOnly(2026, 11, 20), daily.Min(r => r.Day));
    }

    [Fact]
    public void X_ids_mangled_by_a_spreadsheet_are_recovered_from_the_permalink()
    {
        var (_, rows, _) = Read("x-posts.csv");

        Assert.Equal("1730012345678901234", rows[1].ExternalId);
        Assert.Equal(66 + 4, rows[1].Metrics.Shares); // reposts and shares
        Assert.Equal(new DateTimeOffset(2026, 11, 5, 0, 0, 0, TimeSpan.Zero), rows[1].PublishedAt);
    }

    [Fact]
    public void X_classic_export_reads_decimal_counts_and_dashes()
    {
        var (_, rows, _) = Read("x-tweet-activity-classic.csv");

        Assert.Equal(5120, rows[0].Metrics.Impressions);
        Assert.Equal(1200, rows[0].Metrics.Views);
        Assert.Null(rows[1].Metrics.Views);
        Assert.Equal(new DateTimeOffset(2019, 3, 1, 14, 5, 0, TimeSpan.Zero), rows[0].PublishedAt);
    }

    [Fact]
    public void TikTok_abbreviated_numbers_and_dates_without_a_year_are_resolved_from_the_export_period()
    {
        var (_, en, _) = Read("tiktok-content_2026-10-24_2026-11-22.csv");
        var (_, fr, _) = Read("tiktok-contenu-fr_2026-10-24_2026-11-22.csv");
        var (_, overview, _) = Read("tiktok-overview_2026-11-16_2026-11-22.csv");

        Assert.Equal(1_200_000, en[0].Metrics.Views);
        Assert.Equal(84_100, en[0].Metrics.Reactions);
        Assert.Equal(312_400, en[1].Metrics.Views); // "312,4K"
        Assert.Equal(new DateOnly(2026, 10, 28), DateOnly.FromDateTime(en[2].PublishedAt!.Value.UtcDateTime));
        Assert.All(en, r => Assert.Equal(new DateOnly(2026, 11, 22), r.Day));
        Assert.Equal("7433012345678901234", en[0].ExternalId);
        Assert.Equal(1_500_000, fr[0].Metrics.Views); // "1,5 M"
        Assert.Equal(1402, fr[0].Metrics.Comments); // "1 402"
        Assert.Equal(new DateOnly(2026, 11, 3), DateOnly.FromDateTime(fr[0].PublishedAt!.Value.UtcDateTime));
        Assert.Equal(new DateOnly(2026, 11, 16), overview[0].Day);
        Assert.Equal(41_200, overview[0].Metrics.Views);
    }

    [Fact]
    public void TikTok_dates_without_a_year_take_the_year_before_when_the_period_crosses_new_year()
    {
        var day = Values.DayWithoutYear("Dec 30", "Post time", new DateOnly(2027, 1, 5));
        Assert.Equal(new DateOnly(2026, 12, 30), day);
    }

    [Fact]
    public void Google_ads_reports_skip_totals_and_read_dashes_percentages_and_thousands()
    {
        var (campaigns, rows, _) = Read("google-ads-campaigns.csv");
        var (_, videos, _) = Read("google-ads-videos.csv");

        Assert.Equal("EUR", campaigns.Currency);
        Assert.Equal(3, rows.Count);
        Assert.Equal(165_691, rows.Sum(r => r.Metrics.Impressions));
        Assert.Equal(1689.07m, rows.Sum(r => r.Metrics.Spend));
        Assert.Null(rows[0].Metrics.Views); // "--"
        Assert.Equal("21001234568", rows[1].ExternalId);
        Assert.All(rows, r => Assert.Equal((FactMeaning.Period, new DateOnly(2026, 11, 1), new DateOnly(2026, 11, 22)), (r.Meaning, r.PeriodStart!.Value, r.Day)));
        Assert.Equal(12_804, videos[0].Metrics.Views);
        Assert.Contains("dQw4w9WgXc1", videos[0].ExternalId);
    }

    [Fact]
    public void Feeds_become_content_items_and_youtube_channel_entries_become_youtube_videos()
    {
        var (_, blog, _) = Read("blog-feed.rss.xml");
        var (_, channel, _) = Read("youtube-channel-feed.atom.xml");

        Assert.Equal(("feed", "https://horizons.example.org/blog/check-before-you-share"), (blog[0].Platform, blog[0].ExternalId));
        Assert.Equal("Three questions to ask before sharing a video that makes you angry.", blog[0].Text);
        Assert.Equal(("youtube", "dQw4w9WgXc1"), (channel[0].Platform, channel[0].ExternalId));
        Assert.All(channel, r => Assert.Equal(FactMeaning.None, r.Meaning));
    }
}
