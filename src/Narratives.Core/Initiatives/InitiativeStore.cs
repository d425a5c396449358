using Dapper;
using Npgsql;

namespace Narratives.Core.Initiatives;

/// <summary>Whether a verified entry is due for re-verification.</summary>
public static class Staleness
{
    public static bool IsStale(string verification, DateTimeOffset? lastVerifiedAt, int staleAfterMonths) =>
        verification == "verified" && lastVerifiedAt < DateTimeOffset.UtcNow.AddMonths(-staleAfterMonths);
}

public sealed record InitiativeListItem(
    long Id, string Name, string ShortDescription, string Scope, string LeadOrganization, string LeadType, string Status,
    string Verification, DateTimeOffset? LastVerifiedAt, string[] Themes, string[] Audiences, string[] Languages,
    string[] Countries, string[] Regions, DateOnly? StartDate, DateOnly? EndDate, bool IsDemo);

public sealed record FacetCount(string Facet, string Value, int Count);

public sealed record InitiativePage(IReadOnlyList<InitiativeListItem> Items, int Total, IReadOnlyList<FacetCount> Facets);

public sealed record InitiativeCountry(string Alpha3, string Name, string Region, string SubRegion);

public sealed record InitiativeDetail(
    long Id, string? ExternalRef, string Name, string ShortDescription, string Description, string Scope,
    string LeadOrganization, string LeadType, string[] PartnerOrganizations, string[] Themes, string[] Audiences,
    string[] Languages, string[] Channels, string Status, DateOnly? StartDate, DateOnly? EndDate, string? Website,
    string[] SocialLinks, string? ContactName, string? ContactEmail, string Verification, DateTimeOffset? LastVerifiedAt,
    string Notes, bool IsDemo, DateTimeOffset? ArchivedAt, int Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public IReadOnlyList<InitiativeCountry> Countries { get; init; } = [];
}

public sealed record ProposalSummary(
    long Id, long? InitiativeId, string? CurrentName, string ProposedName, long OrganizationId, string OrganizationName,
    DateTimeOffset ProposedAt, string Status, string? RejectionReason, DateTimeOffset? ReviewedAt, string Payload);

public sealed record CountryCount(string Alpha3, string Name, int Initiatives);

public sealed record MatrixCell(string Row, string Region, int Initiatives);

public sealed record Coverage(IReadOnlyList<CountryCount> Countries, IReadOnlyList<MatrixCell> ThemeByRegion, IReadOnlyList<MatrixCell> AudienceByRegion);


public sealed record HistoryEntry(int Version, DateTimeOffset ChangedAt, string ChangedByLabel, string ChangeKind, string Changes);

/// <summary>
/// Reads the register of initiatives. <paramref name="publicOnly"/> callers (the anonymous API) see verified, unarchived
/// initiatives and never the contact.
/// </summary>
public sealed class InitiativeStore(NpgsqlDataSource db)
{
    // One filter for the list, the count and the facets; every value is a parameter.
    const string Filter = """
        i.archived_at IS NULL
        AND (NOT @PublicOnly OR i.verification = 'verified')
        AND (@Text::text IS NULL OR i.search @@ websearch_to_tsquery('simple', @Text))
        AND (@Scope::text IS NULL OR i.scope = @Scope)
        AND (@Status::text IS NULL OR i.status = @Status)
        AND (@Verification::text IS NULL OR i.verification = @Verification
             OR (@Verification = 'stale' AND i.verification = 'verified' AND i.last_verified_at < @StaleBefore))
        AND (@LeadType::text IS NULL OR i.lead_type = @LeadType)
        AND (@Theme::text IS NULL OR @Theme = ANY (i.themes))
        AND (@Audience::text IS NULL OR @Audience = ANY (i.audiences))
        AND (@Language::text IS NULL OR @Language = ANY (i.languages))
        AND (@Country::text IS NULL OR EXISTS (SELECT 1 FROM initiative_countries f WHERE f.initiative_id = i.id AND f.country = @Country))
        AND (@Region::text IS NULL OR EXISTS (SELECT 1 FROM initiative_countries f JOIN countries c ON c.alpha3 = f.country
                                              WHERE f.initiative_id = i.id AND c.region = @Region))
        AND (@SubRegion::text IS NULL OR EXISTS (SELECT 1 FROM initiative_countries f JOIN countries c ON c.alpha3 = f.country
                                                 WHERE f.initiative_id = i.id AND c.sub_region = @SubRegion))
        """;

