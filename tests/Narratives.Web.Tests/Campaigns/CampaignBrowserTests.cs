using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Narratives.Web.Tests.Browser;
using Npgsql;

namespace Narratives.Web.Tests.Campaigns;

[Collection(BrowserCollection.Name)]
public sealed class CampaignBrowserTests(BrowserFixture fixture)
{
    async Task<T> ScalarAsync<T>(string sql, params (string Name, object Value)[] parameters)
    {
        await using var conn = new NpgsqlConnection(fixture.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        foreach (var (name, value) in parameters) cmd.Parameters.AddWithValue(name, value);
        return (T)(await cmd.ExecuteScalarAsync())!;
    }

    /// <summary>The text box of a MudBlazor field, wherever the field put its test id.</summary>
    static ILocator Field(IPage page, string testId) =>
        page.Locator($"input[data-testid='{testId}'], textarea[data-testid='{testId}'], [data-testid='{testId}'] input, [data-testid='{testId}'] textarea").First;

    static async Task ChooseAsync(IPage page, string testId, string option)
    {
        await page.GetByTestId(testId).ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = option, Exact = true }).ClickAsync();
        // A multiple choice stays open after a click; clicking outside it closes it, as a person would.
        if (await page.Locator(".mud-popover-open").CountAsync() > 0) await page.Locator("h1").ClickAsync();
        await Assertions.Expect(page.Locator(".mud-popover-open [role=option]")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task A_partner_walks_the_gammma_form_from_draft_to_published_and_records_a_pre_post_survey()
    {
        var initiative = await ScalarAsync<string>("SELECT name FROM initiatives WHERE archived_at IS NULL ORDER BY name LIMIT 1");
        var name = $"Spot the hook {Guid.NewGuid():N}"[..24];
        await using var session = await fixture.NewSessionAsync();
        await session.SignInAsync(DemoUser.PartnerA);
        await session.GotoAsync("/campaigns");
        await session.ClickAndWaitForPathAsync(session.Page.GetByTestId("new-campaign"), "/campaigns/new");
        var page = session.Page;

        await page.GetByTestId("save").ClickAsync();
        await Assertions.Expect(page.GetByText("Give a name of 1 to 300 characters.")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("Choose the initiative this campaign belongs to.")).ToBeVisibleAsync();
        await session.CheckAccessibilityAsync();

        await ChooseAsync(page, "initiative", initiative);
        await Field(page, "name").FillAsync(name);
        await page.GetByTestId("save").ClickAsync();
        await page.WaitForURLAsync(url => Regex.IsMatch(new Uri(url).AbsolutePath, @"^/campaigns/\d+/edit$"));
        await session.WaitForInteractiveAsync();
        var id = long.Parse(new Uri(page.Url).AbsolutePath.Split('/')[2]);
        Assert.Equal("draft", await ScalarAsync<string>("SELECT status FROM campaigns WHERE id = @id", ("id", id)));

        await page.GetByTestId("step-Goal").ClickAsync();
        await Field(page, "goal").FillAsync("Help young people recognise grooming tactics online.");
        await page.GetByTestId("add-kpi").ClickAsync();
        await Field(page, "kpi-target-0").FillAsync("1000");
        await Field(page, "kpi-deadline-0").FillAsync("12/31/2026");
        await Field(page, "kpi-deadline-0").PressAsync("Tab");
        await page.GetByTestId("next").ClickAsync();
        await ChooseAsync(page, "audiences", "Youth");
        await page.GetByTestId("next").ClickAsync();
        await ChooseAsync(page, "themes", "Media and digital literacy");
        await Field(page, "key-message").FillAsync("Recruiters use hooks; learn to spot them.");
        await page.GetByTestId("next").ClickAsync();
        await ChooseAsync(page, "messenger", "Peer or young person");
        await page.GetByTestId("next").ClickAsync();
        await ChooseAsync(page, "platforms", "Facebook");
        await page.GetByTestId("next").ClickAsync();
        await Field(page, "call-to-action").FillAsync("Take the quiz");
        await Field(page, "landing").FillAsync("https://example.org/quiz");
        await Field(page, "utm-source").FillAsync("Facebook");
        await Field(page, "utm-medium").FillAsync("paid social");
        await Assertions.Expect(page.GetByTestId("landing-url")).ToHaveTextAsync("https://example.org/quiz?utm_source=facebook&utm_medium=paid-social");
        await page.GetByTestId("next").ClickAsync();
        await Field(page, "monitoring").FillAsync("reach\nquiz completions");
        await page.GetByTestId("save").ClickAsync();
        await Assertions.Expect(page.GetByText("Saved.")).ToBeVisibleAsync();

        // Running needs a start date: the form says so on the step that holds it.
        await page.GetByTestId("step-Basics").ClickAsync();
        await ChooseAsync(page, "status", "Running");
        await page.GetByTestId("step-Review").ClickAsync();
        await Field(page, "publish").CheckAsync();
        await page.GetByTestId("save").ClickAsync();
        await Assertions.Expect(page.GetByText("Give the start date.")).ToBeVisibleAsync();
        await Field(page, "start").FillAsync("10/01/2026");
        await Field(page, "start").PressAsync("Tab");
        await page.GetByTestId("save").ClickAsync();
        await Assertions.Expect(page.GetByText("Saved.").Last).ToBeVisibleAsync();
        await session.CheckAccessibilityAsync();
        Assert.True(await ScalarAsync<bool>("SELECT is_published AND status = 'running' FROM campaigns WHERE id = @id", ("id", id)));
        Assert.Equal("https://example.org/quiz?utm_source=facebook&utm_medium=paid-social",
            await ScalarAsync<string>("SELECT landing_url FROM campaigns WHERE id = @id", ("id", id)));

        await session.ClickAndWaitForPathAsync(page.GetByTestId("view"), $"/campaigns/{id}");
        await Assertions.Expect(page.GetByTestId("published")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("kpi-figures")).ToContainTextAsync("0 of 1,000");

        await page.GetByRole(AriaRole.Tab, new() { NameRegex = new Regex("^Outcomes") }).ClickAsync();
        await page.GetByTestId("record-outcome").GetByText("Record an outcome measurement").ClickAsync();
        await Field(page, "outcome-question").FillAsync("I check who is behind a video before sharing it");
        await ChooseAsync(page, "outcome-arm", "before");
        await Field(page, "outcome-sample").FillAsync("200");
        await Field(page, "outcome-agreeing").FillAsync("262");
        await Field(page, "outcome-date").FillAsync("10/01/2026");
        await Field(page, "outcome-date").PressAsync("Tab");
        await page.GetByTestId("outcome-save").ClickAsync();
        await Assertions.Expect(page.GetByText("262 people agreeing is more than the 200 who answered.")).ToBeVisibleAsync();
        await Field(page, "outcome-agreeing").FillAsync("62");
        // Leave the field as a person would, so the corrected figure reaches the server before the click does.
        await Field(page, "outcome-agreeing").PressAsync("Tab");
        await page.GetByTestId("outcome-save").ClickAsync();
        await Assertions.Expect(page.GetByTestId("outcome")).ToHaveCountAsync(1);

        await ChooseAsync(page, "outcome-arm", "after");
        await Field(page, "outcome-sample").FillAsync("180");
        await Field(page, "outcome-agreeing").FillAsync("95");
        await Field(page, "outcome-date").FillAsync("11/15/2026");
        await Field(page, "outcome-date").PressAsync("Tab");
        await page.GetByTestId("outcome-save").ClickAsync();
        await Assertions.Expect(page.GetByTestId("outcome")).ToHaveCountAsync(2);
        await Assertions.Expect(page.GetByTestId("outcomes")).ToContainTextAsync("95 of 180 agreed");
        await Assertions.Expect(page.GetByTestId("verdict")).ToContainTextAsync("Agreement is higher after than before");
        await session.CheckAccessibilityAsync();
        Assert.Equal(2L, await ScalarAsync<long>("SELECT count(*) FROM audit_log WHERE entity_type = 'outcome_measurement' AND action = 'create' AND after->>'question' = 'I check who is behind a video before sharing it'"));
    }

    [Fact]
    public async Task A_partner_cannot_open_another_organizations_draft_and_the_attempt_is_logged()
    {
        var draft = await ScalarAsync<long>(
            "SELECT c.id FROM campaigns c JOIN organizations o ON o.id = c.organization_id WHERE o.key = 'horizons-youth' AND NOT c.is_published ORDER BY c.id LIMIT 1");
        var published = await ScalarAsync<long>(
            "SELECT c.id FROM campaigns c JOIN organizations o ON o.id = c.organization_id WHERE o.key = 'horizons-youth' AND c.is_published AND c.archived_at IS NULL ORDER BY c.id LIMIT 1");
        var before = await ScalarAsync<long>("SELECT count(*) FROM audit_log WHERE action = 'access_denied' AND entity_type = 'campaign' AND entity_id = @id", ("id", draft.ToString()));
        await using var session = await fixture.NewSessionAsync();
        await session.SignInAsync(DemoUser.PartnerB);

        await session.GotoExpectingAsync($"/campaigns/{draft}", 404);
        await Assertions.Expect(session.Page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Page not found");
        await session.GotoExpectingAsync($"/campaigns/{draft}/edit", 404);

        await session.GotoAsync($"/campaigns/{published}");
        await Assertions.Expect(session.Page.GetByTestId("plan")).ToBeVisibleAsync();
        await Assertions.Expect(session.Page.GetByTestId("edit")).ToHaveCountAsync(0);
        await Assertions.Expect(session.Page.GetByTestId("record-outcome")).ToHaveCountAsync(0);

        Assert.True(before + 2 <= await ScalarAsync<long>("SELECT count(*) FROM audit_log WHERE action = 'access_denied' AND entity_type = 'campaign' AND entity_id = @id", ("id", draft.ToString())));
    }

    [Fact]
    public async Task A_campaign_with_variants_shows_its_funnel_and_an_ab_verdict_in_words()
    {
        var id = await ScalarAsync<long>("SELECT id FROM campaigns WHERE external_ref = 'hd-fakker-qbal-matpartagi'");
        await using var session = await fixture.NewSessionAsync();
        await session.SignInAsync(DemoUser.Researcher);

        await session.GotoAsync($"/campaigns/{id}");

        await Assertions.Expect(session.Page.Locator("#campaign-funnel.js-plotly-plot .main-svg").First).ToBeAttachedAsync();
        await Assertions.Expect(session.Page.GetByTestId("ab-verdict")).ToContainTextAsync(new System.Text.RegularExpressions.Regex("beats|No detectable difference|Too few"));
        await session.Page.GetByRole(AriaRole.Tab, new() { NameRegex = new Regex("^Outcomes") }).ClickAsync();
        await Assertions.Expect(session.Page.GetByTestId("verdict")).ToContainTextAsync("Agreement is higher after than before");
        await session.CheckAccessibilityAsync();
    }
}
