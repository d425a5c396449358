namespace Narratives.Core.Analytics;

/// <summary>Sums of the platforms' figures over some slice of the data; the raw material of every metric.</summary>
public sealed record MetricTotals(
    long Items, long Impressions, long Reach, long Views, long WatchSeconds, long Reactions, long Comments, long Shares, long Clicks,
    long Saves, long Follows, decimal Spend, long ViewDurationSeconds, long TimedWatchSeconds, long PaidImpressions, long Conversions = 0)
{
    public static readonly MetricTotals Zero = new(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    /// <summary>Reactions + comments + shares + saves + clicks: what every platform's export lets us count alike.</summary>
    public long Engagements => Reactions + Comments + Shares + Saves + Clicks;
}

public enum MetricGroup { Awareness, Engagement, Outcome }

/// <summary>A process measure says what the campaign did and who saw it; an outcome measure, what changed because of it.</summary>
public enum MetricKind { Process, Outcome }

public enum MetricUnit { Count, Ratio, Percent, Hours, Money }

/// <summary>One metric, defined once: how it is computed, what it means, and whether it measures process or outcome.</summary>
public sealed record MetricDefinition(string Key, MetricGroup Group, MetricKind Kind, MetricUnit Unit, string Formula, string Meaning,
    Func<MetricTotals, double?> Compute);

/// <summary>
/// The metrics of Narratives. A rate whose denominator is zero is missing (null), never zero. Every figure keeps the
/// platforms' own definitions: a total across platforms adds, say, YouTube views to Facebook views, and pages say so.
/// </summary>
public static class Metrics
{
    static double? Ratio(double numerator, double denominator) => denominator > 0 ? numerator / denominator : null;

    public static readonly IReadOnlyList<MetricDefinition> All =
    [
        new("impressions", MetricGroup.Awareness, MetricKind.Process, MetricUnit.Count, "impressions",
            "Times the content was shown, as each platform counts them.", t => t.Impressions),
        new("reach", MetricGroup.Awareness, MetricKind.Process, MetricUnit.Count, "sum of daily reach",
            "People reached, unique within a day and platform as the platform defines it; summed over days it is an upper bound of unique reach.", t => t.Reach),
        new("frequency", MetricGroup.Awareness, MetricKind.Process, MetricUnit.Ratio, "impressions ÷ reach",
            "How many times, on average, a person reached saw the content.", t => Ratio(t.Impressions, t.Reach)),
        new("views", MetricGroup.Awareness, MetricKind.Process, MetricUnit.Count, "views",
            "Video views by each platform's definition (YouTube, Facebook and TikTok count a view differently).", t => t.Views),
        new("watch_hours", MetricGroup.Awareness, MetricKind.Process, MetricUnit.Hours, "watch seconds ÷ 3,600",
            "Time spent watching.", t => t.WatchSeconds / 3600.0),
        new("watch_through", MetricGroup.Awareness, MetricKind.Process, MetricUnit.Percent, "average seconds viewed ÷ duration",
            "How much of a video people watched on average, over videos whose duration is known.", t => Ratio(t.TimedWatchSeconds, t.ViewDurationSeconds)),
        new("earned_share", MetricGroup.Awareness, MetricKind.Process, MetricUnit.Percent, "organic impressions ÷ impressions",
            "The share of impressions that were not paid for (ads platforms or any spend count as paid).", t => Ratio(t.Impressions - t.PaidImpressions, t.Impressions)),
        new("engagements", MetricGroup.Engagement, MetricKind.Process, MetricUnit.Count, "reactions + comments + shares + saves + clicks",
            "Interactions with the content. Facebook reactions, Instagram and X likes and TikTok likes count as reactions; X reposts and TikTok shares as shares.", t => t.Engagements),
        new("engagement_rate_impressions", MetricGroup.Engagement, MetricKind.Process, MetricUnit.Percent, "engagements ÷ impressions",
            "Engagement rate by impressions.", t => Ratio(t.Engagements, t.Impressions)),
        new("engagement_rate_reach", MetricGroup.Engagement, MetricKind.Process, MetricUnit.Percent, "engagements ÷ reach",
            "Engagement rate by reach.", t => Ratio(t.Engagements, t.Reach)),
        new("ctr", MetricGroup.Engagement, MetricKind.Process, MetricUnit.Percent, "clicks ÷ impressions",
            "Click-through rate.", t => Ratio(t.Clicks, t.Impressions)),
        new("cpm", MetricGroup.Engagement, MetricKind.Process, MetricUnit.Money, "spend ÷ impressions × 1,000",
            "Cost per thousand impressions, over the slices that report spend.", t => Ratio((double)t.Spend * 1000, t.PaidImpressions)),
        new("cpc", MetricGroup.Engagement, MetricKind.Process, MetricUnit.Money, "spend ÷ clicks", "Cost per click.", t => t.Spend > 0 ? Ratio((double)t.Spend, t.Clicks) : null),
        new("cpv", MetricGroup.Engagement, MetricKind.Process, MetricUnit.Money, "spend ÷ views", "Cost per view.", t => t.Spend > 0 ? Ratio((double)t.Spend, t.Views) : null),
        new("cpe", MetricGroup.Engagement, MetricKind.Process, MetricUnit.Money, "spend ÷ engagements", "Cost per engagement.", t => t.Spend > 0 ? Ratio((double)t.Spend, t.Engagements) : null),
        new("conversions", MetricGroup.Outcome, MetricKind.Outcome, MetricUnit.Count, "conversions recorded",
            "Actions the call to action asked for (helpline calls, sign-ups, referrals, attendance), as the partner recorded them.", t => t.Conversions),
    ];

    public static MetricDefinition Get(string key) =>
        All.FirstOrDefault(m => m.Key == key) ?? throw new ArgumentOutOfRangeException(nameof(key), key, "Not a metric of Narratives.");

    public static bool IsMetric(string key) => All.Any(m => m.Key == key);

    /// <summary>The relative change from one period to the next; null when the earlier value is missing or zero.</summary>
    public static double? Change(double? previous, double? current) =>
        previous is { } p && current is { } c && p != 0 ? (c - p) / Math.Abs(p) : null;
}
