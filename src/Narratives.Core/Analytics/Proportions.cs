using MathNet.Numerics.Distributions;

namespace Narratives.Core.Analytics;

/// <summary>A rate with its Wilson score interval: k successes out of n.</summary>
public sealed record Rate(long Successes, long Trials, double Value, double Low, double High);

public enum ComparisonVerdict { SecondHigher, FirstHigher, NoDetectableDifference, TooFewObservations }

/// <summary>
/// Two rates compared (A then B; pre then post; control then treatment): the difference B − A with Newcombe's hybrid
/// score interval, the two-sided p-value of the pooled two-proportion z-test, a verdict, and, when the data cannot
/// tell, roughly how many more observations per group a difference of this size would need.
/// </summary>
public sealed record RateComparison(Rate First, Rate Second, double Difference, double Low, double High, double PValue,
    ComparisonVerdict Verdict, long MoreNeededPerGroup);

/// <summary>Rates and differences of rates with honest intervals, at 95% unless told otherwise.</summary>
public static class Proportions
{
    public const double Confidence = 0.95;
    static readonly double Z = Normal.InvCDF(0, 1, 1 - (1 - Confidence) / 2);

    /// <summary>The Wilson score interval (Wilson 1927; Newcombe 1998, method 3): right near 0 and 1 and for small n.</summary>
    public static Rate Wilson(long successes, long trials)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(successes);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(successes, trials);
        if (trials == 0) return new Rate(0, 0, double.NaN, 0, 1);
        double n = trials, p = successes / n, z2 = Z * Z;
        var centre = (p + z2 / (2 * n)) / (1 + z2 / n);
        var half = Z / (1 + z2 / n) * Math.Sqrt(p * (1 - p) / n + z2 / (4 * n * n));
        return new Rate(successes, trials, p, Math.Max(0, centre - half), Math.Min(1, centre + half));
    }

    /// <summary>Compares two rates. "Too few observations" when either group has fewer than 5 successes or failures.</summary>
    public static RateComparison Compare(long firstSuccesses, long firstTrials, long secondSuccesses, long secondTrials)
    {
        var a = Wilson(firstSuccesses, firstTrials);
        var b = Wilson(secondSuccesses, secondTrials);
        if (firstTrials == 0 || secondTrials == 0)
            return new RateComparison(a, b, double.NaN, double.NaN, double.NaN, double.NaN, ComparisonVerdict.TooFewObservations, 0);

        var d = b.Value - a.Value;
        // Newcombe (1998b) method 10: the hybrid score interval from the two Wilson intervals.
        var low = d - Math.Sqrt(Math.Pow(b.Value - b.Low, 2) + Math.Pow(a.High - a.Value, 2));
        var high = d + Math.Sqrt(Math.Pow(b.High - b.Value, 2) + Math.Pow(a.Value - a.Low, 2));

        var pooled = (double)(firstSuccesses + secondSuccesses) / (firstTrials + secondTrials);
        var se = Math.Sqrt(pooled * (1 - pooled) * (1.0 / firstTrials + 1.0 / secondTrials));
        var pValue = se == 0 ? 1 : 2 * (1 - Normal.CDF(0, 1, Math.Abs(d) / se));

        var small = Math.Min(Math.Min(firstSuccesses, firstTrials - firstSuccesses), Math.Min(secondSuccesses, secondTrials - secondSuccesses)) < 5;
        var verdict = small ? ComparisonVerdict.TooFewObservations
            : low > 0 ? ComparisonVerdict.SecondHigher
            : high < 0 ? ComparisonVerdict.FirstHigher
            : ComparisonVerdict.NoDetectableDifference;
        var more = verdict is ComparisonVerdict.TooFewObservations or ComparisonVerdict.NoDetectableDifference
            ? Math.Max(0, SampleSizePerGroup(a.Value, b.Value) - Math.Min(firstTrials, secondTrials))
            : 0;
        return new RateComparison(a, b, d, low, high, pValue, verdict, more);
    }

    /// <summary>
    /// Observations per group for a two-sided test at 5% to detect the difference between p1 and p2 with 80% power
    /// (Fleiss); 0 when the rates are equal (no finite sample would).
    /// </summary>
    public static long SampleSizePerGroup(double p1, double p2, double power = 0.8)
    {
        var d = Math.Abs(p2 - p1);
        if (d == 0 || double.IsNaN(d)) return 0;
        var zb = Normal.InvCDF(0, 1, power);
        var mean = (p1 + p2) / 2;
        var n = Math.Pow(Z * Math.Sqrt(2 * mean * (1 - mean)) + zb * Math.Sqrt(p1 * (1 - p1) + p2 * (1 - p2)), 2) / (d * d);
        return (long)Math.Ceiling(n);
    }
}
