using Narratives.Core.Campaigns;

namespace Narratives.Core.Tests.Campaigns;

public sealed class KpiProgressTests
{
    static readonly DateOnly Start = new(2026, 1, 1), Deadline = new(2026, 1, 11);

    static CampaignDay Day(int day, long reach, long clicks = 0, long watchSeconds = 0) =>
        new(new DateOnly(2026, 1, day), 0, reach, 0, clicks, clicks, watchSeconds, 0);

    [Fact]
    public void Half_the_time_and_half_the_target_is_on_track()
    {
        var s = KpiProgress.Assess(1, "reach", 1000, Deadline, "", Start, [Day(2, 250), Day(5, 250)], new DateOnly(2026, 1, 6));
        Assert.Equal(500, s.Current);
        Assert.Equal(0.5, s.Fraction, 3);
        Assert.Equal(0.5, s.ExpectedFraction, 3);
        Assert.Equal(KpiState.OnTrack, s.State);
    }

    [Fact]
    public void Behind_when_progress_trails_time_and_missed_after_the_deadline()
    {
        IReadOnlyList<CampaignDay> days = [Day(2, 100)];
        Assert.Equal(KpiState.Behind, KpiProgress.Assess(1, "reach", 1000, Deadline, "", Start, days, new DateOnly(2026, 1, 6)).State);
        Assert.Equal(KpiState.Missed, KpiProgress.Assess(1, "reach", 1000, Deadline, "", Start, days, new DateOnly(2026, 2, 1)).State);
        Assert.Equal(KpiState.NotStarted, KpiProgress.Assess(1, "reach", 1000, Deadline, "", Start, [], new DateOnly(2025, 12, 1)).State);
    }

    [Fact]
    public void Figures_after_the_deadline_do_not_count_and_reaching_the_target_is_achieved()
    {
        var s = KpiProgress.Assess(1, "clicks", 10, Deadline, "", Start, [Day(3, 0, clicks: 10), Day(20, 0, clicks: 99)], new DateOnly(2026, 2, 1));
        Assert.Equal(10, s.Current);
        Assert.Equal(KpiState.Achieved, s.State);
    }

    [Fact]
    public void Watch_hours_come_from_seconds()
    {
        Assert.Equal(1.5m, KpiProgress.CurrentValue("watch_hours", [Day(2, 0, watchSeconds: 5400)]));
    }
}
