using Narratives.Core;
using Narratives.Core.Database;
using Narratives.Core.LocalDatabase;
using Narratives.Ingest;
using Narratives.Web.Accounts;

namespace Narratives.Web;

/// <summary>Builds and runs the dashboard; Program.cs and the browser tests' host share it.</summary>
public static class NarrativesWebApp
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length > 0 && args[0] == Accounts.CreateUserCommand.Name)
            return await Accounts.CreateUserCommand.RunAsync(args[1..], Console.In, Console.Out, Console.Error);

        WebApplication app;
        try
        {
            app = await BuildAsync(args);
        }
        catch (Exception ex) when (ex is LocalClusterException or MigrationException or DatabaseUnavailableException)
        {
            // Start-up problems a person can fix get one clear message, not a stack trace.
            Console.Error.WriteLine($"Narratives could not start: {ex.Message}");
            return 1;
        }
        var database = app.Services.GetRequiredService<DatabaseConnection>();
        try
        {
            await app.RunAsync();
            return 0;
        }
        catch (IOException ex) when (ex.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException)
        {
            Console.Error.WriteLine($"Narratives could not start: {ex.Message} Is it already running? Choose another address with --urls, e.g. --urls http://localhost:5080");
            return 1;
        }
        finally
        {
            // Also when start-up failed after the embedded database was started: never leave it running behind us.
            if (database.LocalCluster is { } cluster)
                await cluster.DisposeAsync();
        }
    }

    public static async Task<WebApplication> BuildAsync(string[] args)
    {
        // `--seed-demo` loads the demo data into a configured (empty) database.
        var seedDemo = args.Contains("--seed-demo");
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args.Where(a => a != "--seed-demo").ToArray(),
            // Named explicitly so that the static-asset manifests are found when another program (the tests) hosts the app.
            ApplicationName = typeof(NarrativesWebApp).Assembly.GetName().Name,
        });
        if (seedDemo)
            builder.Configuration.AddInMemoryCollection([new($"{DatabaseOptions.Section}:SeedDemoData", "true")]);
        // Serve the packages' static files (MudBlazor, Plotly) from a build folder in every environment.
        builder.WebHost.UseStaticWebAssets();

        using var startupLoggers = LoggerFactory.Create(b => b.AddConfiguration(builder.Configuration.GetSection("Logging")).AddSimpleConsole());
        var database = await NarrativesDatabase.PrepareAsync(builder.Configuration, startupLoggers);

        try
        {
            builder.Services.AddNarrativesCore(database);
            builder.Services.AddNarrativesIngest();
            builder.Services.AddNarrativesWeb();

            var app = builder.Build();
            app.UseNarrativesWeb();
            await app.EnsureDemoAccountsAsync();
            return app;
        }
        catch
        {
            if (database.LocalCluster is { } cluster) await cluster.DisposeAsync();
            throw;
        }
    }
}
