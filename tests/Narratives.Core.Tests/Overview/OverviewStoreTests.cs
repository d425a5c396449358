using Dapper;
using Narratives.Core.Campaigns;
using Narratives.Core.Overview;
using Narratives.Testing;

namespace Narratives.Core.Tests.Overview;

public sealed class OverviewStoreTests
{
    [Fact]
    public async Task The_counts_cover_live_records_the_viewer_may_see()
    {
        var server = await PostgresServer.GetAsync();
        await using var db = await server.CreateDatabaseAsync(withDemoData: true);
        await using var conn = await db.DataSource.OpenConnectionAsync();
        await conn.ExecuteAsync("UPDATE initiatives SET archived_at = now() WHERE id = (SELECT min(id) FROM initiatives)");
        var store = new OverviewStore(db.DataSource);

        var staff = await store.CountsAsync(new CampaignViewer(true, null));
        var researcher = await store.CountsAsync(CampaignViewer.Public);

        Assert.Equal(45, staff.Initiatives);
        Assert.Equal(14, staff.Campaigns);
        Assert.Equal(12, researcher.Campaigns);
        Assert.Equal(114, staff.ContentItems);
        Assert.True(researcher.ContentItems < staff.ContentItems);
        Assert.True(staff.HasDemoData);
    }

    [Fact]
    public async Task An_empty_database_gives_zeros()
    {
        var server = await PostgresServer.GetAsync();
        await using var db = await server.CreateDatabaseAsync();

        var counts = await new OverviewStore(db.DataSource).CountsAsync(new CampaignViewer(true, null));

        Assert.Equal(new OverviewCounts(0, 0, 0, 0, false), counts);
    }
}
