using System.Text.Json;
using System.Text.Json.Nodes;
using Dapper;
using Microsoft.Extensions.Logging;
using Narratives.Core.Reference;
using Npgsql;

namespace Narratives.Core.Demo;

public sealed record DemoSeedResult(int Organizations, int Initiatives, int Campaigns, int ContentItems, int EngagementFacts);

/// <summary>
/// Loads the illustrative demo dataset of data/seed/ (organizations, initiatives, campaigns with their content)
/// and generates 180 days of daily engagement for it, all in one transaction. Every row is marked is_demo.
/// </summary>
public sealed class DemoSeeder(NpgsqlDataSource db, ILogger<DemoSeeder> logger)
{
    /// <summary>The last day of demo engagement; the demo covers the 180 days up to it.</summary>
    public static readonly DateOnly AsOf = new(2026, 11, 22);

    public async Task<bool> IsDatabaseEmptyAsync(CancellationToken ct = default)
    {
        const string sql = "SELECT NOT EXISTS (SELECT 1 FROM initiatives) AND NOT EXISTS (SELECT 1 FROM organizations)";
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.ExecuteScalarAsync<bool>(new CommandDefinition(sql, cancellationToken: ct));
    }

    /// <summary>True while any illustrative demo initiative is in the database (the dashboard then says so).</summary>
    public async Task<bool> HasDemoDataAsync(CancellationToken ct = default)
    {
        const string sql = "SELECT EXISTS (SELECT 1 FROM initiatives WHERE is_demo)";
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.ExecuteScalarAsync<bool>(new CommandDefinition(sql, cancellationToken: ct));
    }

    public async Task<DemoSeedResult> SeedAsync(string? seedDirectory = null, CancellationToken ct = default)
    {
        seedDirectory ??= DataFiles.Path("seed");
        var organizations = await File.ReadAllTextAsync(Path.Combine(seedDirectory, "organizations.json"), ct);
        var initiatives = await File.ReadAllTextAsync(Path.Combine(seedDirectory, "initiatives.json"), ct);
        var campaigns = await File.ReadAllTextAsync(Path.Combine(seedDirectory, "campaigns.json"), ct);
        CheckTaxonomy(initiatives, campaigns, Taxonomy.Load());

        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);

        var orgCount = await conn.ExecuteAsync(new CommandDefinition(InsertOrganizations, new { doc = organizations }, tx, cancellationToken: ct));
        var initiativeCount = await conn.ExecuteAsync(new CommandDefinition(InsertInitiatives, new { doc = initiatives }, tx, cancellationToken: ct));
        await conn.ExecuteAsync(new CommandDefinition(InsertInitiativeCountries, new { doc = initiatives }, tx, cancellationToken: ct));
        await conn.ExecuteAsync(new CommandDefinition(InsertInitiativeHistory, transaction: tx, cancellationToken: ct));
        var campaignCount = await conn.ExecuteAsync(new CommandDefinition(InsertCampaigns, new { doc = campaigns }, tx, cancellationToken: ct));
        await conn.ExecuteAsync(new CommandDefinition(InsertKpis, new { doc = campaigns }, tx, cancellationToken: ct));
        var contentCount = await conn.ExecuteAsync(new CommandDefinition(InsertContent, new { doc = campaigns }, tx, cancellationToken: ct));
        await conn.ExecuteAsync(new CommandDefinition(InsertVariants, new { doc = campaigns }, tx, cancellationToken: ct));
        await conn.ExecuteAsync(new CommandDefinition(AssignVariants, transaction: tx, cancellationToken: ct));
        await conn.ExecuteAsync(new CommandDefinition(InsertOutcomes, new { doc = campaigns }, tx, cancellationToken: ct));

        var items = (await conn.QueryAsync<DemoContentItem>(new CommandDefinition(SelectContent, transaction: tx, cancellationToken: ct))).ToList();
        var facts = DemoEngagement.Generate(items, AsOf);
        var factCount = await DemoEngagement.CopyAsync(conn, facts, ct);
        await Analytics.RollupStore.RebuildAsync(conn, tx, ct);

