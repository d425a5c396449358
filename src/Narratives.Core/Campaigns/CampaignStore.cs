using Dapper;
using Npgsql;

namespace Narratives.Core.Campaigns;

/// <summary>
/// Reading campaigns. What a visitor may see is decided in SQL: staff everything, a partner its own organization's
/// campaigns (drafts and archived ones too) and the published ones of others, everyone else the published ones.
/// </summary>
public sealed class CampaignStore(NpgsqlDataSource db)
{
    const string Visible = "(@IsStaff OR c.organization_id = @OrganizationId OR (c.is_published AND c.archived_at IS NULL))";

    public async Task<CampaignList> ListAsync(CampaignListQuery query, CampaignViewer viewer, CancellationToken ct = default)
    {
        const string sql = $"""
            SELECT c.id, c.name, c.initiative_id, i.name AS initiative_name, c.organization_id, o.name AS organization_name,
                   c.status, c.is_published, c.start_date, c.end_date, c.platforms,
                   (SELECT count(*)::int FROM content_items ci WHERE ci.campaign_id = c.id) AS content_items, c.archived_at, c.is_demo,
                   count(*) OVER ()::int AS total
            FROM campaigns c
            JOIN initiatives i ON i.id = c.initiative_id
            JOIN organizations o ON o.id = c.organization_id
            WHERE {Visible}
              AND (@IncludeArchived OR c.archived_at IS NULL)
              AND (@Status::text IS NULL OR c.status = @Status)
              AND (@InitiativeId::bigint IS NULL OR c.initiative_id = @InitiativeId)
              AND (@FilterOrganizationId::bigint IS NULL OR c.organization_id = @FilterOrganizationId)
              AND (@Q::text IS NULL OR c.name ILIKE '%' || @Q || '%' OR i.name ILIKE '%' || @Q || '%' OR o.name ILIKE '%' || @Q || '%')
            ORDER BY c.archived_at NULLS FIRST, c.start_date DESC NULLS FIRST, c.name, c.id
            LIMIT @PageSize OFFSET @Offset
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = (await conn.QueryAsync<CampaignListRow>(new CommandDefinition(sql, new
        {
            viewer.IsStaff, viewer.OrganizationId, query.IncludeArchived, Status = Blank(query.Status), query.InitiativeId,
            FilterOrganizationId = query.OrganizationId, Q = Blank(query.Q?.Replace("%", "").Replace("_", "")),
            PageSize = Math.Clamp(query.PageSize, 1, 500), Offset = Math.Max(query.Page, 0) * Math.Clamp(query.PageSize, 1, 500),
        }, cancellationToken: ct))).AsList();
        return new CampaignList(rows.Count == 0 ? 0 : rows[0].Total, rows.Select(r => r.Item).ToList());
    }

    sealed record CampaignListRow(long Id, string Name, long InitiativeId, string InitiativeName, long OrganizationId, string OrganizationName,
        string Status, bool IsPublished, DateOnly? StartDate, DateOnly? EndDate, string[] Platforms, int ContentItems, DateTimeOffset? ArchivedAt,
        bool IsDemo, int Total)
    {
        public CampaignListItem Item => new(Id, Name, InitiativeId, InitiativeName, OrganizationId, OrganizationName, Status, IsPublished,
            StartDate, EndDate, Platforms, ContentItems, ArchivedAt, IsDemo);
    }

    static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    /// <summary>The campaign with its KPIs if this visitor may see it; whether it is missing or hidden is only for the log.</summary>
    public async Task<(CampaignAccess Access, CampaignDetail? Campaign)> FindAsync(long id, CampaignViewer viewer, CancellationToken ct = default)
    {
        const string sql = $"""
            SELECT c.id, c.initiative_id, i.name AS initiative_name, c.organization_id, o.name AS organization_name, c.name, c.status,
                   c.is_published, c.start_date, c.end_date, c.budget, c.currency::text AS currency, c.goal_text, c.audiences,
                   c.target_countries, c.target_languages, c.age_min, c.age_max, c.audience_description, c.themes, c.key_message,
                   c.messenger, c.platforms, c.offline_channels, c.is_paid, c.call_to_action, c.landing_url, c.monitoring_metrics,
                   c.outcome_measures, c.baseline, c.is_demo, c.archived_at, c.version, c.updated_at,
                   {Visible} AS visible
            FROM campaigns c
            JOIN initiatives i ON i.id = c.initiative_id
            JOIN organizations o ON o.id = c.organization_id
            WHERE c.id = @id
            """;
        const string kpis = "SELECT id, metric, target, deadline, description FROM campaign_kpis WHERE campaign_id = @id ORDER BY deadline, id";
        await using var conn = await db.OpenConnectionAsync(ct);
        var row = await conn.QuerySingleOrDefaultAsync<CampaignDetailRow>(new CommandDefinition(sql, new { id, viewer.IsStaff, viewer.OrganizationId }, cancellationToken: ct));
        if (row is null) return (CampaignAccess.Missing, null);
        if (!row.Visible) return (CampaignAccess.Hidden, null);
        var list = (await conn.QueryAsync<Kpi>(new CommandDefinition(kpis, new { id }, cancellationToken: ct))).AsList();
        return (CampaignAccess.Visible, row.Detail with { Kpis = list });
    }

    sealed record CampaignDetailRow(
        long Id, long InitiativeId, string InitiativeName, long OrganizationId, string OrganizationName, string Name, string Status,
        bool IsPublished, DateOnly? StartDate, DateOnly? EndDate, decimal? Budget, string? Currency, string GoalText, string[] Audiences,
        string[] TargetCountries, string[] TargetLanguages, int? AgeMin, int? AgeMax, string AudienceDescription, string[] Themes,
        string KeyMessage, string? Messenger, string[] Platforms, string[] OfflineChannels, bool IsPaid, string CallToAction,
        string? LandingUrl, string[] MonitoringMetrics, string[] OutcomeMeasures, string Baseline, bool IsDemo, DateTimeOffset? ArchivedAt,
        int Version, DateTimeOffset UpdatedAt, bool Visible)
    {
        public CampaignDetail Detail => new(Id, InitiativeId, InitiativeName, OrganizationId, OrganizationName, Name, Status, IsPublished,
            StartDate, EndDate, Budget, Currency, GoalText, Audiences, TargetCountries, TargetLanguages, AgeMin, AgeMax, AudienceDescription,
            Themes, KeyMessage, Messenger, Platforms, OfflineChannels, IsPaid, CallToAction, LandingUrl, MonitoringMetrics, OutcomeMeasures,
            Baseline, IsDemo, ArchivedAt, Version, UpdatedAt);
    }

    /// <summary>The organization a campaign belongs to, for the authorization check before any change; null when there is no such campaign.</summary>
    public async Task<long?> OwnerOfAsync(long id, CancellationToken ct = default)
    {
        const string sql = "SELECT organization_id FROM campaigns WHERE id = @id";
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.ExecuteScalarAsync<long?>(new CommandDefinition(sql, new { id }, cancellationToken: ct));
    }

    public async Task<IReadOnlyList<CampaignVariant>> VariantsAsync(long campaignId, CancellationToken ct = default)
    {
        const string sql = """
            SELECT v.id, v.name, v.is_control, v.description,
                   (SELECT count(*)::int FROM content_items ci WHERE ci.variant_id = v.id) AS content_items,
                   (SELECT count(*)::int FROM outcome_measurements m WHERE m.variant_id = v.id) AS outcomes
            FROM campaign_variants v WHERE v.campaign_id = @campaignId
            ORDER BY v.is_control DESC, v.name
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<CampaignVariant>(new CommandDefinition(sql, new { campaignId }, cancellationToken: ct))).AsList();
    }

    public async Task<IReadOnlyList<ContentItem>> ContentAsync(long campaignId, CancellationToken ct = default)
    {
        const string sql = """
            SELECT ci.id, ci.variant_id, v.name AS variant_name, ci.platform, ci.external_id, ci.permalink, ci.title, ci.text, ci.language,
                   ci.published_at, ci.source, ci.predicted_theme, ci.predicted_theme_confidence, ci.predicted_audiences,
                   ci.reviewed_theme, ci.reviewed_audiences,
                   coalesce(f.impressions, 0) AS impressions, coalesce(f.engagements, 0) AS engagements
            FROM content_items ci
            LEFT JOIN campaign_variants v ON v.id = ci.variant_id
            LEFT JOIN LATERAL (
                SELECT sum(impressions)::bigint AS impressions,
                       sum(coalesce(reactions, 0) + coalesce(comments, 0) + coalesce(shares, 0) + coalesce(saves, 0) + coalesce(clicks, 0))::bigint AS engagements
                FROM engagement_rollup_input WHERE content_item_id = ci.id) f ON true
            WHERE ci.campaign_id = @campaignId
            ORDER BY ci.published_at DESC NULLS LAST, ci.id DESC
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<ContentItem>(new CommandDefinition(sql, new { campaignId }, cancellationToken: ct))).AsList();
    }

    public async Task<IReadOnlyList<OutcomeMeasurement>> OutcomesAsync(long campaignId, CancellationToken ct = default)
    {
        const string sql = """
            SELECT m.id, m.variant_id, v.name AS variant_name, m.kind, m.question, m.design, m.arm, m.sample_size, m.agreeing,
                   m.conversion_type, m.count, m.note, m.evidence_url, m.measured_on, coalesce(nullif(u.display_name, ''), u.email, '') AS recorded_by_name,
                   m.recorded_at
            FROM outcome_measurements m
            LEFT JOIN campaign_variants v ON v.id = m.variant_id
            LEFT JOIN users u ON u.id = m.recorded_by
            WHERE m.campaign_id = @campaignId
            ORDER BY m.measured_on DESC, m.id DESC
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<OutcomeMeasurement>(new CommandDefinition(sql, new { campaignId }, cancellationToken: ct))).AsList();
    }

    /// <summary>
    /// The campaign's figures per day from the rollups (engagement summed over its content, ads report totals on their
    /// period's last day), and conversions from its outcome measurements.
    /// </summary>
    public async Task<IReadOnlyList<CampaignDay>> DaysAsync(long campaignId, CancellationToken ct = default)
    {
        const string sql = """
            WITH facts AS (
                SELECT r.day, sum(r.impressions)::bigint AS impressions, sum(r.reach)::bigint AS reach, sum(r.views)::bigint AS views,
                       sum(r.reactions + r.comments + r.shares + r.saves + r.clicks)::bigint AS engagements,
                       sum(r.clicks)::bigint AS clicks, sum(r.watch_seconds)::bigint AS watch_seconds
                FROM rollup_daily r
                WHERE r.campaign_id = @campaignId
                GROUP BY r.day),
            conversions AS (
                SELECT measured_on AS day, sum(count)::bigint AS conversions
                FROM outcome_measurements WHERE campaign_id = @campaignId AND kind = 'conversion'
                GROUP BY measured_on)
            SELECT coalesce(f.day, c.day) AS day, coalesce(f.impressions, 0) AS impressions, coalesce(f.reach, 0) AS reach,
                   coalesce(f.views, 0) AS views, coalesce(f.engagements, 0) AS engagements, coalesce(f.clicks, 0) AS clicks,
                   coalesce(f.watch_seconds, 0) AS watch_seconds, coalesce(c.conversions, 0) AS conversions
            FROM facts f FULL JOIN conversions c ON c.day = f.day
            ORDER BY 1
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<CampaignDay>(new CommandDefinition(sql, new { campaignId }, cancellationToken: ct))).AsList();
    }

    public sealed record VariantTotals(long VariantId, string Name, bool IsControl, long Impressions, long Clicks, long Engagements);

    /// <summary>Each variant's engagement over all its content, for A/B comparisons (counts, so rates get intervals).</summary>
    public async Task<IReadOnlyList<VariantTotals>> VariantTotalsAsync(long campaignId, CancellationToken ct = default)
    {
        const string sql = """
            SELECT v.id AS variant_id, v.name, v.is_control,
                   coalesce(sum(f.impressions), 0)::bigint AS impressions, coalesce(sum(f.clicks), 0)::bigint AS clicks,
                   coalesce(sum(coalesce(f.reactions, 0) + coalesce(f.comments, 0) + coalesce(f.shares, 0) + coalesce(f.saves, 0) + coalesce(f.clicks, 0)), 0)::bigint AS engagements
            FROM campaign_variants v
            LEFT JOIN content_items ci ON ci.variant_id = v.id
            LEFT JOIN engagement_rollup_input f ON f.content_item_id = ci.id
            WHERE v.campaign_id = @campaignId
            GROUP BY v.id, v.name, v.is_control
            ORDER BY v.is_control, v.name
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<VariantTotals>(new CommandDefinition(sql, new { campaignId }, cancellationToken: ct))).AsList();
    }

    public sealed record InitiativeChoice(long Id, string Name);

    /// <summary>The initiatives a campaign can be logged under: every one not archived.</summary>
    public async Task<IReadOnlyList<InitiativeChoice>> InitiativeChoicesAsync(CancellationToken ct = default)
    {
        const string sql = "SELECT id, name FROM initiatives WHERE archived_at IS NULL ORDER BY name";
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<InitiativeChoice>(new CommandDefinition(sql, cancellationToken: ct))).AsList();
    }
}