    public async Task<InitiativePage> ListPageAsync(InitiativeQuery query, bool publicOnly, CancellationToken ct = default)
    {
        query = query.Normalized();
        // The sort column comes from a fixed list (InitiativeQuery.SortColumns), never from the caller's text.
        var sql = $"""
            SELECT i.id, i.name, i.short_description, i.scope, i.lead_organization, i.lead_type, i.status, i.verification,
                   i.last_verified_at, i.themes, i.audiences, i.languages,
                   ARRAY(SELECT ic.country::text FROM initiative_countries ic WHERE ic.initiative_id = i.id ORDER BY 1) AS countries,
                   ARRAY(SELECT DISTINCT c.region FROM initiative_countries ic JOIN countries c ON c.alpha3 = ic.country
                         WHERE ic.initiative_id = i.id AND c.region <> '' ORDER BY 1) AS regions,
                   i.start_date, i.end_date, i.is_demo
            FROM initiatives i
            WHERE {Filter}
            ORDER BY {query.SortColumn} {(query.Descending ? "DESC" : "ASC")} NULLS LAST, i.id
            LIMIT @PageSize OFFSET @Offset;

            SELECT count(*)::int FROM initiatives i WHERE {Filter};

            WITH hits AS (SELECT i.* FROM initiatives i WHERE {Filter})
            SELECT 'scope' AS facet, scope AS value, count(*)::int AS count FROM hits GROUP BY scope
            UNION ALL SELECT 'status', status, count(*)::int FROM hits GROUP BY status
            UNION ALL SELECT 'verification', verification, count(*)::int FROM hits GROUP BY verification
            UNION ALL SELECT 'verification', 'stale', count(*)::int FROM hits
                      WHERE verification = 'verified' AND last_verified_at < @StaleBefore HAVING count(*) > 0
            UNION ALL SELECT 'leadType', lead_type, count(*)::int FROM hits GROUP BY lead_type
            UNION ALL SELECT 'theme', t, count(*)::int FROM hits, unnest(themes) t GROUP BY t
            UNION ALL SELECT 'audience', a, count(*)::int FROM hits, unnest(audiences) a GROUP BY a
            UNION ALL SELECT 'language', l, count(*)::int FROM hits, unnest(languages) l GROUP BY l
            UNION ALL SELECT 'region', c.region, count(DISTINCT h.id)::int FROM hits h
                      JOIN initiative_countries ic ON ic.initiative_id = h.id JOIN countries c ON c.alpha3 = ic.country
                      WHERE c.region <> '' GROUP BY c.region
            UNION ALL SELECT 'subRegion', c.sub_region, count(DISTINCT h.id)::int FROM hits h
                      JOIN initiative_countries ic ON ic.initiative_id = h.id JOIN countries c ON c.alpha3 = ic.country
                      WHERE c.sub_region <> '' GROUP BY c.sub_region
            ORDER BY 1, 3 DESC, 2;
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var results = await conn.QueryMultipleAsync(new CommandDefinition(sql, Parameters(query, publicOnly), cancellationToken: ct));
        var items = (await results.ReadAsync<InitiativeListItem>()).AsList();
        var total = await results.ReadSingleAsync<int>();
        var facets = (await results.ReadAsync<FacetCount>()).AsList();
        return new InitiativePage(items, total, facets);
    }

    /// <summary>Every field of the filtered initiatives (no paging), for export. Public callers never get the contact.</summary>
    public async Task<IReadOnlyList<InitiativeDetail>> ExportAsync(InitiativeQuery query, bool publicOnly, CancellationToken ct = default)
    {
        query = query.Normalized();
        var sql = $"""
            SELECT i.id, i.external_ref, i.name, i.short_description, i.description, i.scope, i.lead_organization, i.lead_type,
                   i.partner_organizations, i.themes, i.audiences, i.languages, i.channels, i.status, i.start_date, i.end_date,
                   i.website, i.social_links, NULL::text AS contact_name, NULL::text AS contact_email, i.verification,
                   i.last_verified_at, i.notes, i.is_demo, i.archived_at, i.version, i.created_at, i.updated_at
            FROM initiatives i
            WHERE {Filter}
            ORDER BY {query.SortColumn} {(query.Descending ? "DESC" : "ASC")} NULLS LAST, i.id;

            SELECT ic.initiative_id, c.alpha3, c.name, c.region, c.sub_region
            FROM initiative_countries ic JOIN countries c ON c.alpha3 = ic.country
            JOIN initiatives i ON i.id = ic.initiative_id
            WHERE {Filter}
            ORDER BY ic.initiative_id, c.alpha3;
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var results = await conn.QueryMultipleAsync(new CommandDefinition(sql, Parameters(query, publicOnly), cancellationToken: ct));
        var rows = (await results.ReadAsync<InitiativeDetail>()).AsList();
        var countries = (await results.ReadAsync<(long InitiativeId, string Alpha3, string Name, string Region, string SubRegion)>())
            .ToLookup(c => c.InitiativeId, c => new InitiativeCountry(c.Alpha3, c.Name, c.Region, c.SubRegion));
        return rows.Select(r => r with { Countries = countries[r.Id].ToList() }).ToList();
    }

