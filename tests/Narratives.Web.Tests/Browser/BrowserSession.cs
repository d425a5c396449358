using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace Narratives.Web.Tests.Browser;

/// <summary>
/// A page in its own browser context. Navigations go through <see cref="GotoAsync"/> or <see cref="ClickAndWaitForPathAsync"/>,
/// which wait for the interactive circuit and run axe-core; disposing fails the test if a page was visited
/// without that check, or if the browser console reported an error.
/// </summary>
public sealed class BrowserSession : IAsyncDisposable
{
    static readonly string[] FailingImpacts = ["serious", "critical"];

    readonly IBrowserContext context;
    readonly WebAppProcess app;
    readonly HashSet<string> visited = [];
    readonly HashSet<string> checkedPaths = [];
    readonly List<string> consoleErrors = [];
    readonly HashSet<string> expectedFailures = [];

    public IPage Page { get; }

    internal BrowserSession(IBrowserContext context, IPage page, WebAppProcess app)
    {
        this.context = context;
        this.app = app;
        Page = page;
        page.FrameNavigated += (_, frame) =>
        {
            if (frame == page.MainFrame && frame.Url.StartsWith("http", StringComparison.Ordinal))
                lock (visited) visited.Add(PathOf(frame.Url));
        };
        page.Console += (_, message) =>
        {
            if (message.Type != "error") return;
            lock (consoleErrors)
                if (!expectedFailures.Any(url => message.Location.StartsWith(url, StringComparison.Ordinal))) consoleErrors.Add(message.Text);
        };
        page.Response += (_, response) =>
        {
            if (response.Status >= 400) lock (consoleErrors)
                if (!expectedFailures.Contains(response.Url)) consoleErrors.Add($"{response.Status} {response.Url}");
        };
    }

    /// <summary>Signs in through the real sign-in form and lands on the Overview.</summary>
    public async Task SignInAsync(DemoUser user)
    {
        await GotoAsync("/account/login");
        await Page.GetByLabel("Email").FillAsync(user.Email);
        await Page.GetByLabel("Password").FillAsync(user.Password);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Page.WaitForURLAsync(url => PathOf(url) == "/");
        await WaitForInteractiveAsync();
        await CheckAccessibilityAsync();
    }

    public async Task GotoAsync(string path)
    {
        var response = await Page.GotoAsync(path);
        Assert.True(response is { Ok: true }, $"GET {path} answered {response?.Status}.\n{app.Output}");
        await WaitForInteractiveAsync();
        await CheckAccessibilityAsync();
    }

    /// <summary>Opens a page that must answer with this error status (a refusal), and still be a usable, accessible page.</summary>
    public async Task GotoExpectingAsync(string path, int status)
    {
        lock (consoleErrors) expectedFailures.Add(new Uri(app.BaseAddress, path).AbsoluteUri);
        var response = await Page.GotoAsync(path);
        Assert.True(response?.Status == status, $"GET {path} answered {response?.Status}, not {status}.");
        await WaitForInteractiveAsync();
        await CheckAccessibilityAsync();
    }

    public async Task ClickAndWaitForPathAsync(ILocator target, string expectedPath)
    {
        await target.ClickAsync();
        await Page.WaitForURLAsync(url => PathOf(url) == expectedPath);
        await WaitForInteractiveAsync();
        await CheckAccessibilityAsync();
    }

    /// <summary>
    /// The layout marks itself once the server circuit drives it. Pages rendered as plain server forms (sign-in)
    /// carry no Blazor component markers and never become interactive; for them the page being there is enough.
    /// </summary>
    public Task WaitForInteractiveAsync() =>
        Page.WaitForFunctionAsync("""
            () => {
                const layout = document.querySelector('[data-circuit]');
                if (!layout || document.title.length === 0) return false;
                if (layout.dataset.circuit === 'interactive') return true;
                return !document.documentElement.innerHTML.includes('<!--Blazor:');
            }
            """);

    public async Task CheckAccessibilityAsync()
    {
        // Blazor's interactive <HeadOutlet> re-renders the title as the circuit starts; check once it is back.
        await Page.WaitForFunctionAsync("() => document.title.length > 0");
        var result = await Page.RunAxe();
        var failing = result.Violations.Where(v => FailingImpacts.Contains(v.Impact)).ToList();
        if (failing.Count == 1 && failing[0].Id == "document-title")
        {
            await Page.WaitForFunctionAsync("() => document.title.length > 0");
            result = await Page.RunAxe();
            failing = result.Violations.Where(v => FailingImpacts.Contains(v.Impact)).ToList();
        }
        Assert.True(failing.Count == 0,
            $"Accessibility violations on {Page.Url}:\n" + string.Join("\n", failing.Select(v =>
                $"- {v.Impact} {v.Id}: {v.Help} ({string.Join("; ", v.Nodes.Take(3).Select(n => string.Join(" ", n.Target)))})")));
        lock (visited) checkedPaths.Add(PathOf(Page.Url));
    }

    static string PathOf(string url) => new Uri(url).AbsolutePath;

    public async ValueTask DisposeAsync()
    {
        try
        {
            // A page still open and not yet checked is checked now; one navigated away from unchecked is a test bug.
            if (!checkedPaths.Contains(PathOf(Page.Url)) && Page.Url.StartsWith("http", StringComparison.Ordinal))
                await CheckAccessibilityAsync();
            string[] missed;
            lock (visited) missed = visited.Except(checkedPaths).ToArray();
            Assert.True(missed.Length == 0, $"Pages visited without an accessibility check: {string.Join(", ", missed)}");
            lock (consoleErrors)
                Assert.True(consoleErrors.Count == 0, "The browser console reported errors:\n" + string.Join("\n", consoleErrors) + "\nThe app said:\n" + app.Output);
        }
        finally
        {
            await context.CloseAsync();
        }
    }
}
