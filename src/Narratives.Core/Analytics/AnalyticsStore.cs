using Dapper;
using Narratives.Core.Campaigns;
using Npgsql;

namespace Narratives.Core.Analytics;

/// <summary>
/// Every analytics figure: sums over the rollups, filtered and broken down by whitelisted dimensions, over the campaigns
/// the viewer may see (published ones; a partner's own; all for staff). The same queries run against the raw facts
/// (<c>fromRawFacts</c>) for the benchmark and for checking the rollups.
/// </summary>
public sealed class AnalyticsStore(NpgsqlDataSource db)
{
    static string Expression(Dimension d) => d switch
    {
        Dimension.None => "''",
        Dimension.Day => "to_char(r.day, 'YYYY-MM-DD')",
        Dimension.Week => "to_char(date_trunc('week', r.day), 'YYYY-MM-DD')",
        Dimension.Month => "to_char(date_trunc('month', r.day), 'YYYY-MM')",
        Dimension.Campaign => "s.id::text",
        Dimension.Initiative => "s.initiative_id::text",
        Dimension.Theme => "r.theme",
        Dimension.Audience => "r.audience",
        Dimension.Platform => "r.platform",
        Dimension.Language => "r.language",
        Dimension.Country => "sc.country",
        Dimension.Region => "sc.region",
        _ => throw new ArgumentOutOfRangeException(nameof(d)),
    };

    static string LabelExpression(Dimension d) => d switch
    {
        Dimension.Campaign => "max(s.name)",
        Dimension.Initiative => "max(s.initiative_name)",
        Dimension.Country => "max(sc.country_name)",
        _ => Expression(d),
    };

