using Dapper;
using Narratives.Core.Initiatives;
using Narratives.Testing;

namespace Narratives.Core.Tests.Initiatives;

public sealed class InitiativeStoreTests
{
    static async Task<(TestDatabase Db, InitiativeStore Store)> DemoAsync()
    {
        var server = await PostgresServer.GetAsync();
        var db = await server.CreateDatabaseAsync(withDemoData: true);
        return (db, new InitiativeStore(db.DataSource));
    }

    [Fact]
    public async Task Filters_combine_and_the_total_and_facets_describe_the_filtered_set()
    {
        var (db, store) = await DemoAsync();
        await using var _ = db;
        await using var conn = await db.DataSource.OpenConnectionAsync();
        var expected = await conn.ExecuteScalarAsync<int>("""
            SELECT count(*) FROM initiatives i WHERE i.scope = 'regional' AND 'youth' = ANY (i.audiences)
              AND EXISTS (SELECT 1 FROM initiative_countries ic JOIN countries c ON c.alpha3 = ic.country WHERE ic.initiative_id = i.id AND c.region = 'Africa')
            """);

        var page = await store.ListPageAsync(new InitiativeQuery(Scope: "regional", Audience: "youth", Region: "Africa"), publicOnly: false);

        Assert.True(expected > 0);
        Assert.Equal(expected, page.Total);
        Assert.All(page.Items, i => Assert.Equal("regional", i.Scope));
        Assert.All(page.Items, i => Assert.Contains("youth", i.Audiences));
        Assert.All(page.Items, i => Assert.Contains("Africa", i.Regions));
        Assert.Equal(page.Total, page.Facets.Where(f => f.Facet == "scope").Sum(f => f.Count));
        Assert.Equal(page.Total, page.Facets.Single(f => f.Facet == "audience" && f.Value == "youth").Count);
    }

    [Fact]
    public async Task Full_text_search_finds_words_in_names_and_descriptions_and_ranks_nothing_it_should_not()
    {
        var (db, store) = await DemoAsync();
        await using var _ = db;

        var horizons = await store.ListPageAsync(new InitiativeQuery(Text: "Horizons"), publicOnly: false);
        var nothing = await store.ListPageAsync(new InitiativeQuery(Text: "xylophone-quasar"), publicOnly: false);
        var odd = await store.ListPageAsync(new InitiativeQuery(Text: "'; DROP TABLE initiatives; --"), publicOnly: false);

        Assert.Contains(horizons.Items, i => i.LeadOrganization == "Horizons Youth Network");
        Assert.Equal(0, nothing.Total);
        Assert.Equal(0, odd.Total);
        Assert.True((await store.ListPageAsync(new InitiativeQuery(), publicOnly: false)).Total >= 40);
    }

    [Fact]
    public async Task Sorting_takes_only_known_columns_and_paging_covers_everything_once()
    {
        var (db, store) = await DemoAsync();
        await using var _ = db;

        var bySql = await store.ListPageAsync(new InitiativeQuery(Sort: "name; DROP TABLE initiatives"), publicOnly: false);
        var newestFirst = await store.ListPageAsync(new InitiativeQuery(Sort: "start", Descending: true, PageSize: 200), publicOnly: false);
        var pages = new List<long>();
        for (var p = 0; p < 5; p++)
            pages.AddRange((await store.ListPageAsync(new InitiativeQuery(PageSize: 10, Page: p), publicOnly: false)).Items.Select(i => i.Id));

        Assert.Equal(bySql.Items.Select(i => i.Name).Order(StringComparer.Ordinal), bySql.Items.Select(i => i.Name));
        var starts = newestFirst.Items.Where(i => i.StartDate is not null).Select(i => i.StartDate!.Value).ToList();
        Assert.Equal(starts.OrderDescending(), starts);
        Assert.Equal(bySql.Total, pages.Count);
        Assert.Equal(pages.Count, pages.Distinct().Count());
    }

    [Fact]
    public async Task The_public_see_only_verified_initiatives_and_never_the_contact()
    {
        var (db, store) = await DemoAsync();
        await using var _ = db;
        await using var conn = await db.DataSource.OpenConnectionAsync();
        var unverified = await conn.ExecuteScalarAsync<long>("SELECT min(id) FROM initiatives WHERE verification = 'unverified'");
        var verified = await conn.ExecuteScalarAsync<long>("SELECT min(id) FROM initiatives WHERE verification = 'verified'");

        var publicPage = await store.ListPageAsync(new InitiativeQuery(PageSize: 200), publicOnly: true);
        var hidden = await store.GetAsync(unverified, publicOnly: true, includeContact: false);
        var shown = await store.GetAsync(verified, publicOnly: true, includeContact: false);
        var staffView = await store.GetAsync(verified, publicOnly: false, includeContact: true);

        Assert.All(publicPage.Items, i => Assert.Equal("verified", i.Verification));
        Assert.Null(hidden);
        Assert.Null(shown!.ContactEmail);
        Assert.NotEmpty(shown.Countries);
        Assert.NotNull(staffView!.ContactEmail);
    }

    [Fact]
    public async Task Each_initiative_has_its_history()
    {
        var (db, store) = await DemoAsync();
        await using var _ = db;

        var history = await store.HistoryAsync(1);

        Assert.Equal("created", Assert.Single(history).ChangeKind);
    }

    [Fact]
    public async Task The_sub_region_filter_and_facet_agree_with_the_countries()
    {
        var (db, store) = await DemoAsync();
        await using var _ = db;
        await using var conn = await db.DataSource.OpenConnectionAsync();
        var expected = await conn.ExecuteScalarAsync<int>("""
            SELECT count(DISTINCT ic.initiative_id) FROM initiative_countries ic JOIN countries c ON c.alpha3 = ic.country
            JOIN initiatives i ON i.id = ic.initiative_id WHERE c.sub_region = 'Northern Africa' AND i.archived_at IS NULL
            """);

        var page = await store.ListPageAsync(new InitiativeQuery(SubRegion: "Northern Africa"), publicOnly: false);
        var all = await store.ListPageAsync(new InitiativeQuery(), publicOnly: false);

        Assert.True(expected > 0);
        Assert.Equal(expected, page.Total);
        Assert.Equal(expected, all.Facets.Single(f => f.Facet == "subRegion" && f.Value == "Northern Africa").Count);
    }
}
