namespace Narratives.Core.Analytics;

/// <summary>The figures of one engagement fact, as stored (null: not reported).</summary>
public readonly record struct FactFigures(
    long? Impressions, long? Reach, long? Views, long? WatchSeconds, long? Reactions, long? Comments, long? Shares, long? Clicks,
    long? Saves, long? Follows, decimal? Spend);

/// <summary>A content item as the rollups group it (see the <c>rollup_*_source</c> views).</summary>
public sealed record RollupItem(long Id, string Theme, string Language, IReadOnlyList<string> Audiences, int? DurationSeconds)
{
    static readonly string[] Unclassified = ["unclassified"];

    /// <summary>An item no one has labelled and the classifier has not seen yet (one created by the running import).</summary>
    public static RollupItem Unlabelled(long id, string? language, int? durationSeconds) =>
        new(id, "unclassified", language ?? "", Unclassified, durationSeconds);
}

/// <summary>
/// The rollup rows that new facts add, summed here rather than by reading the facts again. For the facts of items
/// created in the same transaction, all added here at once, adding their sums to the rollups of their days gives the
/// rows the <c>rollup_*_source</c> views give, and the items' monthly content rows and running totals are theirs
/// alone. <see cref="RollupStore.AddAsync"/> writes them.
/// </summary>
public sealed class RollupDeltas
{
    internal sealed class Sums
    {
        public int Items;
        public long Impressions, Reach, Views, WatchSeconds, Reactions, Comments, Shares, Clicks, Saves, Follows, ViewDurationSeconds, TimedWatchSeconds, Engagements;
        public decimal Spend;
    }

    internal readonly Dictionary<(DateOnly Day, string Platform, string Theme, string Language, bool IsPaid), Sums> Daily = [];
    internal readonly Dictionary<(DateOnly Day, string Platform, string Theme, string Audience, bool IsPaid), Sums> Audience = [];
    internal readonly Dictionary<(DateOnly Month, long ItemId, string Platform), Sums> Content = [];

    public bool IsEmpty => Daily.Count == 0;
    public IEnumerable<DateOnly> Days => Daily.Keys.Select(k => k.Day).Distinct();

    /// <summary>Adds one fact of <paramref name="item"/> on <paramref name="day"/>.</summary>
    public void Add(RollupItem item, DateOnly day, string platform, FactFigures f)
    {
        // Stored spend is numeric(14, 2): the rollups sum the rounded amounts, and paid means some spend once rounded.
        var spend = f.Spend is { } s ? Math.Round(s, 2, MidpointRounding.AwayFromZero) : 0m;
        var paid = platform is "meta_ads" or "google_ads" || spend > 0;
        var timed = item.DurationSeconds > 0;
        checked
        {
            var d = Get(Daily, (day, platform, item.Theme, item.Language, paid));
            AddCommon(d, f, spend);
            d.WatchSeconds += f.WatchSeconds ?? 0;
            d.Follows += f.Follows ?? 0;
            if (timed && f.Views is { } views)
            {
                d.ViewDurationSeconds += views * item.DurationSeconds!.Value;
                d.TimedWatchSeconds += f.WatchSeconds ?? 0;
            }
            foreach (var audience in item.Audiences) AddCommon(Get(Audience, (day, platform, item.Theme, audience, paid)), f, spend);

            var c = Get(Content, (new DateOnly(day.Year, day.Month, 1), item.Id, platform));
            c.Impressions += f.Impressions ?? 0;
            c.Reach += f.Reach ?? 0;
            c.Views += f.Views ?? 0;
            c.Engagements += (f.Reactions ?? 0) + (f.Comments ?? 0) + (f.Shares ?? 0) + (f.Saves ?? 0) + (f.Clicks ?? 0);
        }
    }

    /// <summary>A row of <c>rollup_content_running</c>: an item's running totals, one element per month from its first.</summary>
    internal sealed record Running(long ItemId, string Platform, int FirstMonth, long[] Impressions, long[] Engagements, int[] Months);

    /// <summary>
    /// The content running totals of the items added here, per platform and over all platforms (platform ''), as
    /// <c>RollupStore</c>'s running totals give them from the monthly rows: valid when these are all the facts the
    /// items have (items created in the same transaction, whose facts all came through these deltas).
    /// </summary>
    internal IEnumerable<Running> RunningTotals()
    {
        static int MonthNumber(DateOnly month) => month.Year * 12 + month.Month - 1;
        foreach (var item in Content.GroupBy(c => c.Key.ItemId))
        {
            var series = item.GroupBy(c => c.Key.Platform)
                .Select(p => (Platform: p.Key, Months: p.ToDictionary(c => MonthNumber(c.Key.Month), c => (c.Value.Impressions, c.Value.Engagements))))
                .ToList();
            var all = item.GroupBy(c => MonthNumber(c.Key.Month))
                .ToDictionary(g => g.Key, g => (Impressions: g.Sum(c => c.Value.Impressions), Engagements: g.Sum(c => c.Value.Engagements)));
            series.Add(("", all));
            foreach (var (platform, months) in series)
            {
                var first = months.Keys.Min();
                var length = months.Keys.Max() - first + 1;
                var impressions = new long[length];
                var engagements = new long[length];
                var counted = new int[length];
                long i = 0, e = 0;
                var n = 0;
                for (var k = 0; k < length; k++)
                {
                    if (months.TryGetValue(first + k, out var m))
                    {
                        i = checked(i + m.Impressions);
                        e = checked(e + m.Engagements);
                        n++;
                    }
                    (impressions[k], engagements[k], counted[k]) = (i, e, n);
                }
                yield return new Running(item.Key, platform, first, impressions, engagements, counted);
            }
        }
    }

    static void AddCommon(Sums s, FactFigures f, decimal spend)
    {
        checked
        {
            s.Items++;
            s.Impressions += f.Impressions ?? 0;
            s.Reach += f.Reach ?? 0;
            s.Views += f.Views ?? 0;
            s.Reactions += f.Reactions ?? 0;
            s.Comments += f.Comments ?? 0;
            s.Shares += f.Shares ?? 0;
            s.Clicks += f.Clicks ?? 0;
            s.Saves += f.Saves ?? 0;
            s.Spend += spend;
        }
    }

    static Sums Get<TKey>(Dictionary<TKey, Sums> sums, TKey key) where TKey : notnull
    {
        if (!sums.TryGetValue(key, out var s)) sums[key] = s = new Sums();
        return s;
    }
}
