using Narratives.Core;
using System.CommandLine;
using Narratives.Core.Accounts;
using Narratives.Core.Audit;
using Narratives.Core.Database;

namespace Narratives.Web.Accounts;

/// <summary>
/// `dotnet run --project src/Narratives.Web -- create-user --email E --role staff|partner|researcher [--organization KEY] [--name N]`:
/// how a new installation gets its first staff account. The password is asked for on a terminal, or read from the
/// first line of standard input. Exit codes: 0 created, 1 failure, 2 bad input.
/// </summary>
public static class CreateUserCommand
{
    public const string Name = "create-user";

    public static async Task<int> RunAsync(string[] args, TextReader stdin, TextWriter stdout, TextWriter stderr)
    {
        var email = new Option<string>("--email") { Description = "The person's email address; they sign in with it.", Required = true };
        var role = new Option<string>("--role") { Description = "staff, partner or researcher.", Required = true };
        var organization = new Option<string?>("--organization") { Description = "Key or name of the person's organization (required for partners)." };
        var name = new Option<string?>("--name") { Description = "The name shown in the dashboard (default: the email)." };
        var config = new Option<string[]>("--config") { Description = "Extra settings, e.g. --config ConnectionStrings:Narratives=...", AllowMultipleArgumentsPerToken = true };
        var command = new RootCommand("Create a Narratives user account.") { email, role, organization, name, config };

        var parse = command.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors) await stderr.WriteLineAsync(error.Message);
            await stderr.WriteLineAsync($"Usage: {Name} --email EMAIL --role staff|partner|researcher [--organization KEY] [--name NAME]");
            return 2;
        }
        if (parse.Action is not null && parse.GetValue(email) is null) return await parse.InvokeAsync(); // --help

        var password = ReadPassword(stdin, stdout);
        if (string.IsNullOrEmpty(password))
        {
            await stderr.WriteLineAsync("No password given. Type it when asked, or pipe it on standard input.");
            return 2;
        }

        var builder = WebApplication.CreateBuilder([.. (parse.GetValue(config) ?? []).Select(c => "--" + c)]);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        using var loggers = LoggerFactory.Create(b => b.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning));
        DatabaseConnection database;
        try
        {
            database = await NarrativesDatabase.PrepareAsync(builder.Configuration, loggers);
        }
        catch (Exception ex) when (ex is Core.LocalDatabase.LocalClusterException or MigrationException or DatabaseUnavailableException)
        {
            await stderr.WriteLineAsync(ex.Message);
            return 1;
        }
        await using var cluster = database.LocalCluster;
        builder.Services.AddNarrativesCore(database);
        builder.Services.AddNarrativesAccounts();
        await using var app = builder.Build();
        await using var scope = app.Services.CreateAsyncScope();
        var accounts = scope.ServiceProvider.GetRequiredService<AccountService>();

        var result = await accounts.CreateUserAsync(
            new NewUser(parse.GetValue(email)!, parse.GetValue(name) ?? "", parse.GetValue(role)!, parse.GetValue(organization), password),
            Actor.System("create-user command"));
        if (!result.Succeeded)
        {
            foreach (var error in result.Errors) await stderr.WriteLineAsync(error);
            return 2;
        }
        await stdout.WriteLineAsync($"Created {result.User!.Email} ({parse.GetValue(role)!.ToLowerInvariant()}).");
        return 0;
    }

    static string? ReadPassword(TextReader stdin, TextWriter stdout)
    {
        if (!Console.IsInputRedirected && ReferenceEquals(stdin, Console.In))
        {
            stdout.Write("Password (at least 12 characters): ");
            var password = new System.Text.StringBuilder();
            while (true)
            {
                var key = Console.ReadKey(intercept: true);
                if (key.Key == ConsoleKey.Enter) break;
                if (key.Key == ConsoleKey.Backspace) { if (password.Length > 0) password.Length--; continue; }
                password.Append(key.KeyChar);
            }
            stdout.WriteLine();
            return password.ToString();
        }
        return stdin.ReadLine();
    }
}
