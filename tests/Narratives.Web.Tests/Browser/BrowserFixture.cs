using Microsoft.Playwright;
using Narratives.Testing;

namespace Narratives.Web.Tests.Browser;

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "Browser";
}

/// <summary>
/// One running dashboard on a demo-data test database and one headless Chromium (Debian's, never a downloaded build),
/// shared by the browser tests of the collection. Every page a test visits is checked with axe-core.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    TestDatabase? database;
    IPlaywright? playwright;

    public WebAppProcess App { get; private set; } = default!;
    public IBrowser Browser { get; private set; } = default!;
    public string ConnectionString => database!.ConnectionString;

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
            throw new InvalidOperationException(
                $"Browser tests drive Debian's Chromium at {ChromiumPath}, which is not installed. Install it with `sudo apt-get install chromium`, or run ./test.sh, which installs it.");

        // A busy 2-core CI machine runs the app, PostgreSQL and Chromium at once: give assertions time to come true.
        Assertions.SetDefaultExpectTimeout(15_000);
        var server = await PostgresServer.GetAsync();
        database = await server.CreateDatabaseAsync(withDemoData: true);
        App = await WebAppProcess.StartAsync(database.ConnectionString, new Dictionary<string, string>
        {
            // Every browser test signs in from 127.0.0.1; the sign-in limit has its own test.
            ["Narratives:Security:SignInAttemptsPerMinute"] = "1000",
            // So that the disabled-user test does not wait a minute.
            ["Narratives:Security:CircuitRevalidationSeconds"] = "2",
        });

        playwright = await Playwright.CreateAsync();
        Browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync"],
        });
    }

    /// <summary>A fresh browser context (own cookies) and page, wrapped so that every visited page is checked for accessibility.</summary>
    public Task<BrowserSession> NewSessionAsync(string? locale = null) => NewSessionAsync(App, locale);

    /// <summary>A session against another running app (one started with different settings).</summary>
    public async Task<BrowserSession> NewSessionAsync(WebAppProcess app, string? locale = null)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = app.BaseAddress.ToString(),
            Locale = locale ?? "en-GB",
            ViewportSize = new ViewportSize { Width = 1366, Height = 900 },
        });
        context.SetDefaultTimeout(30_000);
        return new BrowserSession(context, await context.NewPageAsync(), app);
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.CloseAsync();
        playwright?.Dispose();
        if (App is not null) await App.DisposeAsync();
        if (database is not null) await database.DisposeAsync();
    }
}
