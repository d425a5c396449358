using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Narratives.Core.Accounts;
using Narratives.Core.Audit;
using Narratives.Testing;
using Narratives.Web.Tests.Browser;
using Npgsql;

namespace Narratives.Web.Tests.Accounts;

public sealed class ApiAccessTests
{
    static async Task<long> OrganizationIdAsync(string connectionString, string key)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT id FROM organizations WHERE key = @key", conn);
        cmd.Parameters.AddWithValue("key", key);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task An_organization_key_acts_as_that_organization_until_revoked_and_every_refusal_says_why()
    {
        var server = await PostgresServer.GetAsync();
        await using var db = await server.CreateDatabaseAsync(withDemoData: true);
        await using var app = await WebAppProcess.StartAsync(db.ConnectionString);
        var keys = new ApiKeyStore(db.DataSource);
        var org = await OrganizationIdAsync(db.ConnectionString, "horizons-youth");
        var created = await keys.CreateAsync(org, "Tests", null, Actor.System("test"));
        using var http = new HttpClient { BaseAddress = app.BaseAddress };

        using var none = await http.GetAsync("api/v1/me");
        using var withKey = new HttpRequestMessage(HttpMethod.Get, "api/v1/me") { Headers = { { "X-Api-Key", created.Value.Secret } } };
        using var ok = await http.SendAsync(withKey);
        var caller = await ok.Content.ReadFromJsonAsync<JsonElement>();
        await keys.RevokeAsync(created.Value.Key.Id, Actor.System("test"));
        using var afterRevoke = new HttpRequestMessage(HttpMethod.Get, "api/v1/me") { Headers = { { "Authorization", "ApiKey " + created.Value.Secret } } };
        using var revoked = await http.SendAsync(afterRevoke);

        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.Equal("application/problem+json", none.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal("api_key", caller.GetProperty("kind").GetString());
        Assert.Equal(org, caller.GetProperty("organizationId").GetInt64());
        Assert.Equal(["partner"], caller.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal(HttpStatusCode.Unauthorized, revoked.StatusCode);
        Assert.Contains("revoked", await revoked.Content.ReadAsStringAsync());
        await using var conn = new NpgsqlConnection(db.ConnectionString);
        await conn.OpenAsync();
        await using var logged = new NpgsqlCommand("SELECT count(*) FROM audit_log WHERE action = 'access_denied' AND entity_type = 'api_key'", conn);
        Assert.Equal(1L, await logged.ExecuteScalarAsync());
    }

    [Fact]
    public async Task The_api_answers_429_with_retry_after_past_its_rate_limit()
    {
        var server = await PostgresServer.GetAsync();
        await using var db = await server.CreateDatabaseAsync(withDemoData: true);
        await using var app = await WebAppProcess.StartAsync(db.ConnectionString, new Dictionary<string, string>
        {
            ["Narratives:Security:ApiRequestsPerMinute"] = "2",
        });
        var created = await new ApiKeyStore(db.DataSource).CreateAsync(
            await OrganizationIdAsync(db.ConnectionString, "pont-des-cultures"), "Tests", null, Actor.System("test"));
        using var http = new HttpClient { BaseAddress = app.BaseAddress };
        http.DefaultRequestHeaders.Add("X-Api-Key", created.Value.Secret);

        var codes = new List<HttpStatusCode>();
        HttpResponseMessage? last = null;
        for (var i = 0; i < 3; i++)
        {
            last?.Dispose();
            last = await http.GetAsync("api/v1/me");
            codes.Add(last.StatusCode);
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], codes);
        Assert.True(int.Parse(last!.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture) > 0);
        last.Dispose();
    }

    [Fact]
    public async Task The_openapi_description_lists_the_api()
    {
        var server = await PostgresServer.GetAsync();
        await using var db = await server.CreateDatabaseAsync();
        await using var app = await WebAppProcess.StartAsync(db.ConnectionString);
        using var http = new HttpClient { BaseAddress = app.BaseAddress };

        var document = await http.GetFromJsonAsync<JsonElement>("openapi/v1.json");

        Assert.True(document.GetProperty("paths").TryGetProperty("/api/v1/me", out _));
    }
}
