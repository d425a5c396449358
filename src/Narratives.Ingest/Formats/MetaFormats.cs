using System.Security.Cryptography;
using System.Text;

namespace Narratives.Ingest.Formats;

/// <summary>Meta Business Suite post export (Facebook): one row per post, lifetime totals as of the export date.</summary>
public sealed class MetaPostsFormat : CsvFormat
{
    public override string Name => "meta_posts";
    public override string Description => "Meta Business Suite post export (Facebook: Post ID, Page ID, Publish time, …)";

    public override bool Matches(Header header) => header.HasAll("Post ID", "Page ID", "Publish time");

    public override IRowParser Begin(Header header, IReadOnlyList<string> preamble, ImportContext context) =>
        new RowParser(row => One(new ImportRow(row.Line, "facebook", row.Required("Post ID"), FactMeaning.Cumulative,
            AsOfDate(row, context),
            new Metrics(
                Impressions: row.Count("Impressions"),
                Reach: row.Count("Reach"),
                Views: row.Count("Views"),
                WatchSeconds: row.Count("Seconds viewed"),
                Reactions: row.Count("Reactions"),
                Comments: row.Count("Comments"),
                Shares: row.Count("Shares"),
                Clicks: row.Count("Total clicks")),
            Title: row.TextOrNull("Title"), Text: row.TextOrNull("Description"), Permalink: row.TextOrNull("Permalink"),
            PublishedAt: row.Timestamp("Publish time"), DurationSeconds: row.Duration("Duration (sec)"))));

    /// <summary>Meta writes "Lifetime" in the Date column; the figures are then as of the export (import) date.</summary>
    internal static DateOnly AsOfDate(CsvRow row, ImportContext context)
    {
        var text = row.Text("Date");
        if (text.Length == 0 || text.Equals("Lifetime", StringComparison.OrdinalIgnoreCase) || text.Equals("Total", StringComparison.OrdinalIgnoreCase))
            return context.AsOf;
        return row.Date("Date") ?? context.AsOf;
    }
}

/// <summary>
/// Meta Business Suite page-level export: UTF-16, a <c>sep=,</c> first line, the metric's name on the next line, then
/// <c>Date,Primary</c> with one value per day for the whole Page.
/// </summary>
public sealed class MetaPageFormat : CsvFormat
{
    public override string Name => "meta_page";
    public override string Description => "Meta Business Suite page-level export (sep=, line, metric name, then Date, Primary)";

    public override bool Matches(Header header) => header.HasAll("Date", "Primary") && header.Cells.Count <= 3;

    public override IRowParser Begin(Header header, IReadOnlyList<string> preamble, ImportContext context)
    {
        var metricName = preamble.Select(l => l.Trim().Trim('"', '\uFEFF').Trim())
            .LastOrDefault(l => l.Length > 0 && !l.StartsWith("sep=", StringComparison.OrdinalIgnoreCase))
            ?? throw new FileRejectedException("This Meta page-level export has no metric name line before its header. Nothing was imported.");
        var metric = Header.Normalize(metricName);
        Func<long?, Metrics> build = metric switch
        {
            _ when metric.Contains("reach") || metric.Contains("couverture") => v => new Metrics(Reach: v),
            _ when metric.Contains("impression") => v => new Metrics(Impressions: v),
            _ when metric.Contains("view") || metric.Contains("vue") => v => new Metrics(Views: v),
            _ when metric.Contains("follow") || metric.Contains("abonn") || metric.Contains("like") => v => new Metrics(Follows: v),
            _ when metric.Contains("click") || metric.Contains("visit") => v => new Metrics(Clicks: v),
            _ when metric.Contains("interaction") || metric.Contains("engagement") => v => new Metrics(Reactions: v),
            _ => throw new FileRejectedException($"The Meta page-level metric \"{metricName}\" is not one Narratives knows (reach, impressions, views, follows, visits, link clicks, content interactions). Nothing was imported."),
        };
        var externalId = $"page-of-campaign-{context.CampaignId}";
        return new RowParser(row => One(new ImportRow(row.Line, "facebook", externalId, FactMeaning.Daily,
            row.Date("Date") ?? throw new CellException("Date", "This column is empty; it is required."),
            build(row.Count("Primary")), Title: "Facebook Page (page-level figures)")));
    }
}

/// <summary>Instagram post export from Meta Business Suite: one row per post, lifetime totals as of the export date.</summary>
public sealed class InstagramPostsFormat : CsvFormat
{
    public override string Name => "instagram_posts";
    public override string Description => "Instagram post export (Post ID, Account ID, Account username, …)";

