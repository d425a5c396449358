using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Text;
using Narratives.Core;

namespace Narratives.Web.Tests.Browser;

/// <summary>The real dashboard, started as its own process on a free loopback port against a test database.</summary>
public sealed class WebAppProcess : IAsyncDisposable
{
    readonly Process process;
    readonly StringBuilder output = new();

    public Uri BaseAddress { get; }

    WebAppProcess(Process process, Uri baseAddress)
    {
        this.process = process;
        BaseAddress = baseAddress;
    }

    public string Output
    {
        get { lock (output) return output.ToString(); }
    }

    public static async Task<WebAppProcess> StartAsync(string connectionString, IDictionary<string, string>? settings = null)
    {
        var dll = WebAppDll();
        var port = FreePort();
        var baseAddress = new Uri($"http://127.0.0.1:{port}/");
        var psi = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(dll);
        psi.ArgumentList.Add("--urls");
        psi.ArgumentList.Add(baseAddress.ToString().TrimEnd('/'));
        psi.Environment["ConnectionStrings__Narratives"] = connectionString;
        psi.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        psi.Environment["Logging__LogLevel__Default"] = "Warning";
        // One line when the browser says a page was left and one when the server has closed it (a test pairs them).
        psi.Environment["Logging__LogLevel__Microsoft.AspNetCore.Components.Server.CircuitDisconnectMiddleware"] = "Debug";
        // Tests register small models themselves instead of waiting for one trained on the whole corpus.
        psi.Environment["Narratives__Classifier__TrainWhenEmpty"] = "false";
        psi.Environment["Narratives__Classifier__PollSeconds"] = "1";
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
            psi.Environment[key.Replace(":", "__")] = value;

        var process = Process.Start(psi) ?? throw new InvalidOperationException("Could not start the web app.");
        var app = new WebAppProcess(process, baseAddress);
        process.OutputDataReceived += (_, e) => app.Append(e.Data);
        process.ErrorDataReceived += (_, e) => app.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
                throw new InvalidOperationException($"The web app exited with code {process.ExitCode}:\n{app.Output}");
            try
            {
                var response = await http.GetAsync("health");
                if (response.StatusCode == HttpStatusCode.OK) return app;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(250);
        }
        await app.DisposeAsync();
        throw new TimeoutException($"The web app did not answer /health within 90 s:\n{app.Output}");
    }

    void Append(string? line)
    {
        if (line is null) return;
        lock (output) output.AppendLine(line);
    }

    /// <summary>The Narratives.Web build output that sits beside this test project's build, same configuration.</summary>
    static string WebAppDll()
    {
        var configuration = typeof(WebAppProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var repo = DataFiles.RepositoryRoot() ?? throw new InvalidOperationException("Run the tests from a Narratives checkout.");
        var dll = Path.Combine(repo, "src", "Narratives.Web", "bin", configuration, "net10.0", "Narratives.Web.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException($"Build Narratives.Web first; {dll} is missing.");
    }

    static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        process.Dispose();
    }
}
