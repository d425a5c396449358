using System.Text.RegularExpressions;

namespace Narratives.Ingest.Formats;

/// <summary>
/// TikTok exports write dates without a year and numbers abbreviated (1.2K, 3,4 M), with headers in the account's
/// language. The year comes from the export's period: the dates in the file name TikTok gives it
/// (…_2026-10-24_2026-11-22.csv), or else the period ending on the import's as-of date.
/// </summary>
static partial class TikTokPeriod
{
    public static DateOnly End(ImportContext context)
    {
        var m = FileDates().Matches(context.FileName);
        if (m.Count > 0 && DateOnly.TryParse(m[^1].Value.Replace('_', '-'), out var end)) return end;
        var compact = CompactDates().Match(context.FileName);
        if (compact.Success && DateOnly.TryParseExact(compact.Groups[2].Value, "yyyyMMdd", out end)) return end;
        return context.AsOf;
    }

    [GeneratedRegex(@"\d{4}-\d{2}-\d{2}")]
    private static partial Regex FileDates();

    [GeneratedRegex(@"(\d{8})-(\d{8})")]
    private static partial Regex CompactDates();

    [GeneratedRegex(@"/video/(\d+)")]
    public static partial Regex VideoId();
}

/// <summary>TikTok content export: one row per video, lifetime totals at the end of the export's period.</summary>
public sealed class TikTokContentFormat : CsvFormat
{
    public override string Name => "tiktok_content";
    public override string Description => "TikTok content export (Video title, Video link, Post time, Total views, … ; English or French headers)";

    public override bool Matches(Header header) =>
        header.IndexOf("Video link", "Lien de la vidéo", "Lien de la video") >= 0 &&
        header.IndexOf("Post time", "Heure de publication", "Date de publication") >= 0;

    public override IRowParser Begin(Header header, IReadOnlyList<string> preamble, ImportContext context)
    {
        var end = TikTokPeriod.End(context);
        return new RowParser(row =>
        {
            var link = row.Required("Video link", "Lien de la vidéo", "Lien de la video");
            var m = TikTokPeriod.VideoId().Match(link);
            if (!m.Success) throw new CellException(row.ColumnName("Video link", "Lien de la vidéo"), $"\"{link}\" is not a TikTok video link (…/video/123…).");
            var posted = row.Text("Post time", "Heure de publication", "Date de publication");
            var postedColumn = row.ColumnName("Post time", "Heure de publication", "Date de publication");
            DateTimeOffset? publishedAt = posted.Length == 0 ? null
                : new DateTimeOffset(Values.DayWithoutYear(posted, postedColumn, end).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            return One(new ImportRow(row.Line, "tiktok", m.Groups[1].Value, FactMeaning.Cumulative, end,
                new Metrics(
                    Views: row.Count("Total views", "Vues totales", "Nombre total de vues"),
                    Reactions: row.Count("Total likes", "J'aime totaux", "Nombre total de J'aime"),
                    Comments: row.Count("Total comments", "Commentaires totaux", "Nombre total de commentaires"),
                    Shares: row.Count("Total shares", "Partages totaux", "Nombre total de partages"),
                    Saves: row.Count("Total saves", "Enregistrements totaux")),
                Title: row.TextOrNull("Video title", "Titre de la vidéo", "Titre de la video"), Permalink: link, PublishedAt: publishedAt));
        });
    }
}

/// <summary>TikTok overview export: one row per day for the whole account.</summary>
public sealed class TikTokOverviewFormat : CsvFormat
{
    public override string Name => "tiktok_overview";
    public override string Description => "TikTok overview export (Date, Video Views, Profile Views, Likes, Comments, Shares; English or French headers)";

    public override bool Matches(Header header) =>
        header.Has("Date") && header.IndexOf("Video Views", "Vues de vidéos", "Vues des vidéos") >= 0 &&
        header.IndexOf("Profile Views", "Vues du profil") >= 0;

    public override IRowParser Begin(Header header, IReadOnlyList<string> preamble, ImportContext context)
    {
        var end = TikTokPeriod.End(context);
        var externalId = $"account-of-campaign-{context.CampaignId}";
        return new RowParser(row => One(new ImportRow(row.Line, "tiktok", externalId, FactMeaning.Daily,
            Values.DayWithoutYear(row.Required("Date"), row.ColumnName("Date"), end),
            new Metrics(
                Views: row.Count("Video Views", "Vues de vidéos", "Vues des vidéos"),
                Clicks: row.Count("Profile Views", "Vues du profil"),
                Reactions: row.Count("Likes", "J'aime"),
                Comments: row.Count("Comments", "Commentaires"),
                Shares: row.Count("Shares", "Partages")),
            Title: "TikTok account (account-level figures)")));
    }
}
