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

    public override IRowParser Begin(Header header, IReadOnlyList<string> preamble, ImportContext context)
    {
        var columns = new TemplateColumns(header);
        return new RowParser(row => One(ParseRow(row, columns)));
    }

    /// <summary>The template's columns, found once per file.</summary>
    sealed class TemplateColumns(Header h)
    {
        public readonly Column Platform = h.Find("platform"), ExternalId = h.Find("external_id"), Title = h.Find("title"),
            Text = h.Find("text"), Permalink = h.Find("permalink"), PublishedAt = h.Find("published_at"), Language = h.Find("language"),
            DurationSeconds = h.Find("duration_seconds"), Meaning = h.Find("meaning"), Date = h.Find("date"),
            PeriodStart = h.Find("period_start"), Impressions = h.Find("impressions"), Reach = h.Find("reach"), Views = h.Find("views"),
            WatchSeconds = h.Find("watch_seconds"), Reactions = h.Find("reactions"), Comments = h.Find("comments"),
            Shares = h.Find("shares"), Clicks = h.Find("clicks"), Saves = h.Find("saves"), Follows = h.Find("follows"),
            Spend = h.Find("spend");
    }

    static ImportRow ParseRow(CsvRow row, TemplateColumns c)
    {
        var platform = row.Required(c.Platform).ToLowerInvariant();
        if (!Platforms.Contains(platform))
            throw new CellException("platform", $"\"{platform}\" is not a platform Narratives knows ({string.Join(", ", Platforms)}).");
        var externalId = row.Required(c.ExternalId);
        if (externalId.Length > 200) throw new CellException("external_id", "The external id is longer than 200 characters.");
        var meaningText = row.Required(c.Meaning).ToLowerInvariant();
        var meaning = meaningText switch
        {
            "daily" => FactMeaning.Daily,
            "cumulative" => FactMeaning.Cumulative,
            "period" => FactMeaning.Period,
            _ => throw new CellException("meaning", $"\"{meaningText}\" is not a meaning: use daily, cumulative or period."),
        };
        var day = row.Date(c.Date) ?? throw new CellException("date", "This column is empty; it is required.");
        var periodStart = row.Date(c.PeriodStart);
        if (meaning == FactMeaning.Period)
        {
            if (periodStart is null) throw new CellException("period_start", "A period total needs the first day of its period.");
            if (periodStart > day) throw new CellException("period_start", "The period starts after it ends.");
            if (periodStart == day) meaning = FactMeaning.Daily;
        }
        var language = row.TextOrNull(c.Language)?.ToLowerInvariant();
        if (language is not null && (language.Length != 2 || !char.IsAsciiLetterLower(language[0]) || !char.IsAsciiLetterLower(language[1])))
            throw new CellException("language", $"\"{language}\" is not a two-letter language code such as en, fr or ar.");
        var duration = row.Count(c.DurationSeconds);
        var metrics = new Metrics(
            Impressions: row.Count(c.Impressions), Reach: row.Count(c.Reach), Views: row.Count(c.Views),
            WatchSeconds: row.Count(c.WatchSeconds), Reactions: row.Count(c.Reactions), Comments: row.Count(c.Comments),
            Shares: row.Count(c.Shares), Clicks: row.Count(c.Clicks), Saves: row.Count(c.Saves), Follows: row.Count(c.Follows),
            Spend: row.Decimal(c.Spend));
        return new ImportRow(row.Line, platform, externalId, meaning, day, metrics,
            Title: row.TextOrNull(c.Title), Text: row.TextOrNull(c.Text), Permalink: row.TextOrNull(c.Permalink),
            PublishedAt: row.Timestamp(c.PublishedAt), DurationSeconds: duration is null ? null : (int)Math.Min(duration.Value, int.MaxValue),
            Language: language, PeriodStart: meaning == FactMeaning.Period ? periodStart : null);
    }
}