        await tx.CommitAsync(ct);
        var result = new DemoSeedResult(orgCount, initiativeCount, campaignCount, contentCount, factCount);
        logger.LogInformation("Loaded demo data: {Result}", result);
        return result;
    }

    static void CheckTaxonomy(string initiatives, string campaigns, Taxonomy taxonomy)
    {
        var problems = new List<string>();
        void Check(JsonNode? node, string where)
        {
            foreach (var t in node?["themes"]?.AsArray() ?? []) if (!taxonomy.IsTheme(t!.GetValue<string>())) problems.Add($"{where}: unknown theme '{t}'");
            foreach (var a in node?["audiences"]?.AsArray() ?? []) if (!taxonomy.IsAudience(a!.GetValue<string>())) problems.Add($"{where}: unknown audience '{a}'");
            if (node?["theme"] is { } theme && !taxonomy.IsTheme(theme.GetValue<string>())) problems.Add($"{where}: unknown theme '{theme}'");
        }
        foreach (var i in JsonNode.Parse(initiatives)!.AsArray()) Check(i, $"initiative {i!["key"]}");
        foreach (var c in JsonNode.Parse(campaigns)!.AsArray())
        {
            Check(c!["message"], $"campaign {c["key"]}");
            Check(c["audience"], $"campaign {c["key"]}");
            foreach (var item in c["content_items"]!.AsArray()) Check(item, $"content {item!["platform"]}/{item["external_id"]}");
        }
        if (problems.Count > 0)
            throw new InvalidDataException("The demo data does not match data/taxonomy.json:\n" + string.Join('\n', problems));
    }

    const string InsertOrganizations = """
        INSERT INTO organizations (key, name, kind, country, website, description, is_demo)
        SELECT r.key, r.name, r.kind, r.country, r.website, coalesce(r.description, ''), true
        FROM jsonb_to_recordset(@doc::jsonb) AS r(key text, name text, kind text, country text, website text, description text)
        """;

    const string InsertInitiatives = """
        INSERT INTO initiatives (external_ref, name, short_description, description, scope, lead_organization, lead_type,
                                 partner_organizations, owner_organization_id, themes, audiences, languages, channels, status,
                                 start_date, end_date, website, social_links, contact_name, contact_email, verification,
                                 last_verified_at, notes, is_demo)
        SELECT r.key, r.name, r.short_description, r.description, r.scope, r.lead_organization, r.lead_type,
               coalesce(r.partner_organizations, '{}'), o.id, r.themes, r.audiences, r.languages, coalesce(r.channels, '{}'), r.status,
               r.start_date, r.end_date, r.website, coalesce(r.social_links, '{}'), r.contact->>'name', r.contact->>'email', r.verification,
               r.last_verified_at, coalesce(r.notes, ''), true
        FROM jsonb_to_recordset(@doc::jsonb) AS r(
            key text, name text, short_description text, description text, scope text, lead_organization text, lead_type text,
            partner_organizations text[], partner_org_key text, themes text[], audiences text[], languages text[], channels text[],
            status text, start_date date, end_date date, website text, social_links text[], contact jsonb, verification text,
            last_verified_at date, notes text)
        LEFT JOIN organizations o ON o.key = r.partner_org_key
        """;

    const string InsertInitiativeCountries = """
        INSERT INTO initiative_countries (initiative_id, country)
        SELECT DISTINCT i.id, c.code
        FROM jsonb_array_elements(@doc::jsonb) AS doc
        JOIN initiatives i ON i.external_ref = doc->>'key'
        CROSS JOIN LATERAL jsonb_array_elements_text(doc->'countries') AS c(code)
        """;

    const string InsertInitiativeHistory = """
        INSERT INTO initiative_history (initiative_id, version, changed_at, changed_by_label, change_kind, changes, snapshot)
        SELECT i.id, 1, i.created_at, 'Demo data', 'created', '{}'::jsonb,
               to_jsonb(i) - 'search' || jsonb_build_object('countries',
                   (SELECT coalesce(jsonb_agg(ic.country ORDER BY ic.country), '[]'::jsonb) FROM initiative_countries ic WHERE ic.initiative_id = i.id))
        FROM initiatives i
        WHERE i.is_demo
        """;

    const string InsertCampaigns = """
        INSERT INTO campaigns (initiative_id, organization_id, external_ref, name, status, is_published, start_date, end_date,
                               budget, currency, goal_text, audiences, target_countries, target_languages, age_min, age_max,
                               audience_description, themes, key_message, messenger, platforms, offline_channels, is_paid,
                               call_to_action, landing_url, monitoring_metrics, outcome_measures, baseline, is_demo)
        SELECT i.id, o.id, r.key, r.name, r.status, r.published, r.start_date, r.end_date,
               r.budget, r.currency, r.goal->>'text',
               ARRAY(SELECT jsonb_array_elements_text(r.audience->'audiences')),
               ARRAY(SELECT jsonb_array_elements_text(r.audience->'countries')),
               ARRAY(SELECT jsonb_array_elements_text(r.audience->'languages')),
               (r.audience->>'age_min')::int, (r.audience->>'age_max')::int, coalesce(r.audience->>'description', ''),
               ARRAY(SELECT jsonb_array_elements_text(r.message->'themes')), coalesce(r.message->>'key_message', ''),
               r.messenger,
               ARRAY(SELECT jsonb_array_elements_text(r.media->'platforms')),
               ARRAY(SELECT jsonb_array_elements_text(coalesce(r.media->'offline_channels', '[]'))),
               coalesce((r.media->>'paid')::boolean, false),
               coalesce(r.call_to_action->>'text', ''), r.call_to_action->>'landing_url',
               ARRAY(SELECT jsonb_array_elements_text(coalesce(r.monitoring_plan->'metrics', '[]'))),
               ARRAY(SELECT jsonb_array_elements_text(coalesce(r.monitoring_plan->'outcome_measures', '[]'))),
               coalesce(r.monitoring_plan->>'baseline', ''), true
        FROM jsonb_to_recordset(@doc::jsonb) AS r(
            key text, initiative_key text, organization_key text, name text, status text, published boolean,
            start_date date, end_date date, budget numeric, currency text, goal jsonb, audience jsonb, message jsonb,
            messenger text, media jsonb, call_to_action jsonb, monitoring_plan jsonb)
        JOIN initiatives i ON i.external_ref = r.initiative_key
        JOIN organizations o ON o.key = r.organization_key
        """;

    const string InsertKpis = """
        INSERT INTO campaign_kpis (campaign_id, metric, target, deadline, description)
        SELECT c.id, k.metric, k.target, k.deadline, coalesce(k.description, '')
        FROM jsonb_array_elements(@doc::jsonb) AS doc
        JOIN campaigns c ON c.external_ref = doc->>'key'
        CROSS JOIN LATERAL jsonb_to_recordset(doc->'goal'->'kpis') AS k(metric text, target numeric, deadline date, description text)
        """;

    const string InsertContent = """
        INSERT INTO content_items (campaign_id, platform, external_id, permalink, text, language, published_at, source,
                                   reviewed_theme, reviewed_audiences, reviewed_at)
        SELECT c.id, ci.platform, ci.external_id, ci.permalink, ci.text, ci.language, ci.published_at, 'demo',
               ci.theme, ci.audiences, ci.published_at
        FROM jsonb_array_elements(@doc::jsonb) AS doc
        JOIN campaigns c ON c.external_ref = doc->>'key'
        CROSS JOIN LATERAL jsonb_to_recordset(doc->'content_items') AS ci(
            external_id text, platform text, permalink text, language text, published_at timestamptz, text text,
            theme text, audiences text[])
        """;

    const string InsertVariants = """
        INSERT INTO campaign_variants (campaign_id, name, is_control, description)
        SELECT c.id, v.name, v.is_control, v.description
        FROM jsonb_array_elements(@doc::jsonb) AS doc
        JOIN campaigns c ON c.external_ref = doc->>'key'
        CROSS JOIN LATERAL jsonb_to_recordset(coalesce(doc->'variants', '[]')) AS v(name text, is_control boolean, description text)
        """;

    // A campaign's content alternates between its message variants (not the control), in publication order.
    const string AssignVariants = """
        WITH variants AS (
            SELECT id, campaign_id, row_number() OVER (PARTITION BY campaign_id ORDER BY name) - 1 AS n,
                   count(*) OVER (PARTITION BY campaign_id) AS variant_count
            FROM campaign_variants WHERE NOT is_control),
        items AS (
            SELECT id, campaign_id, row_number() OVER (PARTITION BY campaign_id ORDER BY published_at, id) - 1 AS n
            FROM content_items)
        UPDATE content_items ci SET variant_id = v.id
        FROM items i JOIN variants v ON v.campaign_id = i.campaign_id AND v.n = i.n % v.variant_count
        WHERE ci.id = i.id
        """;

    const string InsertOutcomes = """
        INSERT INTO outcome_measurements (campaign_id, variant_id, kind, question, design, arm, sample_size, agreeing, conversion_type,
                                          count, note, evidence_url, measured_on)
        SELECT c.id, v.id, o.kind, o.question, o.design, o.arm, o.sample_size, o.agreeing, o.conversion_type, o.count, o.note,
               o.evidence_url, o.measured_on
        FROM jsonb_array_elements(@doc::jsonb) AS doc
        JOIN campaigns c ON c.external_ref = doc->>'key'
        CROSS JOIN LATERAL jsonb_to_recordset(coalesce(doc->'outcomes', '[]')) AS o(
            kind text, variant text, question text, design text, arm text, sample_size integer, agreeing integer, conversion_type text,
            count integer, note text, evidence_url text, measured_on date)
        LEFT JOIN campaign_variants v ON v.campaign_id = c.id AND v.name = o.variant
        """;

    const string SelectContent = """
        SELECT ci.id AS content_item_id, ci.platform, ci.published_at, c.end_date AS campaign_end, c.is_paid,
               coalesce(ci.reviewed_theme, '') AS theme
        FROM content_items ci
        JOIN campaigns c ON c.id = ci.campaign_id
        WHERE ci.source = 'demo'
        ORDER BY ci.id
        """;
}
