using System.Security.Cryptography;
using System.ServiceModel.Syndication;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml;

namespace Narratives.Ingest.Formats;

/// <summary>
/// An RSS or Atom feed (a blog, a YouTube channel feed): each entry becomes a content item, with no figures. YouTube
/// channel feed entries become YouTube items keyed by their video id, so they meet the same videos' Studio exports.
/// </summary>
public static partial class FeedFormat
{
    public const string Name = "feed";
    public const string DescriptionText = "an RSS or Atom feed";

    public static ParsedFile Open(string path, ImportContext context)
    {
        SyndicationFeed feed;
        try
        {
            using var xml = XmlReader.Create(path, new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null });
            feed = SyndicationFeed.Load(xml);
        }
        catch (Exception ex) when (ex is XmlException or InvalidOperationException or FormatException)
        {
            throw new FileRejectedException($"This XML file is not a readable RSS or Atom feed ({ex.Message}). Nothing was imported.");
        }
        var items = feed.Items.ToList();
        if (items.Count == 0) throw new FileRejectedException("The feed has no entries. Nothing was imported.");
        ParsedFile? parsed = null;
        parsed = new ParsedFile(Name, DescriptionText, () => Read(items, context, () => parsed!));
        return parsed;
    }

    static IEnumerable<ParseItem> Read(List<SyndicationItem> items, ImportContext context, Func<ParsedFile> file)
    {
        var position = 0;
        foreach (var item in items)
        {
            position++;
            file().RecordsRead++;
            var link = item.Links.FirstOrDefault(l => l.RelationshipType is null or "alternate")?.Uri?.ToString();
            var id = item.Id ?? link;
            if (string.IsNullOrWhiteSpace(id))
            {
                yield return new ParseItem(null, new RowError(position, "id", "This entry has neither an id nor a link.", item.Title?.Text, context.FileName));
                continue;
            }
            var platform = "feed";
            if (id.StartsWith("yt:video:", StringComparison.Ordinal))
            {
                platform = "youtube";
                id = id["yt:video:".Length..];
            }
            else if (id.Length > 200)
            {
                id = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(id)));
            }
            var published = item.PublishDate != default ? item.PublishDate : item.LastUpdatedTime != default ? item.LastUpdatedTime : (DateTimeOffset?)null;
            var summary = item.Summary?.Text ?? (item.Content as TextSyndicationContent)?.Text;
            if (summary is null && item.ElementExtensions.Any(e => e.OuterName == "group"))
                summary = item.ElementExtensions.First(e => e.OuterName == "group").GetReader().ReadInnerXml();
            yield return new ParseItem(new ImportRow(position, platform, id, FactMeaning.None, context.AsOf, Metrics.Empty,
                Title: item.Title?.Text?.Trim(), Text: summary is null ? null : PlainText(summary), Permalink: link,
                PublishedAt: published?.ToUniversalTime()), null);
        }
    }

    /// <summary>Feed summaries are HTML; classification wants the words.</summary>
    static string PlainText(string html)
    {
        var text = Tags().Replace(html, " ");
        text = System.Net.WebUtility.HtmlDecode(text);
        return Spaces().Replace(text, " ").Trim();
    }

    [GeneratedRegex("<[^>]*>")]
    private static partial Regex Tags();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();
}
