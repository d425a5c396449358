using Microsoft.Playwright;
using Narratives.Web.Tests.Browser;

namespace Narratives.Web.Tests.Overview;

[Collection(BrowserCollection.Name)]
public sealed class OverviewBrowserTests(BrowserFixture fixture)
{
    [Fact]
    public async Task The_overview_shows_demo_figures_and_draws_its_charts()
    {
        await using var session = await fixture.NewSessionAsync();

        await session.SignInAsync(DemoUser.Researcher);

        await Assertions.Expect(session.Page.GetByRole(AriaRole.Heading, new() { Name = "Overview", Level = 1 })).ToBeVisibleAsync();
        await Assertions.Expect(session.Page.GetByTestId("demo-banner")).ToBeVisibleAsync();
        // Other browser tests add initiatives to the shared database: compare with what it holds now.
        await using var conn = new Npgsql.NpgsqlConnection(fixture.ConnectionString);
        await conn.OpenAsync();
        await using var count = new Npgsql.NpgsqlCommand("SELECT count(*) FROM initiatives WHERE archived_at IS NULL", conn);
        var initiatives = (long)(await count.ExecuteScalarAsync())!;
        Assert.True(initiatives >= 46);
        await Assertions.Expect(session.Page.GetByTestId("kpi-initiatives")).ToContainTextAsync(initiatives.ToString(System.Globalization.CultureInfo.InvariantCulture));
        foreach (var chart in new[] { "reach-over-time", "engagement-over-time", "rate-by-theme", "theme-audience", "platform-mix", "initiatives-map" })
            await Assertions.Expect(session.Page.Locator($"#{chart}.js-plotly-plot .main-svg").First).ToBeAttachedAsync();
        // One line per platform, each named in the legend (other tests may import a platform the demo data lacks).
        await Assertions.Expect(session.Page.Locator("#reach-over-time .legend .traces").Nth(4)).ToBeAttachedAsync();
        await Assertions.Expect(session.Page.GetByTestId("top-content").Locator("tbody tr")).ToHaveCountAsync(10);
    }

    [Fact]
    public async Task Leaving_the_overview_while_its_charts_are_drawn_closes_the_page_on_the_server()
    {
        // When a page is left, the browser tells the server in a request of its own; the server answers once the
        // page's circuit has ended. A circuit left while Plotly was still drawing used to wait forever for the
        // drawing's answer, that request stayed open, and after a few quick page changes the browser had no
        // connection left and the next page waited about 20 s for one.
        await using var session = await fixture.NewSessionAsync();
        await session.SignInAsync(DemoUser.Researcher);
        var before = ClosingCircuits(fixture.App.Output);

        for (var i = 0; i < 8; i++)
        {
            // Leave as soon as the first chart is there: the others are still being drawn.
            await session.Page.GotoAsync("/");
            await session.Page.Locator(".js-plotly-plot .main-svg").First.WaitForAsync(new() { State = WaitForSelectorState.Attached });
        }
        await session.GotoAsync("/methodology");

        // The server logs both ends of each page closed; every one left here must be closed, not waiting.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        (HashSet<string> Closing, HashSet<string> Closed) now;
        do
        {
            now = ClosingCircuits(fixture.App.Output);
            if (now.Closing.Count - before.Closing.Count >= 8 && now.Closing.IsSubsetOf(now.Closed)) break;
            await Task.Delay(200);
        } while (DateTime.UtcNow < deadline);
        Assert.True(now.Closing.Count - before.Closing.Count >= 8, $"The browser announced only {now.Closing.Count - before.Closing.Count} of the 8 pages left.");
        Assert.Empty(now.Closing.Except(now.Closed));
    }

    static (HashSet<string> Closing, HashSet<string> Closed) ClosingCircuits(string log) => (
        System.Text.RegularExpressions.Regex.Matches(log, "Circuit with id '([^']+)' terminating gracefully").Select(m => m.Groups[1].Value).ToHashSet(),
        System.Text.RegularExpressions.Regex.Matches(log, "Circuit with id '([^']+)' terminated gracefully").Select(m => m.Groups[1].Value).ToHashSet());

    [Theory]
    [InlineData("Initiatives", "/initiatives")]
    [InlineData("Campaigns", "/campaigns")]
    [InlineData("Content review", "/content-review")]
    [InlineData("Imports", "/imports")]
    [InlineData("Model", "/model")]
    [InlineData("Admin", "/admin")]
    public async Task The_navigation_reaches_every_section(string link, string path)
    {
        await using var session = await fixture.NewSessionAsync();
        await session.SignInAsync(DemoUser.Staff);

        await session.ClickAndWaitForPathAsync(session.Page.GetByRole(AriaRole.Navigation).GetByRole(AriaRole.Link, new() { Name = link, Exact = true }), path);

        await Assertions.Expect(session.Page.GetByRole(AriaRole.Heading, new() { Name = link, Level = 1 })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task Choosing_arabic_turns_the_layout_right_to_left()
    {
        await using var session = await fixture.NewSessionAsync();
        await session.SignInAsync(DemoUser.Staff);

        await session.Page.GetByRole(AriaRole.Button, new() { Name = "Language" }).ClickAsync();
        await session.Page.GetByText("العربية").ClickAsync();
        // A locator, not a script: the app's Content-Security-Policy forbids evaluating strings.
        await Assertions.Expect(session.Page.Locator("html[dir='rtl']")).ToBeAttachedAsync();
        await session.WaitForInteractiveAsync();
        await session.CheckAccessibilityAsync();

        Assert.Equal("ar", await session.Page.Locator("html").GetAttributeAsync("lang"));
        await Assertions.Expect(session.Page.GetByRole(AriaRole.Heading, new() { Name = "نظرة عامة", Level = 1 })).ToBeVisibleAsync();
        await Assertions.Expect(session.Page.Locator(".mud-application-layout-rtl, .mud-layout[dir='rtl'], [dir='rtl'] .mud-layout").First).ToBeAttachedAsync();
    }
}