    public override bool Matches(Header header) => header.HasAll("Post ID", "Account ID", "Account username");

    public override IRowParser Begin(Header header, IReadOnlyList<string> preamble, ImportContext context) =>
        new RowParser(row => One(new ImportRow(row.Line, "instagram", row.Required("Post ID"), FactMeaning.Cumulative,
            MetaPostsFormat.AsOfDate(row, context),
            new Metrics(
                Impressions: row.Count("Impressions"),
                Reach: row.Count("Reach"),
                Views: row.Count("Views"),
                Reactions: row.Count("Likes"),
                Comments: row.Count("Comments"),
                Shares: row.Count("Shares"),
                Saves: row.Count("Saves"),
                Follows: row.Count("Follows")),
            Title: null, Text: row.TextOrNull("Description", "Caption"), Permalink: row.TextOrNull("Permalink"),
            PublishedAt: row.Timestamp("Publish time"), DurationSeconds: row.Duration("Duration (sec)"))));
}

/// <summary>
/// Meta Ads Manager report: one row per ad and reporting period. A one-day period (the "Day" breakdown) is a daily
/// value, a longer one a period total. ThruPlays are Meta's video views; spend is in the currency named in the header.
/// </summary>
public sealed class MetaAdsFormat : CsvFormat
{
    public override string Name => "meta_ads";
    public override string Description => "Meta Ads report (Campaign name, Ad set name, Ad name, Reporting starts, Reporting ends, Amount spent (…), …)";

    public override bool Matches(Header header) =>
        header.HasAll("Campaign name", "Ad name", "Reporting starts", "Reporting ends");

    public override IRowParser Begin(Header header, IReadOnlyList<string> preamble, ImportContext context)
    {
        var spendColumn = header.IndexStartingWith("Amount spent");
        string? currency = null;
        if (spendColumn >= 0)
        {
            var name = header.Cells[spendColumn];
            var open = name.IndexOf('(');
            var close = name.IndexOf(')');
            if (open >= 0 && close > open) currency = name[(open + 1)..close].Trim().ToUpperInvariant();
        }
        return new Parser(spendColumn, currency is { Length: 3 } ? currency : null);
    }

    sealed class Parser(int spendColumn, string? currency) : IRowParser, IHasCurrency
    {
        public string? Currency => currency;

        public IEnumerable<ImportRow> Parse(CsvRow row)
        {
            var campaign = row.Text("Campaign name");
            var adName = row.Required("Ad name");
            var adSet = row.Text("Ad set name");
            var adId = row.TextOrNull("Ad ID");
            // A totals row has no ad name; it was caught by Required. Meta also writes rows with all names empty.
            var start = row.Date("Reporting starts") ?? throw new CellException("Reporting starts", "This column is empty; it is required.");
            var end = row.Date("Day") ?? row.Date("Reporting ends") ?? throw new CellException("Reporting ends", "This column is empty; it is required.");
            if (row.Date("Day") is { } day) start = day;
            if (end < start) throw new CellException("Reporting ends", "The reporting period ends before it starts.");
            var spend = spendColumn >= 0 ? Values.Decimal(row.At(spendColumn), row.ColumnName("Amount spent")) : null;
            yield return new ImportRow(row.Line, "meta_ads", adId ?? Ids.Compose(campaign, adSet, adName),
                start == end ? FactMeaning.Daily : FactMeaning.Period, end,
                new Metrics(
                    Impressions: row.Count("Impressions"),
                    Reach: row.Count("Reach"),
                    Views: row.Count("ThruPlays"),
                    Reactions: row.Count("Post reactions"),
                    Comments: row.Count("Post comments"),
                    Shares: row.Count("Post shares"),
                    Clicks: row.Count("Link clicks"),
                    Spend: spend),
                Title: adName, Text: row.TextOrNull("Body", "Ad body"), PeriodStart: start == end ? null : start);
        }
    }
}

/// <summary>A parser that learned the currency of the figures from the file.</summary>
public interface IHasCurrency
{
    string? Currency { get; }
}

static class Ids
{
    /// <summary>A stable external id from names when the export gives no id; hashed when too long for the column.</summary>
    public static string Compose(params string[] parts)
    {
        var id = string.Join(" / ", parts.Where(p => p.Length > 0));
        return id.Length <= 200 ? id : id[..150] + "#" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(id)))[..32];
    }
}
