using Narratives.Testing;
using Narratives.Web.Accounts;

namespace Narratives.Web.Tests.Accounts;

public sealed class CreateUserCommandTests
{
    static async Task<(int Exit, string Out, string Err)> RunAsync(string connectionString, string password, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = await CreateUserCommand.RunAsync([.. args, "--config", $"ConnectionStrings:Narratives={connectionString}"],
            new StringReader(password + "\n"), stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task The_first_staff_account_is_created_from_the_command_line_with_the_password_from_standard_input()
    {
        var server = await PostgresServer.GetAsync();
        await using var db = await server.CreateDatabaseAsync();

        var (exit, output, _) = await RunAsync(db.ConnectionString, "first staff password", "--email", "head@secretariat.example.org", "--role", "staff");

        Assert.Equal(0, exit);
        Assert.Contains("Created head@secretariat.example.org (staff)", output);
    }

    [Theory]
    [InlineData("short", "at least 12", "--email", "a@example.org", "--role", "staff")]
    [InlineData("long enough password", "Unknown role 'boss'", "--email", "a@example.org", "--role", "boss")]
    [InlineData("long enough password", "belongs to an organization", "--email", "a@example.org", "--role", "partner")]
    [InlineData("long enough password", "--role", "--email", "a@example.org")]
    [InlineData("", "No password given", "--email", "a@example.org", "--role", "staff")]
    public async Task Bad_input_exits_with_code_2_and_says_what_is_wrong(string password, string message, params string[] args)
    {
        var server = await PostgresServer.GetAsync();
        await using var db = await server.CreateDatabaseAsync();

        var (exit, _, error) = await RunAsync(db.ConnectionString, password, args);

        Assert.Equal(2, exit);
        Assert.Contains(message, error);
    }
}
