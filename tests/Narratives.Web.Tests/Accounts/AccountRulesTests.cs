using System.Buffers.Binary;
using System.Net;
using Dapper;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Narratives.Core;
using Narratives.Core.Accounts;
using Narratives.Core.Audit;
using Narratives.Core.Database;
using Narratives.Testing;
using Narratives.Web.Accounts;
using Narratives.Web.Tests.Browser;

namespace Narratives.Web.Tests.Accounts;

public sealed class AccountRulesTests
{
    static async Task<(TestDatabase Db, ServiceProvider Services)> ServicesAsync()
    {
        var server = await PostgresServer.GetAsync();
        var db = await server.CreateDatabaseAsync(withDemoData: true);
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddHttpContextAccessor();
        services.AddNarrativesCore(new DatabaseConnection(db.ConnectionString, null, new MigrationResult(1, []), null));
        services.AddNarrativesAccounts();
        return (db, services.BuildServiceProvider());
    }

    static NewUser Researcher(string password) => new("someone@example.org", "Someone", Roles.Researcher, null, password);

    [Fact]
    public async Task Passwords_are_hashed_with_pbkdf2_at_210000_iterations()
    {
        var (db, services) = await ServicesAsync();
        await using var _ = db;
        await using var scope = services.CreateAsyncScope();
        var accounts = scope.ServiceProvider.GetRequiredService<AccountService>();

        var result = await accounts.CreateUserAsync(Researcher("correct horse battery"), Actor.System("test"));

        // Identity's v3 format: 0x01, PRF, iteration count, salt length, salt, subkey (all big-endian).
        var hash = Convert.FromBase64String(result.User!.PasswordHash!);
        Assert.Equal(0x01, hash[0]);
        Assert.Equal(PasswordPolicy.HashIterations, (int)BinaryPrimitives.ReadUInt32BigEndian(hash.AsSpan(5, 4)));
        Assert.True(PasswordPolicy.HashIterations >= 210_000);
    }

    [Theory]
    [InlineData("short pass", "at least 12")]
    [InlineData("password1234", "commonly used")]
    [InlineData("Welcome@1234", "commonly used")]
    [InlineData("someone@example.org", "must not be your email")]
    public async Task Weak_passwords_are_refused_with_a_reason(string password, string reason)
    {
        var (db, services) = await ServicesAsync();
        await using var _ = db;
        await using var scope = services.CreateAsyncScope();

        var result = await scope.ServiceProvider.GetRequiredService<AccountService>().CreateUserAsync(Researcher(password), Actor.System("test"));

        Assert.False(result.Succeeded);
        Assert.Contains(result.Errors, e => e.Contains(reason, StringComparison.OrdinalIgnoreCase));
        await using var conn = await db.DataSource.OpenConnectionAsync();
        Assert.Equal(0, await conn.ExecuteScalarAsync<int>("SELECT count(*) FROM users"));
    }

