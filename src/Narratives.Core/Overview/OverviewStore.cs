using Dapper;
using Narratives.Core.Campaigns;
using Npgsql;

namespace Narratives.Core.Overview;

/// <summary>How much the register holds, as far as the viewer may see it.</summary>
public sealed record OverviewCounts(int Initiatives, int Countries, int Campaigns, int ContentItems, bool HasDemoData);

/// <summary>The counts on top of the Overview page; the engagement figures come from the analytics rollups.</summary>
public sealed class OverviewStore(NpgsqlDataSource db)
{
    public async Task<OverviewCounts> CountsAsync(CampaignViewer viewer, CancellationToken ct = default)
    {
        const string sql = """
            WITH visible AS (
                SELECT id FROM campaigns c
                WHERE c.archived_at IS NULL AND (@IsStaff OR c.is_published OR c.organization_id = @OrganizationId))
            SELECT
                (SELECT count(*) FROM initiatives WHERE archived_at IS NULL)::int AS initiatives,
                (SELECT count(DISTINCT ic.country) FROM initiative_countries ic JOIN initiatives i ON i.id = ic.initiative_id WHERE i.archived_at IS NULL)::int AS countries,
                (SELECT count(*) FROM visible)::int AS campaigns,
                (SELECT count(*) FROM content_items ci WHERE ci.campaign_id IN (SELECT id FROM visible))::int AS content_items,
                EXISTS (SELECT 1 FROM initiatives WHERE is_demo) AS has_demo_data
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleAsync<OverviewCounts>(new CommandDefinition(sql, new { viewer.IsStaff, viewer.OrganizationId }, cancellationToken: ct));
    }
}
