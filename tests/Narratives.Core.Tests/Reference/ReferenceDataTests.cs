using Dapper;
using Narratives.Core.Reference;
using Narratives.Testing;

namespace Narratives.Core.Tests.Reference;

public sealed class ReferenceDataTests
{
    [Fact]
    public void The_shipped_country_list_has_iso_codes_and_m49_regions()
    {
        var countries = CountryReference.ReadCsv();

        Assert.True(countries.Count >= 249);
        Assert.Equal(countries.Count, countries.Select(c => c.Alpha3).Distinct().Count());
        Assert.Contains(new Country("TUN", "TN", "788", "Tunisia", "Africa", "Northern Africa", ""), countries);
        Assert.Equal("Eastern Africa", countries.Single(c => c.Alpha3 == "KEN").IntermediateRegion);
        Assert.All(countries.Where(c => c.Alpha3 != "ATA"), c => Assert.Contains(c.Region, new[] { "Africa", "Americas", "Asia", "Europe", "Oceania" }));
    }

    [Fact]
    public async Task Syncing_countries_corrects_changed_rows_and_is_repeatable()
    {
        var server = await PostgresServer.GetAsync();
        await using var db = await server.CreateDatabaseAsync();
        await using var conn = await db.DataSource.OpenConnectionAsync();
        await conn.ExecuteAsync("UPDATE countries SET name = 'Old name' WHERE alpha3 = 'FRA'");

        await CountryReference.SyncAsync(db.DataSource, CountryReference.ReadCsv());
        await CountryReference.SyncAsync(db.DataSource, CountryReference.ReadCsv());

        Assert.Equal("France", await conn.ExecuteScalarAsync<string>("SELECT name FROM countries WHERE alpha3 = 'FRA'"));
        Assert.Equal(CountryReference.ReadCsv().Count, await conn.ExecuteScalarAsync<int>("SELECT count(*) FROM countries"));
    }

    [Fact]
    public void The_taxonomy_has_the_eight_themes_and_ten_audiences()
    {
        var taxonomy = Taxonomy.Load();

        Assert.Equal(["rebuttal", "alternative", "grievance", "religious", "victims", "formers", "literacy", "dialogue"], taxonomy.Themes.Select(t => t.Id));
        Assert.Equal(["youth", "women", "families", "religious", "educators", "at-risk-online", "prisons", "returnees", "diaspora", "general"], taxonomy.Audiences.Select(a => a.Id));
        Assert.All(taxonomy.Themes.Concat(taxonomy.Audiences), t => Assert.False(string.IsNullOrWhiteSpace(t.Definition)));
    }
}
