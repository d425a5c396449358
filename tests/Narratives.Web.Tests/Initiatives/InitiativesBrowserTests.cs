using Microsoft.Playwright;
using Narratives.Web.Tests.Browser;
using Npgsql;

namespace Narratives.Web.Tests.Initiatives;

[Collection(BrowserCollection.Name)]
public sealed class InitiativesBrowserTests(BrowserFixture fixture)
{
    async Task<long> CountAsync(string where)
    {
        await using var conn = new NpgsqlConnection(fixture.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand($"SELECT count(*) FROM initiatives i WHERE archived_at IS NULL AND {where}", conn);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task A_filtered_view_is_a_link_and_choosing_a_filter_puts_it_in_the_address()
    {
        var expected = await CountAsync("""
            scope = 'national' AND EXISTS (SELECT 1 FROM initiative_countries ic JOIN countries c ON c.alpha3 = ic.country
                                          WHERE ic.initiative_id = i.id AND c.region = 'Asia')
            """);
        await using var session = await fixture.NewSessionAsync();
        await session.SignInAsync(DemoUser.Researcher);

        await session.GotoAsync("/initiatives?scope=national&region=Asia");

        await Assertions.Expect(session.Page.GetByTestId("initiative-count")).ToHaveTextAsync($"{expected} initiatives");
        await Assertions.Expect(session.Page.GetByTestId("initiatives").Locator("tbody tr")).ToHaveCountAsync((int)Math.Min(expected, 25));

        var literacy = await CountAsync("scope = 'national' AND 'literacy' = ANY (themes) AND EXISTS (SELECT 1 FROM initiative_countries ic JOIN countries c ON c.alpha3 = ic.country WHERE ic.initiative_id = i.id AND c.region = 'Asia')");
        await session.Page.GetByTestId("facet-theme").ClickAsync();
        await session.Page.GetByText($"Media and digital literacy ({literacy})").ClickAsync();
        await session.Page.WaitForURLAsync(url => url.Contains("theme=literacy") && url.Contains("scope=national"), new() { WaitUntil = WaitUntilState.Commit });
        await Assertions.Expect(session.Page.GetByTestId("initiative-count")).ToHaveTextAsync($"{literacy} initiatives");
        await session.CheckAccessibilityAsync();
    }

    [Fact]
    public async Task An_initiative_page_shows_its_record_and_history_and_the_contact_only_to_staff()
    {
        await using var staff = await fixture.NewSessionAsync();
        await staff.SignInAsync(DemoUser.Staff);
        await staff.GotoAsync("/initiatives?q=Horizons");
        await staff.ClickAndWaitForPathAsync(staff.Page.GetByTestId("initiatives").GetByRole(AriaRole.Link).First, "/initiatives/" +
            (await staff.Page.GetByTestId("initiatives").GetByRole(AriaRole.Link).First.GetAttributeAsync("href"))!.Split('/')[^1]);
        await Assertions.Expect(staff.Page.GetByTestId("history")).ToContainTextAsync("created");
        await Assertions.Expect(staff.Page.GetByTestId("contact")).ToContainTextAsync("@example.org");
        var path = new Uri(staff.Page.Url).AbsolutePath;

        await using var partner = await fixture.NewSessionAsync();
        await partner.SignInAsync(DemoUser.PartnerA);
        await partner.GotoAsync(path);
        await Assertions.Expect(partner.Page.GetByTestId("history")).ToContainTextAsync("created");
        await Assertions.Expect(partner.Page.GetByTestId("contact")).ToHaveCountAsync(0);
        await Assertions.Expect(partner.Page.GetByTestId("campaigns").Locator("li").First).ToBeVisibleAsync();
    }

    [Fact]
    public async Task Staff_create_an_initiative_after_fixing_the_marked_fields_then_edit_it_and_see_the_change_in_its_history()
    {
        await using var session = await fixture.NewSessionAsync();
        await session.SignInAsync(DemoUser.Staff);
        await session.GotoAsync("/initiatives");
        await session.ClickAndWaitForPathAsync(session.Page.GetByRole(AriaRole.Link, new() { Name = "New initiative" }), "/initiatives/new");
        var page = session.Page;

        await page.GetByLabel("Countries").FillAsync("TUN, ZZZ");
        await page.GetByTestId("save").ClickAsync();
        await Assertions.Expect(page.GetByText("Give a name of 1 to 300 characters.")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("Unknown country code(s): ZZZ")).ToBeVisibleAsync();
        await session.CheckAccessibilityAsync();

        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("Kairouan Story Circles");
        await page.GetByLabel("Countries").FillAsync("TUN");
        await page.GetByLabel("Lead", new() { Exact = true }).FillAsync("Kairouan Civic Forum");
        await page.GetByTestId("save").ClickAsync();
        await page.WaitForURLAsync(url => System.Text.RegularExpressions.Regex.IsMatch(new Uri(url).AbsolutePath, @"^/initiatives/\d+$"));
        await session.WaitForInteractiveAsync();
        await session.CheckAccessibilityAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Kairouan Story Circles", Level = 1 })).ToBeVisibleAsync();
        var detailPath = new Uri(page.Url).AbsolutePath;

        await session.ClickAndWaitForPathAsync(page.GetByRole(AriaRole.Link, new() { Name = "Edit initiative" }), detailPath + "/edit");
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("Kairouan Story Circles for Youth");
        await page.GetByTestId("save").ClickAsync();
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == detailPath);
        await session.WaitForInteractiveAsync();
        await session.CheckAccessibilityAsync();

        var history = page.GetByTestId("history");
        await Assertions.Expect(history).ToContainTextAsync("updated");
        await Assertions.Expect(history.Locator("del", new() { HasText = "Kairouan Story Circles" })).ToBeVisibleAsync();
        await Assertions.Expect(history.Locator("ins", new() { HasText = "Kairouan Story Circles for Youth" })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task Entries_not_verified_for_a_year_are_flagged_and_listed_for_re_verification()
    {
        var stale = await CountAsync("verification = 'verified' AND last_verified_at < now() - interval '12 months'");
        await using var session = await fixture.NewSessionAsync();
        await session.SignInAsync(DemoUser.Staff);

        await session.GotoAsync("/initiatives?verification=stale");

        Assert.True(stale > 0);
        await Assertions.Expect(session.Page.GetByTestId("initiative-count")).ToHaveTextAsync($"{stale} initiatives");
        await Assertions.Expect(session.Page.GetByTestId("stale")).ToHaveCountAsync((int)Math.Min(stale, 25));
    }

    [Fact]
    public async Task A_partners_proposed_change_reaches_the_register_once_staff_approve_it()
    {
        await using var partner = await fixture.NewSessionAsync();
        await partner.SignInAsync(DemoUser.PartnerA);
        await partner.GotoAsync("/initiatives?q=Sahel");
        var link = partner.Page.GetByTestId("initiatives").GetByRole(AriaRole.Link).First;
        var detailPath = (await link.GetAttributeAsync("href"))!;
        await partner.ClickAndWaitForPathAsync(link, detailPath);
        await partner.ClickAndWaitForPathAsync(partner.Page.GetByRole(AriaRole.Link, new() { Name = "Propose a change" }), detailPath + "/propose");
        await partner.Page.GetByLabel("Notes").FillAsync("A new radio partner in Niamey joined in October.");
        await partner.Page.GetByTestId("send-proposal").ClickAsync();
        await partner.Page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/initiatives/proposals");
        await partner.WaitForInteractiveAsync();
        await partner.CheckAccessibilityAsync();
        await Assertions.Expect(partner.Page.GetByTestId("proposals")).ToContainTextAsync("pending");

        await using var staff = await fixture.NewSessionAsync();
        await staff.SignInAsync(DemoUser.Staff);
        await staff.GotoAsync("/initiatives/proposals");
        var row = staff.Page.GetByTestId("proposals").Locator("tr", new() { HasText = "pending" }).First;
        await row.GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();
        await Assertions.Expect(staff.Page.GetByTestId("proposals").Locator("tr", new() { HasText = "approved" }).First).ToBeVisibleAsync();

        await staff.GotoAsync(detailPath);
        await Assertions.Expect(staff.Page.GetByTestId("history")).ToContainTextAsync("proposal_applied");
        await Assertions.Expect(staff.Page.GetByTestId("history").Locator("ins", new() { HasText = "radio partner in Niamey" })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task The_coverage_map_is_drawn_from_the_apps_own_geometry_with_the_gap_matrices()
    {
        await using var session = await fixture.NewSessionAsync();
        var geometry = new List<string>();
        session.Page.Request += (_, request) => { if (request.Url.Contains("world_110m")) geometry.Add(request.Url); };
        await session.SignInAsync(DemoUser.Researcher);

        await session.GotoAsync("/initiatives/coverage");

        await Assertions.Expect(session.Page.Locator("#coverage-map .choroplethlocation").First).ToBeAttachedAsync();
        Assert.True(await session.Page.Locator("#coverage-map .choroplethlocation").CountAsync() > 30);
        await Assertions.Expect(session.Page.Locator("#theme-by-region .hm").First).ToBeAttachedAsync();
        await Assertions.Expect(session.Page.Locator("#audience-by-region .hm").First).ToBeAttachedAsync();
        Assert.NotEmpty(geometry);
        Assert.All(geometry, url => Assert.StartsWith(fixture.App.BaseAddress + "geo/", url));
    }

    [Fact]
    public async Task Staff_import_a_list_only_once_every_row_is_right()
    {
        var dir = Directory.CreateTempSubdirectory("narratives-import-").FullName;
        const string header = "Name,Scope,Country,Lead organisation,Lead type,Status,Theme\n";
        var bad = Path.Combine(dir, "bad.csv");
        var good = Path.Combine(dir, "good.csv");
        await File.WriteAllTextAsync(bad, header + "Tozeur Youth Radio,national,TUN,Radio Tozeur,civil_society,active,alternative\nNowhere,national,XYZ,Nobody,civil_society,active,literacy\n");
        await File.WriteAllTextAsync(good, header + "Tozeur Youth Radio,national,TUN,Radio Tozeur,civil_society,active,alternative\n");
        await using var session = await fixture.NewSessionAsync();
        await session.SignInAsync(DemoUser.Staff);
        await session.GotoAsync("/initiatives/import");
        var page = session.Page;

        await page.GetByTestId("import-file").SetInputFilesAsync(bad);
        await Assertions.Expect(page.GetByTestId("preview").Locator("tbody tr")).ToHaveCountAsync(2);
        await page.GetByTestId("check").ClickAsync();
        var problem = page.GetByTestId("problems").Locator("tbody tr");
        await Assertions.Expect(problem).ToHaveCountAsync(1);
        await Assertions.Expect(problem).ToContainTextAsync("3");
        await Assertions.Expect(problem).ToContainTextAsync("XYZ");
        await Assertions.Expect(page.GetByTestId("apply")).ToBeDisabledAsync();
        await session.CheckAccessibilityAsync();

        await page.GetByTestId("import-file").SetInputFilesAsync(good);
        // The upload is read over the circuit: wait for the new file's preview before checking it.
        await Assertions.Expect(page.GetByTestId("preview").Locator("tbody tr")).ToHaveCountAsync(1);
        await page.GetByTestId("check").ClickAsync();
        await Assertions.Expect(page.GetByTestId("check-ok")).ToBeVisibleAsync();
        await page.GetByTestId("apply").ClickAsync();
        await Assertions.Expect(page.GetByTestId("import-result")).ToContainTextAsync("1 new, 0 updated");

        Assert.Equal(1, await CountAsync("name = 'Tozeur Youth Radio'"));
        Assert.Equal(0, await CountAsync("name = 'Nowhere'"));
        Directory.Delete(dir, recursive: true);
    }

    [Fact]
    public async Task The_print_version_lists_the_verified_initiatives_of_the_current_filter()
    {
        var expected = await CountAsync("verification = 'verified' AND scope = 'global'");
        await using var session = await fixture.NewSessionAsync();
        await session.SignInAsync(DemoUser.Researcher);

        await session.GotoAsync("/initiatives/print?scope=global");

        await Assertions.Expect(session.Page.Locator(".print-entry")).ToHaveCountAsync((int)expected);
    }
}