    /// <summary>
    /// The totals broken down by up to two dimensions. Audience breakdowns and audience filters read the audience rollup,
    /// where an item counts once for each of its audiences.
    /// </summary>
    public async Task<IReadOnlyList<BreakdownRow>> BreakdownAsync(AnalyticsFilter filter, CampaignViewer viewer, Dimension by, Dimension then = Dimension.None,
        bool fromRawFacts = false, CancellationToken ct = default)
    {
        var audience = by == Dimension.Audience || then == Dimension.Audience || filter.Audience is not null;
        var source = (audience, fromRawFacts) switch
        {
            (false, false) => "rollup_daily",
            (false, true) => "rollup_daily_source",
            (true, false) => "rollup_audience",
            (true, true) => "rollup_audience_source",
        };
        if (audience && (by == Dimension.Language || then == Dimension.Language || filter.Language is not null))
            throw new ArgumentException("Audience and language cannot be combined: the audience rollup has no language.");
        var byCountry = by is Dimension.Country or Dimension.Region || then is Dimension.Country or Dimension.Region;
        var perAudienceOnly = audience ? "0" : null;
        var label = by == Dimension.None ? "''" : LabelExpression(by);
        var group = by is Dimension.Campaign or Dimension.Initiative or Dimension.Country ? "GROUP BY 1, 3" : "GROUP BY 1, 2, 3";
        var sql = $"""
            WITH scope AS (
                SELECT c.id, c.name, c.initiative_id, i.name AS initiative_name,
                       CASE WHEN cardinality(c.target_countries) > 0 THEN c.target_countries
                            ELSE ARRAY(SELECT ic.country FROM initiative_countries ic WHERE ic.initiative_id = c.initiative_id)::text[] END AS countries
                FROM campaigns c JOIN initiatives i ON i.id = c.initiative_id
                WHERE c.archived_at IS NULL
                  AND (@IsStaff OR c.is_published OR c.organization_id = @OrganizationId)
                  AND (@InitiativeId::bigint IS NULL OR c.initiative_id = @InitiativeId)
                  AND (@CampaignId::bigint IS NULL OR c.id = @CampaignId)),
            scope_countries AS (
                SELECT s.id, k.alpha3 AS country, k.name AS country_name, k.region
                FROM scope s CROSS JOIN LATERAL unnest(s.countries) AS sc(code) JOIN countries k ON k.alpha3 = sc.code),
            scoped AS (
                SELECT s.* FROM scope s
                WHERE (@Region::text IS NULL AND @Country::text IS NULL)
                   OR EXISTS (SELECT 1 FROM scope_countries x WHERE x.id = s.id
                              AND (@Region::text IS NULL OR x.region = @Region) AND (@Country::text IS NULL OR x.country = @Country)))
            SELECT {Expression(by)} AS key, {label} AS label, {Expression(then)} AS key2,
                   sum(r.items)::bigint AS items, sum(r.impressions)::bigint AS impressions, sum(r.reach)::bigint AS reach,
                   sum(r.views)::bigint AS views, {(audience ? "0" : "sum(r.watch_seconds)")}::bigint AS watch_seconds,
                   sum(r.reactions)::bigint AS reactions, sum(r.comments)::bigint AS comments, sum(r.shares)::bigint AS shares,
                   sum(r.clicks)::bigint AS clicks, sum(r.saves)::bigint AS saves, {perAudienceOnly ?? "sum(r.follows)"}::bigint AS follows,
                   sum(r.spend)::numeric AS spend, {perAudienceOnly ?? "sum(r.view_duration_seconds)"}::bigint AS view_duration_seconds,
                   {perAudienceOnly ?? "sum(r.timed_watch_seconds)"}::bigint AS timed_watch_seconds,
                   coalesce(sum(r.impressions) FILTER (WHERE r.is_paid), 0)::bigint AS paid_impressions
            FROM {source} r
            JOIN scoped s ON s.id = r.campaign_id
            {(byCountry ? "JOIN scope_countries sc ON sc.id = r.campaign_id AND (@Region::text IS NULL OR sc.region = @Region) AND (@Country::text IS NULL OR sc.country = @Country)" : "")}
            WHERE r.day BETWEEN @From AND @To
              AND (@Theme::text IS NULL OR r.theme = @Theme)
              AND (@Platform::text IS NULL OR r.platform = @Platform)
              {(audience ? "AND (@Audience::text IS NULL OR r.audience = @Audience)" : "AND (@Language::text IS NULL OR r.language = @Language)")}
            {group}
            ORDER BY 1, 3
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<Row>(new CommandDefinition(sql, Parameters(filter, viewer), cancellationToken: ct, commandTimeout: 0));
        return rows.Select(r => new BreakdownRow(r.Key, r.Label, r.Key2, new MetricTotals(r.Items, r.Impressions, r.Reach, r.Views, r.WatchSeconds,
            r.Reactions, r.Comments, r.Shares, r.Clicks, r.Saves, r.Follows, r.Spend, r.ViewDurationSeconds, r.TimedWatchSeconds, r.PaidImpressions))).ToList();
    }

    sealed record Row(string Key, string Label, string Key2, long Items, long Impressions, long Reach, long Views, long WatchSeconds, long Reactions,
        long Comments, long Shares, long Clicks, long Saves, long Follows, decimal Spend, long ViewDurationSeconds, long TimedWatchSeconds, long PaidImpressions);

    static object Parameters(AnalyticsFilter f, CampaignViewer viewer) => new
    {
        viewer.IsStaff, viewer.OrganizationId, f.From, f.To, f.Region, f.Country, f.Theme, f.Audience, f.Platform, f.Language, f.InitiativeId, f.CampaignId,
    };

    /// <summary>The totals of the filtered view, with conversions recorded by the partners in the same period.</summary>
    public async Task<MetricTotals> TotalsAsync(AnalyticsFilter filter, CampaignViewer viewer, bool fromRawFacts = false, CancellationToken ct = default)
    {
        var rows = await BreakdownAsync(filter, viewer, Dimension.None, fromRawFacts: fromRawFacts, ct: ct);
        var totals = rows.Count == 0 ? MetricTotals.Zero : rows[0].Totals;
        return totals with { Conversions = await ConversionsAsync(filter, viewer, ct) };
    }

    async Task<long> ConversionsAsync(AnalyticsFilter f, CampaignViewer viewer, CancellationToken ct)
    {
        // Conversions belong to a campaign, not to a platform, theme or audience: only the campaign filters apply.
        const string sql = """
            SELECT coalesce(sum(m.count), 0)::bigint
            FROM outcome_measurements m JOIN campaigns c ON c.id = m.campaign_id
            WHERE m.kind = 'conversion' AND m.measured_on BETWEEN @From AND @To AND c.archived_at IS NULL
              AND (@IsStaff OR c.is_published OR c.organization_id = @OrganizationId)
              AND (@InitiativeId::bigint IS NULL OR c.initiative_id = @InitiativeId)
              AND (@CampaignId::bigint IS NULL OR c.id = @CampaignId)
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.ExecuteScalarAsync<long>(new CommandDefinition(sql, Parameters(f, viewer), cancellationToken: ct));
    }

