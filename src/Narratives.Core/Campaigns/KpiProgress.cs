namespace Narratives.Core.Campaigns;

/// <summary>A campaign's figures for one day, summed over its content, in the platforms' own definitions.</summary>
public sealed record CampaignDay(DateOnly Day, long Impressions, long Reach, long Views, long Engagements, long Clicks, long WatchSeconds, long Conversions);

public enum KpiState { NotStarted, OnTrack, Behind, Achieved, Missed }

/// <summary>Where one KPI stands: its current value against its target, and whether that is on track for its deadline.</summary>
public sealed record KpiStanding(long KpiId, string Metric, decimal Target, DateOnly Deadline, string Description, decimal Current,
    double Fraction, double ExpectedFraction, KpiState State);

/// <summary>
/// KPI progress. The current value counts what happened from the campaign's start up to the deadline. A KPI is on track
/// when the share of its target reached is at least the share of the time to its deadline that has passed (a straight
/// line from start to deadline): simple, and what a partner can check by hand.
/// </summary>
public static class KpiProgress
{
    public static decimal CurrentValue(string metric, IEnumerable<CampaignDay> days) => metric switch
    {
        "impressions" => days.Sum(d => (decimal)d.Impressions),
        // The sum of daily reach: people reached on several days count again. Platforms do not export unique reach over
        // arbitrary periods, so this is an upper bound; the campaign page says so.
        "reach" => days.Sum(d => (decimal)d.Reach),
        "views" => days.Sum(d => (decimal)d.Views),
        "engagements" => days.Sum(d => (decimal)d.Engagements),
        "clicks" => days.Sum(d => (decimal)d.Clicks),
        "conversions" => days.Sum(d => (decimal)d.Conversions),
        "watch_hours" => Math.Round(days.Sum(d => (decimal)d.WatchSeconds) / 3600m, 1),
        _ => throw new ArgumentOutOfRangeException(nameof(metric), metric, "Not a KPI metric."),
    };

    public static KpiStanding Assess(long kpiId, string metric, decimal target, DateOnly deadline, string description, DateOnly? campaignStart,
        IReadOnlyList<CampaignDay> days, DateOnly today)
    {
        var start = campaignStart ?? (days.Count > 0 ? days.Min(d => d.Day) : today);
        var counted = days.Where(d => d.Day >= start && d.Day <= deadline);
        var current = CurrentValue(metric, counted);
        var fraction = target > 0 ? (double)(current / target) : 0;
        var totalDays = deadline.DayNumber - start.DayNumber;
        var elapsed = Math.Clamp(today.DayNumber - start.DayNumber, 0, Math.Max(totalDays, 0));
        var expected = totalDays <= 0 ? 1.0 : (double)elapsed / totalDays;
        var state = current >= target ? KpiState.Achieved
            : today > deadline ? KpiState.Missed
            : today < start ? KpiState.NotStarted
            : fraction >= expected ? KpiState.OnTrack
            : KpiState.Behind;
        return new KpiStanding(kpiId, metric, target, deadline, description, current, fraction, expected, state);
    }
}
