using Dapper;
using Npgsql;

namespace Narratives.Core.Overview;

public sealed record OverviewSummary(
    int Initiatives, int Countries, int Campaigns, int ContentItems, long Impressions, long Engagements,
    DateOnly? FirstDay, DateOnly? LastDay, string[] Platforms, bool HasDemoData);

public sealed record DailyPlatformFigures(DateOnly Day, string Platform, long Impressions, long Engagements);

public sealed record RegionCount(string Region, int Initiatives);

/// <summary>The figures on the Overview page, over the latest <c>days</c> days that have engagement data.</summary>
public sealed class OverviewStore(NpgsqlDataSource db)
{
    public async Task<OverviewSummary> SummaryAsync(int days, CancellationToken ct = default)
    {
        const string sql = """
            WITH span AS (SELECT max(day) AS last_day FROM engagement_facts),
            facts AS (
                SELECT f.platform, f.impressions,
                       coalesce(f.reactions, 0) + coalesce(f.comments, 0) + coalesce(f.shares, 0) + coalesce(f.saves, 0) + coalesce(f.clicks, 0) AS engagements,
                       f.day
                FROM engagement_facts f, span
                WHERE f.day > span.last_day - @days)
            SELECT
                (SELECT count(*) FROM initiatives WHERE archived_at IS NULL)::int AS initiatives,
                (SELECT count(DISTINCT ic.country) FROM initiative_countries ic JOIN initiatives i ON i.id = ic.initiative_id WHERE i.archived_at IS NULL)::int AS countries,
                (SELECT count(*) FROM campaigns WHERE archived_at IS NULL)::int AS campaigns,
                (SELECT count(*) FROM content_items)::int AS content_items,
                (SELECT coalesce(sum(impressions), 0) FROM facts)::bigint AS impressions,
                (SELECT coalesce(sum(engagements), 0) FROM facts)::bigint AS engagements,
                (SELECT min(day) FROM facts) AS first_day,
                (SELECT max(day) FROM facts) AS last_day,
                (SELECT coalesce(array_agg(DISTINCT platform ORDER BY platform), '{}') FROM facts) AS platforms,
                EXISTS (SELECT 1 FROM initiatives WHERE is_demo) AS has_demo_data
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleAsync<OverviewSummary>(new CommandDefinition(sql, new { days }, cancellationToken: ct));
    }

    public async Task<IReadOnlyList<DailyPlatformFigures>> DailyByPlatformAsync(int days, CancellationToken ct = default)
    {
        const string sql = """
            WITH span AS (SELECT max(day) AS last_day FROM engagement_facts)
            SELECT f.day, f.platform,
                   coalesce(sum(f.impressions), 0)::bigint AS impressions,
                   coalesce(sum(coalesce(f.reactions, 0) + coalesce(f.comments, 0) + coalesce(f.shares, 0) + coalesce(f.saves, 0) + coalesce(f.clicks, 0)), 0)::bigint AS engagements
            FROM engagement_facts f, span
            WHERE f.day > span.last_day - @days
            GROUP BY f.day, f.platform
            ORDER BY f.day, f.platform
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<DailyPlatformFigures>(new CommandDefinition(sql, new { days }, cancellationToken: ct))).AsList();
    }

    public async Task<IReadOnlyList<RegionCount>> InitiativesByRegionAsync(CancellationToken ct = default)
    {
        // An initiative counts once in every region it works in; a global one in each of its regions.
        const string sql = """
            SELECT c.region, count(DISTINCT i.id)::int AS initiatives
            FROM initiatives i
            JOIN initiative_countries ic ON ic.initiative_id = i.id
            JOIN countries c ON c.alpha3 = ic.country
            WHERE i.archived_at IS NULL AND c.region <> ''
            GROUP BY c.region
            ORDER BY c.region
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<RegionCount>(new CommandDefinition(sql, cancellationToken: ct))).AsList();
    }
}
