using System.Text.RegularExpressions;

namespace Narratives.Ingest.Formats;

/// <summary>X (Twitter) post analytics export, current layout: one row per post, totals as of the export date.</summary>
public sealed partial class XPostsFormat : CsvFormat
{
    public override string Name => "x_posts";
    public override string Description => "X post export (Post id, Date, Post text, Post Link, Impressions, Likes, …)";

    public override bool Matches(Header header) => header.HasAll("Post id", "Post Link", "Impressions");

    public override IRowParser Begin(Header header, IReadOnlyList<string> preamble, ImportContext context) => new RowParser(row =>
    {
        var link = row.TextOrNull("Post Link");
        return One(new ImportRow(row.Line, "x", RecoverId(row.Text("Post id"), link, row.ColumnName("Post id")), FactMeaning.Cumulative, context.AsOf,
            new Metrics(
                Impressions: row.Count("Impressions"),
                Reactions: row.Count("Likes"),
                Comments: row.Count("Replies"),
                Shares: CsvRow.Sum(row.Count("Reposts"), row.Count("Shares")),
                Clicks: row.Count("URL Clicks"),
                Saves: row.Count("Bookmarks"),
                Follows: row.Count("New follows")),
            Text: row.TextOrNull("Post text"), Permalink: link, PublishedAt: row.Timestamp("Date")));
    });

    /// <summary>
    /// Post ids are 19 digits; a spreadsheet turns them into 1.73E+18, losing digits. The permalink still has the id.
    /// </summary>
    internal static string RecoverId(string id, string? permalink, string column)
    {
        if (id.Length > 0 && id.All(char.IsAsciiDigit)) return id;
        if (permalink is not null && StatusId().Match(permalink) is { Success: true } m) return m.Groups[1].Value;
        if (id.Length == 0) throw new CellException(column, "This column is empty; it is required.");
        throw new CellException(column, $"The id \"{id}\" was shortened by a spreadsheet and the permalink does not give it back.");
    }

    [GeneratedRegex(@"/status(?:es)?/(\d+)")]
    private static partial Regex StatusId();
}

/// <summary>X (Twitter) analytics export, classic layout (Tweet id, Tweet permalink, time, impressions, …).</summary>
public sealed class XClassicFormat : CsvFormat
{
    public override string Name => "x_classic";
    public override string Description => "X classic tweet activity export (Tweet id, Tweet permalink, Tweet text, time, impressions, …)";

    public override bool Matches(Header header) => header.HasAll("Tweet id", "Tweet permalink", "impressions");

    public override IRowParser Begin(Header header, IReadOnlyList<string> preamble, ImportContext context) => new RowParser(row =>
    {
        var link = row.TextOrNull("Tweet permalink");
        return One(new ImportRow(row.Line, "x", XPostsFormat.RecoverId(row.Text("Tweet id"), link, row.ColumnName("Tweet id")), FactMeaning.Cumulative,
            context.AsOf,
            new Metrics(
                Impressions: row.Count("impressions"),
                Views: row.Count("media views"),
                Reactions: row.Count("likes"),
                Comments: row.Count("replies"),
                Shares: row.Count("retweets"),
                Clicks: row.Count("url clicks"),
                Follows: row.Count("follows")),
            Text: row.TextOrNull("Tweet text"), Permalink: link, PublishedAt: row.Timestamp("time")));
    });
}