    public sealed record TopContent(long Id, long CampaignId, string CampaignName, string Platform, string Title, string Text, string? Language,
        string Theme, string[] Audiences, bool Reviewed, string? Permalink, long Impressions, long Engagements);

    /// <summary>
    /// The content with most engagements in the months the period touches (content totals are kept by calendar month).
    /// From the rollups, a period's totals are differences of running totals (<c>rollup_content_running</c>): one row
    /// per item, no sum over its months; from the raw facts, the same figures summed month by month.
    /// </summary>
    public async Task<IReadOnlyList<TopContent>> TopContentAsync(AnalyticsFilter f, CampaignViewer viewer, int count = 10, bool fromRawFacts = false,
        CancellationToken ct = default)
    {
        const string labelFilter = """
            ((@Theme::text IS NULL AND @Language::text IS NULL AND @Audience::text IS NULL) OR r.content_item_id IN (
                SELECT ci.id FROM content_items ci
                WHERE (@Language::text IS NULL OR ci.language = @Language)
                  AND (@Theme::text IS NULL OR coalesce(ci.reviewed_theme, ci.predicted_theme, 'unclassified') = @Theme)
                  AND (@Audience::text IS NULL OR @Audience = ANY (coalesce(ci.reviewed_audiences, ci.predicted_audiences, ARRAY['unclassified'])))))
            """;
        var top = fromRawFacts
            ? $"""
                SELECT r.content_item_id, r.campaign_id, sum(r.impressions)::bigint AS impressions, sum(r.engagements)::bigint AS engagements
                FROM rollup_content_source r
                WHERE r.month BETWEEN date_trunc('month', @From::date) AND @To
                  AND r.campaign_id IN (SELECT id FROM scope)
                  AND (@Platform::text IS NULL OR r.platform = @Platform)
                  AND {labelFilter}
                GROUP BY r.content_item_id, r.campaign_id
                ORDER BY engagements DESC, r.content_item_id
                LIMIT @count
                """
            : $"""
                SELECT r.content_item_id, r.campaign_id, p.impressions, p.engagements
                FROM rollup_content_running r
                CROSS JOIN LATERAL (SELECT least(@lastMonth - r.first_month + 1, cardinality(r.engagements)) AS hi,
                                           least(@firstMonth - r.first_month, cardinality(r.engagements)) AS lo) k
                CROSS JOIN LATERAL (SELECT coalesce(r.impressions[k.hi], 0) - coalesce(r.impressions[k.lo], 0) AS impressions,
                                           coalesce(r.engagements[k.hi], 0) - coalesce(r.engagements[k.lo], 0) AS engagements,
                                           coalesce(r.months[k.hi], 0) - coalesce(r.months[k.lo], 0) AS months) p
                WHERE r.platform = coalesce(@Platform, '')
                  AND r.first_month <= @lastMonth AND p.months > 0
                  AND r.campaign_id IN (SELECT id FROM scope)
                  AND {labelFilter}
                ORDER BY p.engagements DESC, r.content_item_id
                LIMIT @count
                """;
        var sql = $"""
            WITH scope AS (
                SELECT c.id, c.name FROM campaigns c
                WHERE c.archived_at IS NULL AND (@IsStaff OR c.is_published OR c.organization_id = @OrganizationId)
                  AND (@InitiativeId::bigint IS NULL OR c.initiative_id = @InitiativeId)
                  AND (@CampaignId::bigint IS NULL OR c.id = @CampaignId)
                  AND ((@Region::text IS NULL AND @Country::text IS NULL) OR EXISTS (
                        SELECT 1 FROM countries k
                        WHERE k.alpha3 = ANY (CASE WHEN cardinality(c.target_countries) > 0 THEN c.target_countries
                                                   ELSE ARRAY(SELECT ic.country FROM initiative_countries ic WHERE ic.initiative_id = c.initiative_id)::text[] END)
                          AND (@Region::text IS NULL OR k.region = @Region) AND (@Country::text IS NULL OR k.alpha3 = @Country)))),
            top AS (
            {top})
            SELECT ci.id, t.campaign_id, s.name AS campaign_name, ci.platform, ci.title, ci.text, ci.language,
                   coalesce(ci.reviewed_theme, ci.predicted_theme, 'unclassified') AS theme,
                   coalesce(ci.reviewed_audiences, ci.predicted_audiences, ARRAY[]::text[]) AS audiences, ci.reviewed_theme IS NOT NULL AS reviewed,
                   ci.permalink, t.impressions, t.engagements
            FROM top t
            JOIN content_items ci ON ci.id = t.content_item_id
            JOIN scope s ON s.id = t.campaign_id
            ORDER BY t.engagements DESC, ci.id
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        var p = new DynamicParameters(Parameters(f, viewer));
        p.Add("count", count);
        p.Add("firstMonth", f.From.Year * 12 + f.From.Month - 1);
        p.Add("lastMonth", f.To.Year * 12 + f.To.Month - 1);
        return (await conn.QueryAsync<TopContent>(new CommandDefinition(sql, p, cancellationToken: ct, commandTimeout: 0))).AsList();
    }

    /// <summary>The latest day with engagement data, for the default period; null when there is none.</summary>
    public async Task<DateOnly?> LastDayAsync(CancellationToken ct = default)
    {
        const string sql = "SELECT max(day) FROM rollup_daily";
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.ExecuteScalarAsync<DateOnly?>(new CommandDefinition(sql, cancellationToken: ct));
    }

    public sealed record CountryInitiatives(string Country, string Name, int Initiatives);

    /// <summary>Initiatives per country (for the map), filtered by theme and region like the rest of the page.</summary>
    public async Task<IReadOnlyList<CountryInitiatives>> InitiativesByCountryAsync(AnalyticsFilter f, CancellationToken ct = default)
    {
        const string sql = """
            SELECT k.alpha3 AS country, k.name, count(DISTINCT i.id)::int AS initiatives
            FROM initiatives i
            JOIN initiative_countries ic ON ic.initiative_id = i.id
            JOIN countries k ON k.alpha3 = ic.country
            WHERE i.archived_at IS NULL
              AND (@Theme::text IS NULL OR @Theme = ANY (i.themes))
              AND (@Audience::text IS NULL OR @Audience = ANY (i.audiences))
              AND (@Region::text IS NULL OR k.region = @Region)
              AND (@Country::text IS NULL OR k.alpha3 = @Country)
              AND (@InitiativeId::bigint IS NULL OR i.id = @InitiativeId)
            GROUP BY k.alpha3, k.name
            ORDER BY k.alpha3
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<CountryInitiatives>(new CommandDefinition(sql, new { f.Theme, f.Audience, f.Region, f.Country, f.InitiativeId }, cancellationToken: ct))).AsList();
    }
}
