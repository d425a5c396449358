using System.Diagnostics;
using System.Globalization;
using Microsoft.Playwright;

namespace Narratives.Web.Bench;

public sealed class BenchException(string message) : Exception(message);

public sealed record PageRun(double FirstPaintMs, double InteractiveMs, double ChartsDrawnMs);

public sealed record PageTimingResult(string Path, IReadOnlyList<PageRun> Runs);

/// <summary>
/// Opens a page of a running dashboard again and again in Chromium, signed in, and times three moments from the
/// request: the first paint of the server's HTML, the live connection taking over (the layout marks itself
/// interactive), and every Plotly chart on the page drawn with the figures in place (the page can be read and clicked).
/// </summary>
public static class PageTiming
{
    public static async Task<PageTimingResult> RunAsync(Uri baseUrl, string email, string password, string path, int runs, string chromium,
        TextWriter log, CancellationToken ct)
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync"],
        });
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = baseUrl.ToString(), ViewportSize = new() { Width = 1440, Height = 1000 } });
        context.SetDefaultTimeout(60_000);
        var page = await context.NewPageAsync();
        await SignInAsync(page, email, password);

        var list = new List<PageRun>();
        for (var i = 0; i <= runs; i++)
        {
            ct.ThrowIfCancellationRequested();
            var run = await OpenAsync(page, path);
            if (i == 0) continue; // the first opening warms the server's and the browser's caches
            list.Add(run);
            await log.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"run {i}: first paint {run.FirstPaintMs:F0} ms, interactive {run.InteractiveMs:F0} ms, charts drawn {run.ChartsDrawnMs:F0} ms"));
        }
        return new PageTimingResult(path, list);
    }

    static async Task SignInAsync(IPage page, string email, string password)
    {
        await page.GotoAsync("/account/login");
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        try
        {
            await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/", new() { Timeout = 30_000 });
        }
        catch (TimeoutException)
        {
            throw new BenchException($"Signing in as {email} did not reach the Overview; check the account and its password.");
        }
    }

    static async Task<PageRun> OpenAsync(IPage page, string path)
    {
        await page.GotoAsync("about:blank");
        var clock = Stopwatch.StartNew();
        var response = await page.GotoAsync(path, new() { WaitUntil = WaitUntilState.Commit });
        if (response is not { Ok: true }) throw new BenchException($"GET {path} answered {response?.Status}.");
        await page.WaitForLoadStateAsync(LoadState.DOMContentLoaded);
        var firstPaint = clock.Elapsed.TotalMilliseconds;
        await page.WaitForFunctionAsync("() => document.querySelector('[data-circuit]')?.dataset.circuit === 'interactive'",
            null, new() { PollingInterval = 10 });
        var interactive = clock.Elapsed.TotalMilliseconds;
        // Every chart container holds a drawn plot, and no progress bar is left on the page.
        await page.WaitForFunctionAsync("""
            () => {
                const charts = [...document.querySelectorAll('.js-plotly-plot')];
                return charts.length > 0 && charts.every(c => c.querySelector('.main-svg'))
                    && !document.querySelector('.mud-progress-linear');
            }
            """, null, new() { PollingInterval = 10 });
        return new PageRun(firstPaint, interactive, clock.Elapsed.TotalMilliseconds);
    }

    public static void Print(TextWriter o, PageTimingResult r)
    {
        static double P(IEnumerable<double> values, int p)
        {
            var sorted = values.Order().ToList();
            return sorted[Math.Clamp((int)Math.Ceiling(p / 100.0 * sorted.Count) - 1, 0, sorted.Count - 1)];
        }
        var c = CultureInfo.InvariantCulture;
        o.WriteLine();
        o.WriteLine($"{r.Path}, {r.Runs.Count} runs, {Environment.ProcessorCount} cores");
        o.WriteLine("| Moment | p50 ms | p95 ms |");
        o.WriteLine("| --- | ---: | ---: |");
        o.WriteLine(string.Create(c, $"| First paint (server HTML) | {P(r.Runs.Select(x => x.FirstPaintMs), 50):F0} | {P(r.Runs.Select(x => x.FirstPaintMs), 95):F0} |"));
        o.WriteLine(string.Create(c, $"| Interactive (live connection) | {P(r.Runs.Select(x => x.InteractiveMs), 50):F0} | {P(r.Runs.Select(x => x.InteractiveMs), 95):F0} |"));
        o.WriteLine(string.Create(c, $"| Every chart drawn | {P(r.Runs.Select(x => x.ChartsDrawnMs), 50):F0} | {P(r.Runs.Select(x => x.ChartsDrawnMs), 95):F0} |"));
    }
}
