using Dapper;
using Narratives.Core.Demo;
using Narratives.Testing;

namespace Narratives.Core.Tests.Demo;

public sealed class DemoSeederTests
{
    [Fact]
    public async Task The_demo_covers_every_region_scope_theme_and_audience()
    {
        var server = await PostgresServer.GetAsync();
        await using var db = await server.CreateDatabaseAsync(withDemoData: true);
        await using var conn = await db.DataSource.OpenConnectionAsync();
        var taxonomy = Narratives.Core.Reference.Taxonomy.Load();

        var initiatives = await conn.ExecuteScalarAsync<int>("SELECT count(*) FROM initiatives WHERE is_demo");
        var regions = (await conn.QueryAsync<string>("""
            SELECT DISTINCT c.region FROM initiative_countries ic JOIN countries c ON c.alpha3 = ic.country ORDER BY 1
            """)).ToList();
        var scopes = (await conn.QueryAsync<string>("SELECT DISTINCT scope FROM initiatives ORDER BY 1")).ToList();
        var themes = (await conn.QueryAsync<string>("SELECT DISTINCT unnest(themes) FROM initiatives")).ToHashSet();
        var audiences = (await conn.QueryAsync<string>("SELECT DISTINCT unnest(audiences) FROM initiatives")).ToHashSet();

        Assert.True(initiatives >= 40, $"{initiatives} initiatives");
        Assert.Equal(["Africa", "Americas", "Asia", "Europe", "Oceania"], regions);
        Assert.Equal(["global", "national", "regional"], scopes);
        Assert.Subset(themes, taxonomy.Themes.Select(t => t.Id).ToHashSet());
        Assert.Subset(audiences, taxonomy.Audiences.Select(a => a.Id).ToHashSet());
    }

    [Fact]
    public async Task The_demo_has_partner_campaigns_with_content_in_three_languages_and_180_days_of_engagement()
    {
        var server = await PostgresServer.GetAsync();
        await using var db = await server.CreateDatabaseAsync(withDemoData: true);
        await using var conn = await db.DataSource.OpenConnectionAsync();

        var organizations = await conn.ExecuteScalarAsync<int>("SELECT count(*) FROM organizations WHERE kind = 'civil_society'");
        var campaigns = await conn.ExecuteScalarAsync<int>("SELECT count(*) FROM campaigns");
        var languages = (await conn.QueryAsync<string>("SELECT DISTINCT language FROM content_items ORDER BY 1")).ToList();
        var days = await conn.ExecuteScalarAsync<int>("SELECT max(day) - min(day) + 1 FROM engagement_facts");
        var lastDay = await conn.ExecuteScalarAsync<DateOnly>("SELECT max(day) FROM engagement_facts");
        var kpis = await conn.ExecuteScalarAsync<int>("SELECT count(*) FROM campaign_kpis");
        var history = await conn.ExecuteScalarAsync<int>("SELECT count(*) FROM initiative_history");

        Assert.Equal(3, organizations);
        Assert.True(campaigns >= 12, $"{campaigns} campaigns");
        Assert.Equal(["ar", "en", "fr"], languages);
        Assert.Equal(180, days);
        Assert.Equal(DemoSeeder.AsOf, lastDay);
        Assert.True(kpis >= campaigns);
        Assert.Equal(await conn.ExecuteScalarAsync<int>("SELECT count(*) FROM initiatives"), history);
    }

    [Fact]
    public async Task Views_are_only_recorded_for_platforms_that_report_them()
    {
        var server = await PostgresServer.GetAsync();
        await using var db = await server.CreateDatabaseAsync(withDemoData: true);
        await using var conn = await db.DataSource.OpenConnectionAsync();

        var withViews = (await conn.QueryAsync<string>("SELECT DISTINCT platform FROM engagement_facts WHERE views IS NOT NULL ORDER BY 1")).ToList();

        Assert.Equal(["tiktok", "youtube"], withViews);
    }

    [Fact]
    public void Generated_engagement_is_the_same_every_time()
    {
        DemoContentItem[] items =
        [
            new(1, "facebook", new DateTime(2026, 10, 1, 9, 0, 0, DateTimeKind.Utc), null, false, "victims"),
            new(2, "youtube", new DateTime(2026, 11, 1, 9, 0, 0, DateTimeKind.Utc), new DateOnly(2026, 11, 5), true, "rebuttal"),
        ];

        var first = DemoEngagement.Generate(items, DemoSeeder.AsOf);
        var second = DemoEngagement.Generate(items, DemoSeeder.AsOf);

        Assert.Equal(first, second);
        Assert.Equal(new DateOnly(2026, 10, 1), first.Where(f => f.ContentItemId == 1).Min(f => f.Day));
        // A finished campaign's content keeps a tail of two weeks after the end, then stops.
        Assert.Equal(new DateOnly(2026, 11, 19), first.Where(f => f.ContentItemId == 2).Max(f => f.Day));
        Assert.All(first.Where(f => f.ContentItemId == 2), f => Assert.NotNull(f.Spend));
        Assert.All(first, f => Assert.True(f.Reach <= f.Impressions));
    }

    [Fact]
    public async Task Seeding_is_all_or_nothing()
    {
        var server = await PostgresServer.GetAsync();
        await using var db = await server.CreateDatabaseAsync();
        var seedDir = Directory.CreateTempSubdirectory("narratives-seed-").FullName;
        try
        {
            foreach (var file in Directory.GetFiles(DataFiles.Path("seed")))
                File.Copy(file, Path.Combine(seedDir, Path.GetFileName(file)));
            // A campaign whose end is before its start breaks a CHECK constraint late in the load.
            var campaigns = await File.ReadAllTextAsync(Path.Combine(seedDir, "campaigns.json"));
            campaigns = campaigns.Replace("\"end_date\": \"2027-01-31\"", "\"end_date\": \"2020-01-01\"");
            await File.WriteAllTextAsync(Path.Combine(seedDir, "campaigns.json"), campaigns);
            var seeder = new DemoSeeder(db.DataSource, Microsoft.Extensions.Logging.Abstractions.NullLogger<DemoSeeder>.Instance);

            await Assert.ThrowsAsync<Npgsql.PostgresException>(() => seeder.SeedAsync(seedDir));

            Assert.True(await seeder.IsDatabaseEmptyAsync());
        }
        finally
        {
            Directory.Delete(seedDir, recursive: true);
        }
    }
}