    public async Task<InitiativeDetail?> GetAsync(long id, bool publicOnly, bool includeContact, CancellationToken ct = default)
    {
        const string sql = """
            SELECT id, external_ref, name, short_description, description, scope, lead_organization, lead_type,
                   partner_organizations, themes, audiences, languages, channels, status, start_date, end_date, website,
                   social_links, contact_name, contact_email, verification, last_verified_at, notes, is_demo, archived_at,
                   version, created_at, updated_at
            FROM initiatives
            WHERE id = @id AND (NOT @publicOnly OR (archived_at IS NULL AND verification = 'verified'));

            SELECT c.alpha3, c.name, c.region, c.sub_region
            FROM initiative_countries ic JOIN countries c ON c.alpha3 = ic.country
            WHERE ic.initiative_id = @id
            ORDER BY c.name;
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var results = await conn.QueryMultipleAsync(new CommandDefinition(sql, new { id, publicOnly }, cancellationToken: ct));
        var detail = await results.ReadSingleOrDefaultAsync<InitiativeDetail>();
        if (detail is null) return null;
        var countries = (await results.ReadAsync<InitiativeCountry>()).AsList();
        detail = detail with { Countries = countries };
        return includeContact ? detail : detail with { ContactName = null, ContactEmail = null };
    }

    public async Task<IReadOnlyList<HistoryEntry>> HistoryAsync(long id, CancellationToken ct = default)
    {
        const string sql = """
            SELECT version, changed_at, changed_by_label, change_kind, changes::text AS changes
            FROM initiative_history WHERE initiative_id = @id ORDER BY version DESC
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<HistoryEntry>(new CommandDefinition(sql, new { id }, cancellationToken: ct))).AsList();
    }

    /// <summary>Where initiatives work: per country, and theme and audience by UN region (gaps are zero cells).</summary>
    public async Task<Coverage> CoverageAsync(CancellationToken ct = default)
    {
        const string sql = """
            SELECT c.alpha3, c.name, count(DISTINCT i.id)::int AS initiatives
            FROM initiatives i JOIN initiative_countries ic ON ic.initiative_id = i.id JOIN countries c ON c.alpha3 = ic.country
            WHERE i.archived_at IS NULL
            GROUP BY c.alpha3, c.name ORDER BY c.alpha3;

            SELECT t AS row, c.region, count(DISTINCT i.id)::int AS initiatives
            FROM initiatives i CROSS JOIN unnest(i.themes) t JOIN initiative_countries ic ON ic.initiative_id = i.id
            JOIN countries c ON c.alpha3 = ic.country
            WHERE i.archived_at IS NULL AND c.region <> ''
            GROUP BY t, c.region;

            SELECT a AS row, c.region, count(DISTINCT i.id)::int AS initiatives
            FROM initiatives i CROSS JOIN unnest(i.audiences) a JOIN initiative_countries ic ON ic.initiative_id = i.id
            JOIN countries c ON c.alpha3 = ic.country
            WHERE i.archived_at IS NULL AND c.region <> ''
            GROUP BY a, c.region;
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var results = await conn.QueryMultipleAsync(new CommandDefinition(sql, cancellationToken: ct));
        return new Coverage(
            (await results.ReadAsync<CountryCount>()).AsList(),
            (await results.ReadAsync<MatrixCell>()).AsList(),
            (await results.ReadAsync<MatrixCell>()).AsList());
    }

    /// <summary>Proposals by status; a partner passes their organization and sees only its own (scoped here, in SQL).</summary>
    public async Task<IReadOnlyList<ProposalSummary>> ProposalsAsync(string? status, long? organizationId, CancellationToken ct = default)
    {
        const string sql = """
            SELECT p.id, p.initiative_id, i.name AS current_name, p.payload->>'name' AS proposed_name, p.organization_id,
                   o.name AS organization_name, p.proposed_at, p.status, p.rejection_reason, p.reviewed_at, p.payload::text AS payload
            FROM initiative_proposals p
            JOIN organizations o ON o.id = p.organization_id
            LEFT JOIN initiatives i ON i.id = p.initiative_id
            WHERE (@status::text IS NULL OR p.status = @status)
              AND (@organizationId::bigint IS NULL OR p.organization_id = @organizationId)
            ORDER BY p.proposed_at DESC
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<ProposalSummary>(new CommandDefinition(sql, new { status, organizationId }, cancellationToken: ct))).AsList();
    }

    static object Parameters(InitiativeQuery q, bool publicOnly) => new
    {
        PublicOnly = publicOnly, q.Text, q.Scope, q.Status, q.Verification, q.LeadType, q.Theme, q.Audience, q.Language,
        q.Country, q.Region, q.SubRegion, q.PageSize, Offset = q.Page * q.PageSize,
        StaleBefore = DateTimeOffset.UtcNow.AddMonths(-q.StaleAfterMonths),
    };
}
