using System.Globalization;
using System.Text;
using Microsoft.Playwright;
using Narratives.Core.Accounts;
using Narratives.Core.Audit;
using Narratives.Web.Tests.Browser;
using Npgsql;

namespace Narratives.Web.Tests.Campaigns;

[Collection(BrowserCollection.Name)]
public sealed class LiveImportBrowserTests(BrowserFixture fixture)
{
    const string Header = "platform,external_id,title,text,permalink,published_at,language,duration_seconds,meaning,date,period_start,impressions,reach,views,watch_seconds,reactions,comments,shares,clicks,saves,follows,spend";

    async Task<long> ScalarAsync(string sql)
    {
        await using var conn = new NpgsqlConnection(fixture.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    static async Task<decimal> KpiValueAsync(IPage page, string metric) =>
        decimal.Parse((await page.Locator($"[data-testid=kpi][data-metric={metric}] [data-testid=kpi-bar]").GetAttributeAsync("data-value"))!, CultureInfo.InvariantCulture);

    [Fact]
    public async Task An_import_moves_the_kpi_progress_bar_and_the_overview_without_a_reload()
    {
        var campaign = await ScalarAsync("SELECT id FROM campaigns WHERE external_ref = 'hd-fakker-qbal-matpartagi'");
        var organization = await ScalarAsync("SELECT id FROM organizations WHERE key = 'horizons-youth'");
        await using var owner = await fixture.NewSessionAsync();
        await owner.SignInAsync(DemoUser.PartnerA);
        await owner.GotoAsync($"/campaigns/{campaign}");
        await Assertions.Expect(owner.Page.Locator("[data-testid=kpi][data-metric=clicks]")).ToBeVisibleAsync();
        var clicksBefore = await KpiValueAsync(owner.Page, "clicks");

        await using var researcher = await fixture.NewSessionAsync();
        await researcher.SignInAsync(DemoUser.Researcher);
        await researcher.GotoAsync($"/?campaign={campaign}&from=2026-11-01&to=2026-11-22");
        var engagementsBefore = await researcher.Page.GetByTestId("kpi-engagements").GetByTestId("value").TextContentAsync();

        await using var db = Npgsql.NpgsqlDataSource.Create(fixture.ConnectionString);
        var key = (await new ApiKeyStore(db).CreateAsync(organization, $"Live test {Guid.NewGuid():N}", null, Actor.System("test"))).Value.Secret;
        var externalId = $"live-quiz-{Guid.NewGuid():N}";
        var csv = $"{Header}\r\nwebsite,{externalId},Quiz page,Spot the hook quiz,,,ar,,daily,2026-11-20,,1000,800,,,,,,777,,,\r\n";
        using var http = new HttpClient { BaseAddress = fixture.App.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Post, $"api/v1/campaigns/{campaign}/imports") { Content = new StringContent(csv, Encoding.UTF8, "text/csv") };
        request.Headers.Add("X-Api-Key", key);
        using var response = await http.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());

        await Assertions.Expect(owner.Page.Locator("[data-testid=kpi][data-metric=clicks] [data-testid=kpi-bar]"))
            .ToHaveAttributeAsync("data-value", (clicksBefore + 777).ToString(CultureInfo.InvariantCulture), new() { Timeout = 15_000 });
        await Assertions.Expect(researcher.Page.GetByTestId("kpi-engagements").GetByTestId("value")).Not.ToHaveTextAsync(engagementsBefore!, new() { Timeout = 15_000 });
    }
}
