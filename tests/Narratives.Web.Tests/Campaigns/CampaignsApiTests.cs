using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Narratives.Core.Accounts;
using Narratives.Core.Audit;
using Narratives.Testing;
using Narratives.Web.Tests.Browser;
using Npgsql;

namespace Narratives.Web.Tests.Campaigns;

public sealed class CampaignsApiTests
{
    static async Task<long> ScalarAsync(string connectionString, string sql)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync());
    }

    static HttpRequestMessage Request(HttpMethod method, string path, string key, object? body = null) => new(method, path)
    {
        Headers = { { "X-Api-Key", key } },
        Content = body is null ? null : JsonContent.Create(body),
    };

    [Fact]
    public async Task Organization_keys_create_and_change_their_own_campaigns_only_and_every_refusal_is_clear_and_logged()
    {
        var server = await PostgresServer.GetAsync();
        await using var db = await server.CreateDatabaseAsync(withDemoData: true);
        await using var app = await WebAppProcess.StartAsync(db.ConnectionString);
        var keys = new ApiKeyStore(db.DataSource);
        var orgA = await ScalarAsync(db.ConnectionString, "SELECT id FROM organizations WHERE key = 'horizons-youth'");
        var orgB = await ScalarAsync(db.ConnectionString, "SELECT id FROM organizations WHERE key = 'voices-of-resilience'");
        var initiative = await ScalarAsync(db.ConnectionString, "SELECT min(id) FROM initiatives WHERE archived_at IS NULL");
        var draftOfA = await ScalarAsync(db.ConnectionString, $"SELECT min(id) FROM campaigns WHERE organization_id = {orgA} AND NOT is_published");
        var keyA = (await keys.CreateAsync(orgA, "A", null, Actor.System("test"))).Value!.Secret;
        var keyB = (await keys.CreateAsync(orgB, "B", null, Actor.System("test"))).Value!.Secret;
        using var http = new HttpClient { BaseAddress = app.BaseAddress };

        using var invalid = await http.SendAsync(Request(HttpMethod.Post, "api/v1/campaigns", keyA, new { initiativeId = initiative, name = "", currency = "EURO", budget = 10 }));
        var problem = await invalid.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.Contains("1 to 300", problem.GetProperty("errors").GetProperty("name")[0].GetString());
        Assert.Contains("ISO 4217", problem.GetProperty("errors").GetProperty("currency")[0].GetString());

        using var created = await http.SendAsync(Request(HttpMethod.Post, "api/v1/campaigns", keyA, new
        {
            initiativeId = initiative, name = "Helpline week", status = "draft", budget = 1200, currency = "EUR",
            kpis = new[] { new { metric = "conversions", target = 100, deadline = "2026-12-31", description = "100 helpline calls" } },
        }));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var campaign = await created.Content.ReadFromJsonAsync<JsonElement>();
        var id = campaign.GetProperty("id").GetInt64();
        Assert.Equal(orgA, campaign.GetProperty("organizationId").GetInt64());
        Assert.Equal($"/api/v1/campaigns/{id}", created.Headers.Location?.OriginalString);

        using var hidden = await http.SendAsync(Request(HttpMethod.Get, $"api/v1/campaigns/{id}", keyB));
        using var notYours = await http.SendAsync(Request(HttpMethod.Put, $"api/v1/campaigns/{id}", keyB, new { initiativeId = initiative, name = "Taken over" }));
        using var otherDraft = await http.SendAsync(Request(HttpMethod.Post, $"api/v1/campaigns/{draftOfA}/outcomes", keyB, new { kind = "conversion", conversionType = "sign_up", count = 5, measuredOn = "2026-11-01" }));
        Assert.Equal(HttpStatusCode.NotFound, hidden.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, notYours.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, otherDraft.StatusCode);
        Assert.Equal("application/problem+json", hidden.Content.Headers.ContentType?.MediaType);

        using var publish = await http.SendAsync(Request(HttpMethod.Put, $"api/v1/campaigns/{id}", keyA, new
        {
            version = 1, initiativeId = initiative, name = "Helpline week", status = "running", isPublished = true, startDate = "2026-11-01",
            goalText = "More first calls to the helpline", kpis = new[] { new { metric = "conversions", target = 100, deadline = "2026-12-31" } },
            audiences = new[] { "youth" }, themes = new[] { "alternative" }, keyMessage = "Someone will listen", messenger = "organization",
            platforms = new[] { "instagram" }, callToAction = "Call the helpline", monitoringMetrics = new[] { "helpline calls" },
        }));
        Assert.Equal(HttpStatusCode.OK, publish.StatusCode);
        using var stale = await http.SendAsync(Request(HttpMethod.Put, $"api/v1/campaigns/{id}", keyA, new { version = 1, initiativeId = initiative, name = "Stale" }));
        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);

        // Published now: B may read it, still not change it.
        using var readable = await http.SendAsync(Request(HttpMethod.Get, $"api/v1/campaigns/{id}", keyB));
        using var forbidden = await http.SendAsync(Request(HttpMethod.Put, $"api/v1/campaigns/{id}", keyB, new { initiativeId = initiative, name = "Taken over" }));
        using var forbiddenOutcome = await http.SendAsync(Request(HttpMethod.Post, $"api/v1/campaigns/{id}/outcomes", keyB, new { kind = "conversion", conversionType = "sign_up", count = 5, measuredOn = "2026-11-01" }));
        Assert.Equal(HttpStatusCode.OK, readable.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, forbiddenOutcome.StatusCode);

        using var badSurvey = await http.SendAsync(Request(HttpMethod.Post, $"api/v1/campaigns/{id}/outcomes", keyA, new
        {
            kind = "survey", question = "I would call the helpline", design = "pre_post", arm = "pre", sampleSize = 50, agreeing = 60, measuredOn = "2026-11-01",
        }));
        var surveyProblem = await badSurvey.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(HttpStatusCode.BadRequest, badSurvey.StatusCode);
        Assert.Contains("more than the 50", surveyProblem.GetProperty("errors").GetProperty("agreeing")[0].GetString());
        using var calls = await http.SendAsync(Request(HttpMethod.Post, $"api/v1/campaigns/{id}/outcomes", keyA, new { kind = "conversion", conversionType = "helpline_call", count = 37, measuredOn = "2026-11-10" }));
        Assert.Equal(HttpStatusCode.Created, calls.StatusCode);
        using var outcomes = await http.SendAsync(Request(HttpMethod.Get, $"api/v1/campaigns/{id}/outcomes", keyB));
        var list = await outcomes.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(37, Assert.Single(list.EnumerateArray()).GetProperty("count").GetInt32());

        Assert.Equal("Helpline week", (await (await http.SendAsync(Request(HttpMethod.Get, $"api/v1/campaigns/{id}", keyA))).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("name").GetString());
        Assert.True(await ScalarAsync(db.ConnectionString, $"SELECT count(*) FROM audit_log WHERE action = 'access_denied' AND entity_type = 'campaign' AND entity_id IN ('{id}', '{draftOfA}')") >= 5);
        Assert.Equal(2, await ScalarAsync(db.ConnectionString, $"SELECT count(*) FROM audit_log WHERE entity_type = 'campaign' AND entity_id = '{id}' AND action IN ('create', 'update')"));

        var document = await http.GetStringAsync("openapi/v1.json");
        Assert.Contains("/api/v1/campaigns/{campaignId}/outcomes", document);
    }
}
