using System.Globalization;
using System.Text.Json;
using Microsoft.Playwright;
using Narratives.Web.Tests.Browser;
using Npgsql;

namespace Narratives.Web.Tests.Analytics;

[Collection(BrowserCollection.Name)]
public sealed class AnalyticsBrowserTests(BrowserFixture fixture)
{
    async Task<long> ScalarAsync(string sql)
    {
        await using var conn = new NpgsqlConnection(fixture.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    /// <summary>The y values of a Plotly chart's traces, read from the chart itself.</summary>
    static async Task<Dictionary<string, double[]>> TracesAsync(IPage page, string chartId) =>
        (await page.Locator($"#{chartId}").EvaluateAsync<JsonElement>("el => el.data.map(t => ({ name: t.name, y: t.y }))"))
            .EnumerateArray().ToDictionary(t => t.GetProperty("name").GetString()!, t => t.GetProperty("y").EnumerateArray().Select(y => y.GetDouble()).ToArray());

    [Fact]
    public async Task A_filter_changes_the_charts_and_the_address_and_the_export_holds_the_numbers_the_chart_shows()
    {
        await using var session = await fixture.NewSessionAsync();
        await session.SignInAsync(DemoUser.Researcher);
        var page = session.Page;
        var to = DateOnly.FromDayNumber((int)await ScalarAsync("SELECT (max(day) - '0001-01-01'::date) FROM rollup_daily") + DateOnly.MinValue.DayNumber);
        var from = to.AddDays(-89);
        var youtube = await ScalarAsync($"""
            SELECT coalesce(sum(r.impressions), 0) FROM rollup_daily r JOIN campaigns c ON c.id = r.campaign_id
            WHERE c.is_published AND c.archived_at IS NULL AND r.platform = 'youtube' AND r.day BETWEEN '{from:yyyy-MM-dd}' AND '{to:yyyy-MM-dd}'
            """);

        await page.GetByTestId("filter-platform").ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = "YouTube", Exact = true }).ClickAsync();
        await page.WaitForURLAsync(url => url.Contains("platform=youtube"));
        await Assertions.Expect(page.GetByTestId("kpi-impressions").GetByTestId("value")).ToHaveTextAsync(youtube.ToString("N0", CultureInfo.GetCultureInfo("en")));
        await Assertions.Expect(page.GetByTestId("warning").First).ToContainTextAsync("single platform");
        await Assertions.Expect(page.Locator("#reach-over-time .legend .traces")).ToHaveCountAsync(1);
        await session.CheckAccessibilityAsync();

        // The numbers behind the platform chart, for exactly this view.
        await session.GotoAsync("/");
        var chart = await TracesAsync(page, "platform-mix");
        var href = await page.GetByTestId("download-platforms").GetByRole(AriaRole.Link, new() { Name = "Numbers (CSV)" }).GetAttributeAsync("href");
        var response = await page.APIRequest.GetAsync(href!);
        Assert.Equal(200, response.Status);
        var lines = (await response.TextAsync()).TrimStart('\uFEFF').Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var header = lines[0].Split(',');
        var impressions = lines.Skip(1).Select(l => double.Parse(l.Split(',')[Array.IndexOf(header, "impressions")], CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(chart["Impressions"], impressions);
        Assert.Equal(5, impressions.Length);
    }

    [Fact]
    public async Task Clicking_a_theme_bar_drills_down_into_that_theme()
    {
        await using var session = await fixture.NewSessionAsync();
        await session.SignInAsync(DemoUser.Staff);
        var page = session.Page;
        await Assertions.Expect(page.Locator("#rate-by-theme .bars .point").First).ToBeAttachedAsync();

        await page.Locator("#rate-by-theme .bars .point").First.ClickAsync(new() { Force = true });

        await page.WaitForURLAsync(url => url.Contains("theme="));
        await session.WaitForInteractiveAsync();
        await Assertions.Expect(page.Locator("#rate-by-theme .bars .point")).ToHaveCountAsync(1);
        await session.CheckAccessibilityAsync();
    }

    [Fact]
    public async Task Researchers_pivot_compare_and_read_the_methodology()
    {
        await using var session = await fixture.NewSessionAsync();
        await session.SignInAsync(DemoUser.Researcher);
        var page = session.Page;

        await session.GotoAsync("/explorer?metric=impressions&by=platform&month=true");
        await Assertions.Expect(page.GetByTestId("explorer-table").Locator("tbody tr")).ToHaveCountAsync(5);
        await Assertions.Expect(page.Locator("#explorer-chart.js-plotly-plot .main-svg").First).ToBeAttachedAsync();
        var months = await page.GetByTestId("explorer-table").Locator("thead th").CountAsync() - 1;
        Assert.True(months >= 3, $"{months} month columns");

        var ids = await ScalarAsync("SELECT min(id) FROM campaigns WHERE is_published") + "," + await ScalarAsync("SELECT max(id) FROM campaigns WHERE is_published AND is_demo");
        await session.GotoAsync($"/compare?kind=campaigns&ids={ids}");
        await Assertions.Expect(page.GetByTestId("compare-table").Locator("thead th")).ToHaveCountAsync(3);
        await Assertions.Expect(page.Locator("#compare-chart .bars .point")).ToHaveCountAsync(2);

        await session.GotoAsync("/methodology");
        await Assertions.Expect(page.Locator("#engagement_rate_reach")).ToContainTextAsync("engagements ÷ reach");
        // A measure the exports cannot give yet says so instead of showing a figure.
        await Assertions.Expect(page.Locator("#target_reach")).ToContainTextAsync("Not available yet");
    }
}
