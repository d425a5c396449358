using Narratives.Core.Analytics;

namespace Narratives.Core.Tests.Analytics;

public sealed class ProportionsTests
{
    // Reference values: Newcombe RG (1998), "Two-sided confidence intervals for the single proportion", Statistics in
    // Medicine 17:857-872, table I, method 3 (score interval without continuity correction).
    [Theory]
    [InlineData(81, 263, 0.2553, 0.3662)]
    [InlineData(15, 148, 0.0624, 0.1605)]
    [InlineData(0, 20, 0.0, 0.1611)]
    [InlineData(1, 29, 0.0061, 0.1718)]
    public void Wilson_intervals_match_the_published_values(int k, int n, double low, double high)
    {
        var rate = Proportions.Wilson(k, n);
        Assert.Equal(low, rate.Low, 4);
        Assert.Equal(high, rate.High, 4);
        Assert.Equal((double)k / n, rate.Value, 10);
    }

    // Newcombe RG (1998), "Interval estimation for the difference between independent proportions", Statistics in
    // Medicine 17:873-890, table II, example (a) 56/70 vs 48/80, method 10.
    [Fact]
    public void The_difference_interval_matches_newcombes_hybrid_score_method()
    {
        var c = Proportions.Compare(48, 80, 56, 70);
        Assert.Equal(0.2000, c.Difference, 4);
        Assert.Equal(0.0524, c.Low, 4);
        Assert.Equal(0.3339, c.High, 4);
        Assert.Equal(ComparisonVerdict.SecondHigher, c.Verdict);
    }

    [Fact]
    public void The_two_proportion_test_gives_the_textbook_p_value()
    {
        // 48/80 vs 56/70: pooled p = 104/150, z = 2.6502 → two-sided p = 0.0080.
        Assert.Equal(0.0080, Proportions.Compare(48, 80, 56, 70).PValue, 4);
    }

    [Fact]
    public void Equal_rates_are_no_detectable_difference_and_small_groups_too_few()
    {
        var same = Proportions.Compare(50, 100, 52, 100);
        Assert.Equal(ComparisonVerdict.NoDetectableDifference, same.Verdict);
        Assert.True(same.MoreNeededPerGroup > 1000);
        Assert.Equal(ComparisonVerdict.TooFewObservations, Proportions.Compare(2, 10, 6, 10).Verdict);
        Assert.Equal(ComparisonVerdict.TooFewObservations, Proportions.Compare(0, 0, 6, 10).Verdict);
        Assert.Equal(ComparisonVerdict.FirstHigher, Proportions.Compare(70, 100, 40, 100).Verdict);
    }

    [Fact]
    public void Sample_size_for_ten_points_from_half_is_about_four_hundred_per_group()
    {
        // Fleiss: p1 = 0.5, p2 = 0.6, alpha 0.05 two-sided, power 0.8 → 388 per group (without continuity correction).
        Assert.InRange(Proportions.SampleSizePerGroup(0.5, 0.6), 385, 390);
    }
}
