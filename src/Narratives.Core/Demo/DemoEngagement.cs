using Npgsql;
using NpgsqlTypes;

namespace Narratives.Core.Demo;

public sealed record DemoContentItem(long ContentItemId, string Platform, DateTime? PublishedAt, DateOnly? CampaignEnd, bool IsPaid, string Theme);

public sealed record DemoFact(
    long ContentItemId, DateOnly Day, string Platform, long Impressions, long Reach, long? Views, long? WatchSeconds,
    long Reactions, long Comments, long Shares, long Clicks, long? Saves, long Follows, decimal? Spend);

/// <summary>
/// Plausible daily engagement for the demo content: a launch peak that decays, weekly rhythm, noise, and
/// platform-specific figures (views only where the platform reports them). Deterministic for a given input.
/// </summary>
public static class DemoEngagement
{
    const int Seed = 2354;

    public static IReadOnlyList<DemoFact> Generate(IReadOnlyList<DemoContentItem> items, DateOnly asOf)
    {
        var random = new Random(Seed);
        var first = asOf.AddDays(-179);
        var facts = new List<DemoFact>();
        foreach (var item in items)
        {
            var published = item.PublishedAt is { } p ? DateOnly.FromDateTime(p) : first;
            if (published < first) published = first;
            var end = item.CampaignEnd is { } e && e < asOf ? e.AddDays(14) : asOf;
            if (end > asOf) end = asOf;

            var (scale, video, saves) = item.Platform switch
            {
                "youtube" => (1800.0, true, false),
                "tiktok" => (5200.0, true, true),
                "instagram" => (2600.0, false, true),
                "x" => (1500.0, false, false),
                _ => (3000.0, false, false),
            };
            scale *= item.IsPaid ? 2.2 : 1.0;
            scale *= 0.4 + random.NextDouble() * 1.4; // some posts do far better than others
            var engagementRate = ThemeEngagementRate(item.Theme) * (0.7 + random.NextDouble() * 0.6);

            for (var day = published; day <= end; day = day.AddDays(1))
            {
                var age = day.DayNumber - published.DayNumber;
                var weekday = day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday ? 1.15 : 1.0;
                var noise = 0.75 + random.NextDouble() * 0.5;
                var impressions = (long)(scale * (Math.Pow(0.86, age) + 0.03) * weekday * noise);
                if (impressions <= 0) continue;
                var reach = (long)(impressions / (1.15 + random.NextDouble() * 0.5));
                var engaged = impressions * engagementRate;
                long? views = video ? (long)(impressions * (0.35 + random.NextDouble() * 0.2)) : null;
                facts.Add(new DemoFact(
                    item.ContentItemId, day, item.Platform, impressions, reach, views,
                    views is { } v ? (long)(v * (14 + random.NextDouble() * 40)) : null,
                    Reactions: (long)(engaged * 0.62),
                    Comments: (long)(engaged * 0.09),
                    Shares: (long)(engaged * 0.12),
                    Clicks: (long)(engaged * 0.17),
                    Saves: saves ? (long)(engaged * 0.05) : null,
                    Follows: (long)(engaged * 0.01 * random.NextDouble()),
                    Spend: item.IsPaid ? Math.Round((decimal)(impressions * (0.002 + random.NextDouble() * 0.003)), 2) : null));
            }
        }
        return facts;
    }

    // Demo only: gives the charts visible differences between themes.
    static double ThemeEngagementRate(string theme) => theme switch
    {
        "victims" => 0.071,
        "formers" => 0.064,
        "alternative" => 0.055,
        "dialogue" => 0.046,
        "religious" => 0.043,
        "grievance" => 0.049,
        "literacy" => 0.038,
        "rebuttal" => 0.033,
        _ => 0.04,
    };

    /// <summary>Writes the facts with one binary COPY after making the monthly partitions they need.</summary>
    public static async Task<int> CopyAsync(NpgsqlConnection conn, IReadOnlyList<DemoFact> facts, CancellationToken ct)
    {
        if (facts.Count == 0) return 0;
        await using (var partitions = new NpgsqlCommand("SELECT ensure_engagement_partitions(@from, @to)", conn))
        {
            partitions.Parameters.AddWithValue("from", facts.Min(f => f.Day));
            partitions.Parameters.AddWithValue("to", facts.Max(f => f.Day));
            await partitions.ExecuteScalarAsync(ct);
        }

        await using var writer = await conn.BeginBinaryImportAsync(
            "COPY engagement_facts (content_item_id, day, platform, impressions, reach, views, watch_seconds, reactions, comments, shares, clicks, saves, follows, spend) FROM STDIN (FORMAT BINARY)", ct);
        foreach (var f in facts)
        {
            await writer.StartRowAsync(ct);
            await writer.WriteAsync(f.ContentItemId, NpgsqlDbType.Bigint, ct);
            await writer.WriteAsync(f.Day, NpgsqlDbType.Date, ct);
            await writer.WriteAsync(f.Platform, NpgsqlDbType.Text, ct);
            await writer.WriteAsync(f.Impressions, NpgsqlDbType.Bigint, ct);
            await writer.WriteAsync(f.Reach, NpgsqlDbType.Bigint, ct);
            await WriteNullable(writer, f.Views, ct);
            await WriteNullable(writer, f.WatchSeconds, ct);
            await writer.WriteAsync(f.Reactions, NpgsqlDbType.Bigint, ct);
            await writer.WriteAsync(f.Comments, NpgsqlDbType.Bigint, ct);
            await writer.WriteAsync(f.Shares, NpgsqlDbType.Bigint, ct);
            await writer.WriteAsync(f.Clicks, NpgsqlDbType.Bigint, ct);
            await WriteNullable(writer, f.Saves, ct);
            await writer.WriteAsync(f.Follows, NpgsqlDbType.Bigint, ct);
            if (f.Spend is { } spend) await writer.WriteAsync(spend, NpgsqlDbType.Numeric, ct);
            else await writer.WriteNullAsync(ct);
        }
        return (int)await writer.CompleteAsync(ct);
    }

    static async Task WriteNullable(NpgsqlBinaryImporter writer, long? value, CancellationToken ct)
    {
        if (value is { } v) await writer.WriteAsync(v, NpgsqlDbType.Bigint, ct);
        else await writer.WriteNullAsync(ct);
    }
}
