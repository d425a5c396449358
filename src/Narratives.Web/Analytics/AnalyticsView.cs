using System.Globalization;
using Microsoft.AspNetCore.Components;
using Narratives.Core.Analytics;
using Narratives.Core.Reference;

namespace Narratives.Web.Analytics;

/// <summary>
/// The filters of an analytics page as they appear in its address (<c>?from=2026-08-25&amp;to=2026-11-22&amp;theme=literacy</c>).
/// Unknown values are dropped rather than trusted; the default period is the latest 90 days that have data.
/// </summary>
public sealed record AnalyticsView(AnalyticsFilter Filter, string Rate)
{
    public const int DefaultDays = 90;
    public static readonly string[] Platforms = ["facebook", "instagram", "youtube", "x", "tiktok", "meta_ads", "google_ads", "website", "feed", "offline", "other"];
    public static readonly string[] Regions = ["Africa", "Americas", "Asia", "Europe", "Oceania"];
    public static readonly string[] Languages = ["ar", "en", "fr"];
    public static readonly string[] Keys = ["from", "to", "region", "country", "theme", "audience", "platform", "language", "initiative", "campaign", "rate"];

    public static AnalyticsView Parse(IReadOnlyDictionary<string, string?> query, Taxonomy taxonomy, DateOnly lastDay)
    {
        string? Get(string key) => query.TryGetValue(key, out var v) && !string.IsNullOrWhiteSpace(v) ? v.Trim() : null;
        static DateOnly? Day(string? text) =>
            DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d : null;
        static long? Id(string? text) => long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null;

        var to = Day(Get("to")) ?? lastDay;
        var from = Day(Get("from")) ?? to.AddDays(-(DefaultDays - 1));
        if (from > to) (from, to) = (to, from);
        if (to.DayNumber - from.DayNumber > 3660) from = to.AddDays(-3660);
        var theme = Get("theme") is { } t && (taxonomy.IsTheme(t) || t == "unclassified") ? t : null;
        var audience = Get("audience") is { } a && (taxonomy.IsAudience(a) || a == "unclassified") ? a : null;
        var country = Get("country") is { } c && c.Length == 3 && c.All(char.IsAsciiLetterUpper) ? c : null;
        var filter = new AnalyticsFilter(from, to,
            Region: Get("region") is { } r && Regions.Contains(r) ? r : null,
            Country: country, Theme: theme, Audience: audience,
            Platform: Get("platform") is { } p && Platforms.Contains(p) ? p : null,
            // The audience rollup has no language: an audience filter wins.
            Language: audience is null && Get("language") is { } l && Languages.Contains(l) ? l : null,
            InitiativeId: Id(Get("initiative")), CampaignId: Id(Get("campaign")));
        return new AnalyticsView(filter, Get("rate") == "reach" ? "reach" : "impressions");
    }

    public static AnalyticsView FromUri(NavigationManager navigation, Taxonomy taxonomy, DateOnly lastDay)
    {
        var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(new Uri(navigation.Uri).Query);
        return Parse(query.ToDictionary(q => q.Key, q => (string?)q.Value.ToString()), taxonomy, lastDay);
    }

    public IReadOnlyDictionary<string, object?> Query() => Filter.ToQuery().ToDictionary(kv => kv.Key, kv => (object?)kv.Value)
        .Append(new KeyValuePair<string, object?>("rate", Rate == "reach" ? "reach" : null)).ToDictionary();

    /// <summary>The address of the same view with one filter changed (null removes it).</summary>
    public string With(NavigationManager navigation, string key, string? value)
    {
        var query = Query().ToDictionary();
        query[key] = value;
        return navigation.GetUriWithQueryParameters(query);
    }

    public string QueryString() => string.Join("&", Query().Where(kv => kv.Value is not null)
        .Select(kv => $"{kv.Key}={Uri.EscapeDataString(kv.Value!.ToString()!)}"));

    /// <summary>The engagement rate the person chose: by impressions (default) or by reach.</summary>
    public string RateMetric => Rate == "reach" ? "engagement_rate_reach" : "engagement_rate_impressions";
}
