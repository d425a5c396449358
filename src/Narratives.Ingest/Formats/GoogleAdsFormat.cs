using System.Text.RegularExpressions;

namespace Narratives.Ingest.Formats;

/// <summary>
/// Google Ads campaign and video reports: a report title and its date range on the two lines before the header,
/// <c>--</c> for not applicable, percentages as text, thousands separators, a currency column, and totals rows at the
/// end ("Total: …") that are never counted. With a Day column each row is a daily value; otherwise a total over the
/// date range.
/// </summary>
public sealed partial class GoogleAdsFormat : CsvFormat
{
    public override string Name => "google_ads";
    public override string Description => "Google Ads campaign or video report (two title lines, then Campaign or Video, Currency code, Impr., Cost, …)";

    public override bool Matches(Header header) =>
        header.Has("Currency code") && header.IndexOf("Impr.", "Impressions") >= 0 && header.IndexOf("Campaign", "Video") >= 0;

    public override IRowParser Begin(Header header, IReadOnlyList<string> preamble, ImportContext context)
    {
        var hasDay = header.Has("Day");
        (DateOnly From, DateOnly To)? period = null;
        foreach (var line in preamble)
        {
            var parts = RangeSeparator().Split(line.Trim().Trim('"'));
            if (parts.Length == 2)
            {
                try
                {
                    if (Values.Date(parts[0], "date range") is { } from && Values.Date(parts[1], "date range") is { } to)
                        period = (from, to);
                }
                catch (CellException)
                {
                }
            }
        }
        if (period is null && !hasDay)
            throw new FileRejectedException("This Google Ads report has neither a Day column nor its date range on the line before the header (such as \"November 1, 2026 - November 22, 2026\"). Nothing was imported.");
        var isVideo = header.Has("Video");
        return new Parser(hasDay, period, isVideo);
    }

    sealed class Parser(bool hasDay, (DateOnly From, DateOnly To)? period, bool isVideo) : IRowParser, IHasCurrency
    {
        public string? Currency { get; private set; }

        public IEnumerable<ImportRow> Parse(CsvRow row)
        {
            var first = row.At(0);
            if (first.StartsWith("Total", StringComparison.OrdinalIgnoreCase)) return [];
            var campaign = row.Text("Campaign");
            string externalId, title;
            string? permalink = null;
            if (isVideo)
            {
                var video = row.Required("Video");
                var url = row.TextOrNull("Video URL", "Video url");
                var id = row.TextOrNull("Video ID") ?? (url is not null && YouTubeId().Match(url) is { Success: true } m ? m.Groups[1].Value : video);
                externalId = Ids.Compose(campaign, "video " + id);
                title = video;
                permalink = url;
            }
            else
            {
                title = row.Required("Campaign");
                externalId = row.TextOrNull("Campaign ID") ?? Ids.Compose(title);
            }
            var code = row.TextOrNull("Currency code");
            if (code is { Length: 3 }) Currency ??= code.ToUpperInvariant();
            DateOnly day, start;
            if (hasDay)
                day = start = row.Date("Day") ?? throw new CellException("Day", "This column is empty; it is required.");
            else
                (start, day) = period!.Value;
            return One(new ImportRow(row.Line, "google_ads", externalId, start == day ? FactMeaning.Daily : FactMeaning.Period, day,
                new Metrics(
                    Impressions: row.Count("Impr.", "Impressions"),
                    Views: row.Count("Views", "TrueView views"),
                    Clicks: row.Count("Clicks"),
                    Spend: row.Decimal("Cost")),
                Title: title, Permalink: permalink, PeriodStart: start == day ? null : start));
        }
    }

    [GeneratedRegex(@"\s+[-–—]\s+")]
    private static partial Regex RangeSeparator();

    [GeneratedRegex(@"(?:v=|youtu\.be/|/shorts/)([A-Za-z0-9_-]{11})")]
    private static partial Regex YouTubeId();
}