    [Fact]
    public async Task A_partner_needs_an_existing_organization_and_roles_are_checked()
    {
        var (db, services) = await ServicesAsync();
        await using var _ = db;
        await using var scope = services.CreateAsyncScope();
        var accounts = scope.ServiceProvider.GetRequiredService<AccountService>();

        var noOrg = await accounts.CreateUserAsync(new NewUser("p@example.org", "P", Roles.Partner, null, "a fine long password"), Actor.System("test"));
        var badOrg = await accounts.CreateUserAsync(new NewUser("p@example.org", "P", Roles.Partner, "nope", "a fine long password"), Actor.System("test"));
        var badRole = await accounts.CreateUserAsync(new NewUser("p@example.org", "P", "admin", null, "a fine long password"), Actor.System("test"));
        var ok = await accounts.CreateUserAsync(new NewUser("p@example.org", "P", Roles.Partner, "horizons-youth", "a fine long password"), Actor.System("test"));
        var duplicate = await accounts.CreateUserAsync(new NewUser("P@example.org", "P", Roles.Researcher, null, "a fine long password"), Actor.System("test"));

        Assert.Contains(noOrg.Errors, e => e.Contains("belongs to an organization"));
        Assert.Contains(badOrg.Errors, e => e.Contains("No active organization 'nope'"));
        Assert.Contains(badRole.Errors, e => e.Contains("Unknown role 'admin'"));
        Assert.True(ok.Succeeded);
        Assert.False(duplicate.Succeeded);
        await using var conn = await db.DataSource.OpenConnectionAsync();
        var audit = await conn.QuerySingleAsync<(string Action, string After)>(
            "SELECT action, after::text FROM audit_log WHERE entity_type = 'user' AND entity_id = @id", new { id = ok.User!.Id.ToString() });
        Assert.Equal("create", audit.Action);
        Assert.Contains("partner", audit.After);
        Assert.DoesNotContain("hash", audit.After, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Five_wrong_passwords_lock_the_account_even_against_the_right_one_and_are_audited()
    {
        var (db, services) = await ServicesAsync();
        await using var _ = db;
        await using (var create = services.CreateAsyncScope())
            Assert.True((await create.ServiceProvider.GetRequiredService<AccountService>().CreateUserAsync(Researcher("the right password"), Actor.System("test"))).Succeeded);

        await using var scope = services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<IHttpContextAccessor>().HttpContext = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
        var signIn = scope.ServiceProvider.GetRequiredService<SignInManager<NarrativesUser>>();

        for (var i = 0; i < 5; i++)
            Assert.False((await signIn.PasswordSignInAsync("someone@example.org", "a wrong password", false, lockoutOnFailure: true)).Succeeded);
        var locked = await signIn.PasswordSignInAsync("someone@example.org", "the right password", false, lockoutOnFailure: true);

        Assert.True(locked.IsLockedOut);
        await using var conn = await db.DataSource.OpenConnectionAsync();
        Assert.True(await conn.ExecuteScalarAsync<bool>("SELECT lockout_end > now() + interval '14 minutes' FROM users"));
        Assert.Equal(6, await conn.ExecuteScalarAsync<int>("SELECT count(*) FROM audit_log WHERE action = 'sign_in_failed'"));
    }

    [Fact]
    public async Task Too_many_sign_in_attempts_from_one_address_get_429_with_retry_after()
    {
        var server = await PostgresServer.GetAsync();
        await using var db = await server.CreateDatabaseAsync(withDemoData: true);
        await using var app = await WebAppProcess.StartAsync(db.ConnectionString, new Dictionary<string, string>
        {
            ["Narratives:Security:SignInAttemptsPerMinute"] = "3",
        });
        using var client = SignedInClient.Anonymous(app.BaseAddress);

        var answers = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
            answers.Add((await SignedInClient.PostSignInAsync(client, "nobody@example.org", "wrong password here")).StatusCode);
        var refused = await SignedInClient.PostSignInAsync(client, "nobody@example.org", "wrong password here");

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], answers);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.True(int.Parse(refused.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture) is > 0 and <= 60);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Every_response_carries_the_security_headers()
    {
        var server = await PostgresServer.GetAsync();
        await using var db = await server.CreateDatabaseAsync();
        await using var app = await WebAppProcess.StartAsync(db.ConnectionString);
        using var client = SignedInClient.Anonymous(app.BaseAddress);

        foreach (var path in new[] { "account/login", "health", "" })
        {
            using var response = await client.GetAsync(path);
            var csp = response.Headers.GetValues("Content-Security-Policy").ToList();
            Assert.Contains(csp, v => v.Contains("script-src 'self'") && v.Contains("frame-ancestors 'none'"));
            Assert.DoesNotContain(csp, v => v.Contains("frame-ancestors 'self'"));
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.Equal("strict-origin-when-cross-origin", response.Headers.GetValues("Referrer-Policy").Single());
            if (response.Content.Headers.ContentType?.MediaType == "text/html")
                Assert.True(response.Headers.CacheControl?.NoStore, $"{path} may be kept by the browser.");
        }
        using var fresh = SignedInClient.Anonymous(app.BaseAddress);
        using var login = await fresh.GetAsync("account/login");
        Assert.Contains(login.Headers.GetValues("Set-Cookie"), c => c.Contains("httponly") && c.Contains("samesite=strict"));
    }

    [Fact]
    public async Task The_blazor_connection_is_refused_from_another_origin()
    {
        var server = await PostgresServer.GetAsync();
        await using var db = await server.CreateDatabaseAsync();
        await using var app = await WebAppProcess.StartAsync(db.ConnectionString);
        using var client = SignedInClient.Anonymous(app.BaseAddress);
        using var request = new HttpRequestMessage(HttpMethod.Post, "_blazor/negotiate?negotiateVersion=1");
        request.Headers.Add("Origin", "https://evil.example.com");

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }
}
