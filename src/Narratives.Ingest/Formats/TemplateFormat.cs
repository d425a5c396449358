namespace Narratives.Ingest.Formats;

/// <summary>
/// Narratives' own CSV for anything no platform export covers. One row per content item and date; the meaning column
/// says whether the figures are that day's (daily), lifetime totals as of that date (cumulative) or totals from
/// period_start to date (period).
/// </summary>
public sealed class TemplateFormat : CsvFormat
{
    public static readonly string[] Columns =
    [
        "platform", "external_id", "title", "text", "permalink", "published_at", "language", "duration_seconds",
        "meaning", "date", "period_start", "impressions", "reach", "views", "watch_seconds", "reactions", "comments",
        "shares", "clicks", "saves", "follows", "spend",
    ];

    public static readonly string[] Platforms =
        ["facebook", "instagram", "youtube", "x", "tiktok", "meta_ads", "google_ads", "website", "feed", "offline", "other"];

    public override string Name => "narratives_template";
    public override string Description => "the Narratives template CSV (platform, external_id, meaning, date, …)";

    public override bool Matches(Header header) => header.HasAll("platform", "external_id", "meaning", "date");

    public override IRowParser Begin(Header header, IReadOnlyList<string> preamble, ImportContext context) =>
        new RowParser(row => One(ParseRow(row)));

    static ImportRow ParseRow(CsvRow row)
    {
        var platform = row.Required("platform").ToLowerInvariant();
        if (!Platforms.Contains(platform))
            throw new CellException("platform", $"\"{platform}\" is not a platform Narratives knows ({string.Join(", ", Platforms)}).");
        var externalId = row.Required("external_id");
        if (externalId.Length > 200) throw new CellException("external_id", "The external id is longer than 200 characters.");
        var meaningText = row.Required("meaning").ToLowerInvariant();
        var meaning = meaningText switch
        {
            "daily" => FactMeaning.Daily,
            "cumulative" => FactMeaning.Cumulative,
            "period" => FactMeaning.Period,
            _ => throw new CellException("meaning", $"\"{meaningText}\" is not a meaning: use daily, cumulative or period."),
        };
        var day = row.Date("date") ?? throw new CellException("date", "This column is empty; it is required.");
        var periodStart = row.Date("period_start");
        if (meaning == FactMeaning.Period)
        {
            if (periodStart is null) throw new CellException("period_start", "A period total needs the first day of its period.");
            if (periodStart > day) throw new CellException("period_start", "The period starts after it ends.");
            if (periodStart == day) meaning = FactMeaning.Daily;
        }
        var language = row.TextOrNull("language")?.ToLowerInvariant();
        if (language is not null && (language.Length != 2 || !language.All(char.IsAsciiLetterLower)))
            throw new CellException("language", $"\"{language}\" is not a two-letter language code such as en, fr or ar.");
        var duration = row.Count("duration_seconds");
        return new ImportRow(row.Line, platform, externalId, meaning, day, ReadMetrics(row),
            Title: row.TextOrNull("title"), Text: row.TextOrNull("text"), Permalink: row.TextOrNull("permalink"),
            PublishedAt: row.Timestamp("published_at"), DurationSeconds: duration is null ? null : (int)Math.Min(duration.Value, int.MaxValue),
            Language: language, PeriodStart: meaning == FactMeaning.Period ? periodStart : null);
    }

    internal static Metrics ReadMetrics(CsvRow row) => new(
        Impressions: row.Count("impressions"), Reach: row.Count("reach"), Views: row.Count("views"),
        WatchSeconds: row.Count("watch_seconds"), Reactions: row.Count("reactions"), Comments: row.Count("comments"),
        Shares: row.Count("shares"), Clicks: row.Count("clicks"), Saves: row.Count("saves"), Follows: row.Count("follows"),
        Spend: row.Decimal("spend"));
}
