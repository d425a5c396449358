using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Narratives.Web.Tests.Browser;
using Npgsql;

namespace Narratives.Web.Tests.Initiatives;

[Collection(BrowserCollection.Name)]
public sealed class InitiativesApiTests(BrowserFixture fixture)
{
    HttpClient Anonymous() => new() { BaseAddress = fixture.App.BaseAddress };

    async Task<long> IdAsync(string verification)
    {
        await using var conn = new NpgsqlConnection(fixture.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT min(id) FROM initiatives WHERE verification = @v", conn);
        cmd.Parameters.AddWithValue("v", verification);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task Anyone_can_list_the_verified_initiatives_with_the_page_filters()
    {
        using var http = Anonymous();

        var all = await http.GetFromJsonAsync<JsonElement>("api/v1/initiatives?pageSize=200");
        var literacy = await http.GetFromJsonAsync<JsonElement>("api/v1/initiatives?theme=literacy&region=Europe&pageSize=200");

        Assert.Equal("narratives.initiatives/v1", all.GetProperty("schema").GetString());
        var items = all.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(all.GetProperty("total").GetInt32(), items.Count);
        Assert.All(items, i => Assert.Equal("verified", i.GetProperty("verification").GetString()));
        Assert.NotEmpty(literacy.GetProperty("items").EnumerateArray());
        Assert.All(literacy.GetProperty("items").EnumerateArray(), i =>
        {
            Assert.Contains("literacy", i.GetProperty("themes").EnumerateArray().Select(t => t.GetString()));
            Assert.Contains("Europe", i.GetProperty("regions").EnumerateArray().Select(t => t.GetString()));
        });
    }

    [Fact]
    public async Task One_initiative_comes_without_its_contact_and_unverified_or_unknown_ones_are_404()
    {
        using var http = Anonymous();

        var shown = await http.GetFromJsonAsync<JsonElement>($"api/v1/initiatives/{await IdAsync("verified")}");
        using var unverified = await http.GetAsync($"api/v1/initiatives/{await IdAsync("unverified")}");
        using var unknown = await http.GetAsync("api/v1/initiatives/999999");

        Assert.Equal(JsonValueKind.Null, shown.GetProperty("contactEmail").ValueKind);
        Assert.NotEmpty(shown.GetProperty("countries").EnumerateArray());
        Assert.Equal(HttpStatusCode.NotFound, unverified.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Bad_filters_get_400_naming_each_field()
    {
        using var http = Anonymous();

        using var response = await http.GetAsync("api/v1/initiatives?scope=local&theme=peace&country=France&pageSize=5000&sort=drop");
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var fields = problem.GetProperty("errors").EnumerateObject().Select(p => p.Name).Order().ToList();
        Assert.Equal(["country", "pageSize", "scope", "sort", "theme"], fields);
    }

    [Fact]
    public async Task The_published_list_exports_as_csv_xlsx_and_json_with_the_same_rows()
    {
        using var http = Anonymous();
        var total = (await http.GetFromJsonAsync<JsonElement>("api/v1/initiatives?region=Africa")).GetProperty("total").GetInt32();

        using var csv = await http.GetAsync("api/v1/initiatives/export.csv?region=Africa");
        using var json = await http.GetAsync("api/v1/initiatives/export.json?region=Africa");
        using var xlsx = await http.GetAsync("api/v1/initiatives/export.xlsx?region=Africa");
        using var unknown = await http.GetAsync("api/v1/initiatives/export.pdf");

        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        Assert.Contains("attachment", csv.Content.Headers.ContentDisposition?.ToString() ?? csv.Headers.GetValues("Content-Disposition").First());
        var lines = (await csv.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("id,name,short_description", lines[0].TrimStart('\uFEFF'));
        var document = JsonDocument.Parse(await json.Content.ReadAsStringAsync());
        Assert.Equal(total, document.RootElement.GetProperty("initiatives").GetArrayLength());
        using var workbook = new ClosedXML.Excel.XLWorkbook(await xlsx.Content.ReadAsStreamAsync());
        Assert.Equal(total + 1, workbook.Worksheet(1).LastRowUsed().RowNumber());
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.True(total > 0);
    }
}
