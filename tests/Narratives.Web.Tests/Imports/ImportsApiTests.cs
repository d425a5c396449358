using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Narratives.Core.Accounts;
using Narratives.Core.Audit;
using Narratives.Testing;
using Narratives.Web.Tests.Browser;
using Npgsql;

namespace Narratives.Web.Tests.Imports;

public sealed class ImportsApiTests
{
    const string Header = "platform,external_id,title,text,permalink,published_at,language,duration_seconds,meaning,date,period_start,impressions,reach,views,watch_seconds,reactions,comments,shares,clicks,saves,follows,spend";

    static async Task<long> ScalarAsync(string connectionString, string sql, string key)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        cmd.Parameters.AddWithValue("key", key);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task Partners_import_files_and_json_rows_into_their_own_campaigns_only_within_the_size_and_rate_limits()
    {
        var server = await PostgresServer.GetAsync();
        await using var db = await server.CreateDatabaseAsync(withDemoData: true);
        var raw = Path.Combine(Path.GetTempPath(), $"narratives-web-raw-{Guid.NewGuid():N}");
        await using var app = await WebAppProcess.StartAsync(db.ConnectionString, new Dictionary<string, string>
        {
            ["Narratives:Ingest:RawFileDirectory"] = raw,
            ["Narratives:Ingest:MaxFileBytes"] = "4000",
            ["Narratives:Security:ApiRequestsPerMinute"] = "6",
        });
        const string orgOf = "SELECT id FROM organizations WHERE key = @key";
        const string campaignOf = "SELECT min(c.id) FROM campaigns c JOIN organizations o ON o.id = c.organization_id WHERE o.key = @key";
        var key = (await new ApiKeyStore(db.DataSource).CreateAsync(await ScalarAsync(db.ConnectionString, orgOf, "horizons-youth"), "Uploads", null, Actor.System("test"))).Value.Secret;
        var own = await ScalarAsync(db.ConnectionString, campaignOf, "horizons-youth");
        var other = await ScalarAsync(db.ConnectionString, campaignOf, "voices-of-resilience");
        using var http = new HttpClient { BaseAddress = app.BaseAddress };
        HttpRequestMessage Post(long campaign, HttpContent content, bool withKey = true)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, $"api/v1/campaigns/{campaign}/imports") { Content = content };
            if (withKey) request.Headers.Add("X-Api-Key", key);
            return request;
        }
        var csv = $"{Header}\r\nwebsite,api-article-1,Article,,,,en,,daily,2026-11-20,,,,120,,,,,,,,\r\n";

        using var withoutKey = await http.SendAsync(Post(own, new StringContent(csv, Encoding.UTF8, "text/csv"), withKey: false));
        using var imported = await http.SendAsync(Post(own, new StringContent(csv, Encoding.UTF8, "text/csv")));
        var report = await imported.Content.ReadFromJsonAsync<JsonElement>();
        using var json = await http.SendAsync(Post(own, JsonContent.Create(new
        {
            rows = new object[]
            {
                new { platform = "website", external_id = "api-article-2", meaning = "daily", date = "2026-11-21", views = 40 },
                new { platform = "website", external_id = "api-article-3", meaning = "daily", date = "2026-11-21", views = -4 },
            },
        })));
        var jsonReport = await json.Content.ReadFromJsonAsync<JsonElement>();
        using var errors = new HttpRequestMessage(HttpMethod.Get, $"api/v1/imports/{jsonReport.GetProperty("import_id").GetInt64()}/errors.csv") { Headers = { { "X-Api-Key", key } } };
        using var errorsCsv = await http.SendAsync(errors);
        using var otherOrganization = await http.SendAsync(Post(other, new StringContent(csv, Encoding.UTF8, "text/csv")));
        using var tooLarge = await http.SendAsync(Post(own, new StringContent(csv + new string('#', 5000), Encoding.UTF8, "text/csv")));
        var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(Encoding.UTF8.GetBytes($"{Header}\r\nwebsite,api-article-4,Form upload,,,,en,,daily,2026-11-22,,,,9,,,,,,,,\r\n"));
        file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        form.Add(file, "file", "export.csv");
        using var multipart = await http.SendAsync(Post(own, form));
        var multipartReport = await multipart.Content.ReadFromJsonAsync<JsonElement>();
        using var limited = await http.SendAsync(Post(own, new StringContent(csv, Encoding.UTF8, "text/csv")));

        Assert.Equal(HttpStatusCode.Unauthorized, withoutKey.StatusCode);
        Assert.Equal(HttpStatusCode.OK, imported.StatusCode);
        Assert.Equal(("narratives_template", 1, 1, 0, false), (report.GetProperty("format").GetString(), report.GetProperty("rows_read").GetInt32(),
            report.GetProperty("rows_imported").GetInt32(), report.GetProperty("rows_quarantined").GetInt32(), report.GetProperty("duplicate_file").GetBoolean()));
        Assert.Equal(120, report.GetProperty("totals").GetProperty("views").GetInt64());
        Assert.Equal(HttpStatusCode.OK, json.StatusCode);
        Assert.Equal((1, 1), (jsonReport.GetProperty("rows_imported").GetInt32(), jsonReport.GetProperty("rows_quarantined").GetInt32()));
        Assert.Equal((3, "views"), (jsonReport.GetProperty("errors")[0].GetProperty("line").GetInt32(), jsonReport.GetProperty("errors")[0].GetProperty("column").GetString()));
        Assert.Equal(HttpStatusCode.OK, errorsCsv.StatusCode);
        Assert.Contains("is negative", await errorsCsv.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Forbidden, otherOrganization.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.StatusCode);
        Assert.Equal(HttpStatusCode.OK, multipart.StatusCode);
        Assert.Equal("export.csv", multipartReport.GetProperty("file").GetString());
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal(3L, await ScalarAsync(db.ConnectionString,
            "SELECT count(*) FROM content_items c JOIN organizations o ON o.key = @key JOIN campaigns k ON k.id = c.campaign_id AND k.organization_id = o.id WHERE c.external_id LIKE 'api-article-%' AND c.source = 'api' AND c.predicted_at IS NULL", "horizons-youth"));
        Directory.Delete(raw, recursive: true);
    }
}
