using System.Text;
using Microsoft.Playwright;
using Narratives.Testing;
using Narratives.Web.Tests.Browser;
using Npgsql;

namespace Narratives.Web.Tests.Imports;

[Collection(BrowserCollection.Name)]
public sealed class ImportsBrowserTests(BrowserFixture fixture)
{
    [Fact]
    public async Task A_partner_uploads_exports_sees_each_format_and_preview_then_a_report_per_file_with_every_quarantined_row()
    {
        // Its own database and app: the shared demo database of the other browser tests stays as seeded.
        var server = await PostgresServer.GetAsync();
        await using var db = await server.CreateDatabaseAsync(withDemoData: true);
        var raw = Path.Combine(Path.GetTempPath(), $"narratives-web-raw-{Guid.NewGuid():N}");
        await using var app = await WebAppProcess.StartAsync(db.ConnectionString, new Dictionary<string, string>
        {
            ["Narratives:Ingest:RawFileDirectory"] = raw,
            ["Narratives:Security:SignInAttemptsPerMinute"] = "1000",
        });
        string campaign;
        await using (var conn = new NpgsqlConnection(db.ConnectionString))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand(
                "SELECT c.name FROM campaigns c JOIN organizations o ON o.id = c.organization_id WHERE o.key = 'horizons-youth' ORDER BY c.id LIMIT 1", conn);
            campaign = (string)(await cmd.ExecuteScalarAsync())!;
        }
        var marker = Guid.NewGuid().ToString("N")[..8];
        var csv = $"""
            platform,external_id,title,text,permalink,published_at,language,duration_seconds,meaning,date,period_start,impressions,reach,views,watch_seconds,reactions,comments,shares,clicks,saves,follows,spend
            website,browser-{marker}-1,Browser upload {marker},,,,en,,daily,2026-11-20,,,,100,,,,,,,,
            website,browser-{marker}-2,Bad count,,,,en,,daily,2026-11-20,,,,lots,,,,,,,,
            website,browser-{marker}-3,Second good row,,,,en,,daily,2026-11-21,,,,80,,,,,,,,

            """;
        await using var session = await fixture.NewSessionAsync(app);
        await session.SignInAsync(DemoUser.PartnerA);
        await session.GotoAsync("/imports");
        var page = session.Page;

        await page.GetByTestId("campaign").ClickAsync();
        await page.Locator(".mud-popover-open").GetByText(campaign, new() { Exact = false }).First.ClickAsync();
        // The file input is enabled once the campaign is chosen; uploading and reading take a while on a busy machine.
        var slow = new LocatorAssertionsToContainTextOptions { Timeout = 30_000 };
        await Assertions.Expect(page.GetByTestId("import-file")).ToBeEnabledAsync(new() { Timeout = 30_000 });
        await page.GetByTestId("import-file").SetInputFilesAsync(new FilePayload
        {
            Name = "export.csv", MimeType = "text/csv", Buffer = Encoding.UTF8.GetBytes(csv.Replace("\n", "\r\n")),
        });

        await Assertions.Expect(page.GetByTestId("preview")).ToContainTextAsync("Narratives template CSV", slow);
        await Assertions.Expect(page.GetByTestId("preview")).ToContainTextAsync($"Browser upload {marker}");
        await session.CheckAccessibilityAsync();
        await page.GetByTestId("import").ClickAsync();

        await Assertions.Expect(page.GetByTestId("report-status")).ToContainTextAsync("1 quarantined", slow);
        await Assertions.Expect(page.GetByTestId("errors").Locator("tbody tr")).ToHaveCountAsync(1);
        await Assertions.Expect(page.GetByTestId("errors")).ToContainTextAsync("\"lots\" is not a whole number.");
        await Assertions.Expect(page.GetByTestId("download-errors")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("recent")).ToContainTextAsync("export.csv");
        await session.CheckAccessibilityAsync();

        await page.GetByLabel("Feed address").FillAsync("not an address");
        await page.GetByTestId("add-feed").ClickAsync();
        await Assertions.Expect(page.GetByTestId("feed-error")).ToContainTextAsync("http or https");

        // Several files at once: each is read and previewed, a file that is no export is refused at once with its
        // reason, and one button imports the others one after the other, each with its own report.
        string Template(string id, string day) => $"""
            platform,external_id,title,text,permalink,published_at,language,duration_seconds,meaning,date,period_start,impressions,reach,views,watch_seconds,reactions,comments,shares,clicks,saves,follows,spend
            website,{id},Batch {id},,,,fr,,daily,{day},,,,50,,,,,,,,

            """;
        await page.GetByTestId("import-file").SetInputFilesAsync(new[]
        {
            new FilePayload { Name = "first.csv", MimeType = "text/csv", Buffer = Encoding.UTF8.GetBytes(Template($"batch-{marker}-1", "2026-11-18")) },
            new FilePayload { Name = "notes.csv", MimeType = "text/csv", Buffer = Encoding.UTF8.GetBytes("colour,size\nred,3\n") },
            new FilePayload { Name = "second.csv", MimeType = "text/csv", Buffer = Encoding.UTF8.GetBytes(Template($"batch-{marker}-2", "2026-11-19")) },
        });
        await Assertions.Expect(page.GetByTestId("preview")).ToHaveCountAsync(2, new() { Timeout = 30_000 });
        await Assertions.Expect(page.GetByTestId("preview").Nth(1)).ToContainTextAsync($"Batch batch-{marker}-2");
        await Assertions.Expect(page.GetByTestId("report-status")).ToHaveCountAsync(1);
        await Assertions.Expect(page.GetByTestId("report-status")).ToContainTextAsync("colour,size");
        await Assertions.Expect(page.GetByTestId("import")).ToContainTextAsync("Import all 2 files");
        await Assertions.Expect(page.GetByTestId("stage")).ToHaveCountAsync(0);
        await session.CheckAccessibilityAsync();
        await page.GetByTestId("import").ClickAsync();
        await Assertions.Expect(page.GetByTestId("report-status")).ToHaveCountAsync(3, new() { Timeout = 30_000 });
        await Assertions.Expect(page.GetByTestId("preview")).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByTestId("report-status").Nth(1)).ToContainTextAsync("1 row");
        await Assertions.Expect(page.GetByTestId("recent")).ToContainTextAsync("first.csv");
        await Assertions.Expect(page.GetByTestId("recent")).ToContainTextAsync("second.csv");
        if (Directory.Exists(raw)) Directory.Delete(raw, recursive: true);
    }
}
