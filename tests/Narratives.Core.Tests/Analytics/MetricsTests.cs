using Narratives.Core.Analytics;

namespace Narratives.Core.Tests.Analytics;

public sealed class MetricsTests
{
    // 10,000 impressions to 4,000 people, 3,000 of the impressions paid for 45.00; 1,000 views of videos lasting 60 s
    // watched for 24,000 s in all; 300 reactions, 50 comments, 40 shares, 10 saves, 100 clicks.
    static readonly MetricTotals Sample = new(Items: 12, Impressions: 10_000, Reach: 4_000, Views: 1_000, WatchSeconds: 24_000, Reactions: 300,
        Comments: 50, Shares: 40, Clicks: 100, Saves: 10, Follows: 5, Spend: 45m, ViewDurationSeconds: 60_000, TimedWatchSeconds: 24_000,
        PaidImpressions: 3_000, Conversions: 7);

    [Theory]
    [InlineData("impressions", 10_000)]
    [InlineData("frequency", 2.5)]
    [InlineData("watch_hours", 6.6666667)]
    [InlineData("watch_through", 0.4)]
    [InlineData("earned_share", 0.7)]
    [InlineData("engagements", 500)]
    [InlineData("engagement_rate_impressions", 0.05)]
    [InlineData("engagement_rate_reach", 0.125)]
    [InlineData("ctr", 0.01)]
    [InlineData("cpm", 15)]
    [InlineData("cpc", 0.45)]
    [InlineData("cpv", 0.045)]
    [InlineData("cpe", 0.09)]
    [InlineData("conversions", 7)]
    public void Each_metric_matches_the_hand_computed_value(string key, double expected) =>
        Assert.Equal(expected, Metrics.Get(key).Compute(Sample)!.Value, 6);

    [Theory]
    [InlineData("frequency")]
    [InlineData("watch_through")]
    [InlineData("earned_share")]
    [InlineData("engagement_rate_impressions")]
    [InlineData("engagement_rate_reach")]
    [InlineData("ctr")]
    [InlineData("cpm")]
    [InlineData("cpc")]
    public void A_rate_over_nothing_is_missing_not_zero(string key) =>
        Assert.Null(Metrics.Get(key).Compute(MetricTotals.Zero));

    [Fact]
    public void Costs_are_missing_without_spend_rather_than_free()
    {
        var organic = Sample with { Spend = 0, PaidImpressions = 0 };
        Assert.Null(Metrics.Get("cpc").Compute(organic));
        Assert.Null(Metrics.Get("cpm").Compute(organic));
        Assert.Equal(1.0, Metrics.Get("earned_share").Compute(organic));
    }

    [Fact]
    public void Change_against_the_previous_period()
    {
        Assert.Equal(0.25, Metrics.Change(800, 1000));
        Assert.Equal(-0.5, Metrics.Change(1000, 500));
        Assert.Null(Metrics.Change(0, 500));
        Assert.Null(Metrics.Change(null, 500));
    }

    [Fact]
    public void Every_metric_is_defined_once_with_its_meaning()
    {
        Assert.Equal(Metrics.All.Count, Metrics.All.Select(m => m.Key).Distinct().Count());
        Assert.All(Metrics.All, m => Assert.False(string.IsNullOrWhiteSpace(m.Meaning)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Metrics.Get("likes"));
    }
}
