using System.Net;
using Microsoft.AspNetCore.Routing;
using Narratives.Testing;
using Narratives.Web.Tests.Browser;

namespace Narratives.Web.Tests.Accounts;

/// <summary>
/// Every page and endpoint, asked by every kind of visitor, gets exactly the allowed answer. A route the app has but
/// this matrix lacks fails the test: a new page or endpoint must say here who may use it.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class AccessMatrixTests(BrowserFixture fixture)
{
    const string Ok = "200", ToLogin = "login", Denied = "denied", BadRequest = "400", Home = "home", Unauthorized = "401",
        NotFound = "404", Forbidden = "403";

    // Columns: anonymous, partner of organization A, partner of organization B, researcher, staff.
    static readonly Dictionary<string, string[]> Matrix = new()
    {
        ["GET /"] = [ToLogin, Ok, Ok, Ok, Ok],
        ["GET /initiatives"] = [ToLogin, Ok, Ok, Ok, Ok],
        ["GET /initiatives/{Id:long}"] = [ToLogin, Ok, Ok, Ok, Ok],
        ["GET /initiatives/new"] = [ToLogin, Denied, Denied, Denied, Ok],
        ["GET /initiatives/propose"] = [ToLogin, Ok, Ok, Denied, Denied],
        ["GET /initiatives/coverage"] = [ToLogin, Ok, Ok, Ok, Ok],
        ["GET /initiatives/import"] = [ToLogin, Denied, Denied, Denied, Ok],
        ["GET /initiatives/print"] = [ToLogin, Ok, Ok, Ok, Ok],
        ["GET /initiatives/{Id:long}/propose"] = [ToLogin, Ok, Ok, Denied, Denied],
        ["GET /initiatives/proposals"] = [ToLogin, Ok, Ok, Denied, Ok],
        ["GET /initiatives/{Id:long}/edit"] = [ToLogin, Denied, Denied, Denied, Ok],
        ["GET /campaigns"] = [ToLogin, Ok, Ok, Ok, Ok],
        // {CampaignId} is a draft of organization A: private to A and staff; to anyone else it does not exist.
        ["GET /analytics/export.{format}"] = [ToLogin, Ok, Ok, Ok, Ok],
        ["GET /explorer"] = [ToLogin, Ok, Ok, Ok, Ok],
        ["GET /compare"] = [ToLogin, Ok, Ok, Ok, Ok],
        ["GET /methodology"] = [ToLogin, Ok, Ok, Ok, Ok],
        ["POST /explorer"] = [ToLogin, BadRequest, BadRequest, BadRequest, BadRequest],
        ["POST /compare"] = [ToLogin, BadRequest, BadRequest, BadRequest, BadRequest],
        ["POST /methodology"] = [ToLogin, BadRequest, BadRequest, BadRequest, BadRequest],
        ["GET /campaigns/new"] = [ToLogin, Ok, Ok, Denied, Ok],
        ["GET /campaigns/{CampaignId:long}"] = [ToLogin, Ok, NotFound, NotFound, Ok],
        ["GET /campaigns/{CampaignId:long}/edit"] = [ToLogin, Ok, NotFound, Denied, Ok],
        ["GET /imports"] = [ToLogin, Ok, Ok, Denied, Ok],
        ["GET /content-review"] = [ToLogin, Ok, Ok, Denied, Ok],
        ["GET /model"] = [ToLogin, Denied, Denied, Denied, Ok],
        ["GET /admin"] = [ToLogin, Denied, Denied, Denied, Ok],
        ["GET /admin/organizations"] = [ToLogin, Denied, Denied, Denied, Ok],
        ["GET /admin/users"] = [ToLogin, Denied, Denied, Denied, Ok],
        ["GET /admin/api-keys"] = [ToLogin, Denied, Denied, Denied, Ok],
        ["GET /admin/audit"] = [ToLogin, Denied, Denied, Denied, Ok],
        ["GET /api/v1/me"] = [Unauthorized, Ok, Ok, Ok, Ok],
        // {campaignId} is a campaign of partner A's organization; a cookie without the antiforgery token is refused
        // after the access check. {importId} does not exist.
        ["POST /api/v1/campaigns/{campaignId:long}/imports"] = [Unauthorized, BadRequest, Forbidden, Forbidden, BadRequest],
        ["GET /api/v1/imports/{importId:long}/errors.csv"] = [Unauthorized, NotFound, NotFound, NotFound, NotFound],
        ["GET /api/v1/imports/template"] = [Unauthorized, Ok, Ok, Ok, Ok],
        ["GET /api/v1/initiatives"] = [Ok, Ok, Ok, Ok, Ok],
        // API writes carry an empty JSON body: allowed callers get 400 with the field errors.
        ["GET /api/v1/campaigns"] = [Unauthorized, Ok, Ok, Ok, Ok],
        ["POST /api/v1/campaigns"] = [Unauthorized, BadRequest, BadRequest, Forbidden, BadRequest],
        ["GET /api/v1/campaigns/{campaignId:long}"] = [Unauthorized, Ok, NotFound, NotFound, Ok],
        ["PUT /api/v1/campaigns/{campaignId:long}"] = [Unauthorized, BadRequest, NotFound, Forbidden, BadRequest],
        ["GET /api/v1/campaigns/{campaignId:long}/outcomes"] = [Unauthorized, Ok, NotFound, NotFound, Ok],
        ["POST /api/v1/campaigns/{campaignId:long}/outcomes"] = [Unauthorized, BadRequest, NotFound, Forbidden, BadRequest],
        ["GET /api/v1/initiatives/{id:long}"] = [Ok, Ok, Ok, Ok, Ok],
        ["GET /api/v1/initiatives/export.{format}"] = [Ok, Ok, Ok, Ok, Ok],
        ["GET /openapi/{documentName}.json"] = [Ok, Ok, Ok, Ok, Ok],
        ["GET /account/login"] = [Ok, Ok, Ok, Ok, Ok],
        ["GET /account/two-factor"] = [ToLogin, Ok, Ok, Ok, Ok],
        // Only reachable between the password and the code; otherwise back to the sign-in page.
        ["GET /account/login-code"] = [ToLogin, ToLogin, ToLogin, ToLogin, ToLogin],
        ["GET /account/access-denied"] = [ToLogin, Ok, Ok, Ok, Ok],
        ["GET /not-found"] = [Ok, Ok, Ok, Ok, Ok],
        ["GET /error"] = [Ok, Ok, Ok, Ok, Ok],
        ["GET /health"] = [Ok, Ok, Ok, Ok, Ok],
        ["GET /culture"] = [Home, Home, Home, Home, Home],
        // Posts without the form's antiforgery token, as another site's form would send: refused, after the access
        // check. The real forms (sign-in, sign-out) are tested in the browser.
        ["POST /account/logout"] = [ToLogin, BadRequest, BadRequest, BadRequest, BadRequest],
        ["POST /account/login"] = [BadRequest, BadRequest, BadRequest, BadRequest, BadRequest],
        ["POST /account/login-code"] = [BadRequest, BadRequest, BadRequest, BadRequest, BadRequest],
        ["POST /account/two-factor"] = [ToLogin, BadRequest, BadRequest, BadRequest, BadRequest],
        ["POST /"] = [ToLogin, BadRequest, BadRequest, BadRequest, BadRequest],
        ["POST /initiatives"] = [ToLogin, BadRequest, BadRequest, BadRequest, BadRequest],
        ["POST /initiatives/{Id:long}"] = [ToLogin, BadRequest, BadRequest, BadRequest, BadRequest],
        ["POST /initiatives/new"] = [ToLogin, Denied, Denied, Denied, BadRequest],
        ["POST /initiatives/propose"] = [ToLogin, BadRequest, BadRequest, Denied, Denied],
        ["POST /initiatives/coverage"] = [ToLogin, BadRequest, BadRequest, BadRequest, BadRequest],
        ["POST /initiatives/import"] = [ToLogin, Denied, Denied, Denied, BadRequest],
        ["POST /initiatives/print"] = [ToLogin, BadRequest, BadRequest, BadRequest, BadRequest],
        ["POST /initiatives/{Id:long}/propose"] = [ToLogin, BadRequest, BadRequest, Denied, Denied],
        ["POST /initiatives/proposals"] = [ToLogin, BadRequest, BadRequest, Denied, BadRequest],
        ["POST /initiatives/{Id:long}/edit"] = [ToLogin, Denied, Denied, Denied, BadRequest],
        ["POST /campaigns"] = [ToLogin, BadRequest, BadRequest, BadRequest, BadRequest],
        ["POST /campaigns/new"] = [ToLogin, BadRequest, BadRequest, Denied, BadRequest],
        ["POST /campaigns/{CampaignId:long}"] = [ToLogin, BadRequest, BadRequest, BadRequest, BadRequest],
        ["POST /campaigns/{CampaignId:long}/edit"] = [ToLogin, BadRequest, BadRequest, Denied, BadRequest],
        ["POST /imports"] = [ToLogin, BadRequest, BadRequest, Denied, BadRequest],
        ["POST /content-review"] = [ToLogin, BadRequest, BadRequest, Denied, BadRequest],
        ["POST /model"] = [ToLogin, Denied, Denied, Denied, BadRequest],
        ["POST /admin"] = [ToLogin, Denied, Denied, Denied, BadRequest],
        ["POST /admin/organizations"] = [ToLogin, Denied, Denied, Denied, BadRequest],
        ["POST /admin/users"] = [ToLogin, Denied, Denied, Denied, BadRequest],
        ["POST /admin/api-keys"] = [ToLogin, Denied, Denied, Denied, BadRequest],
        ["POST /admin/audit"] = [ToLogin, Denied, Denied, Denied, BadRequest],
        ["POST /account/access-denied"] = [ToLogin, BadRequest, BadRequest, BadRequest, BadRequest],
        ["POST /not-found"] = [BadRequest, BadRequest, BadRequest, BadRequest, BadRequest],
        ["POST /error"] = [BadRequest, BadRequest, BadRequest, BadRequest, BadRequest],
    };

    // Blazor's own connection endpoints and static files are the framework's, not ours.
    static bool IsFramework(string route) =>
        route.StartsWith("/_blazor", StringComparison.Ordinal) || route.StartsWith("/_framework", StringComparison.Ordinal) ||
        route.StartsWith("/_content", StringComparison.Ordinal) || route.Contains("{**path:file}", StringComparison.Ordinal) ||
        (Path.HasExtension(route) && !route.Contains('{'));

    [Fact]
    public async Task Every_route_of_the_app_is_in_the_access_matrix()
    {
        var server = await PostgresServer.GetAsync();
        await using var db = await server.CreateDatabaseAsync();
        await using var app = await NarrativesWebApp.BuildAsync(["--ConnectionStrings:Narratives=" + db.ConnectionString]);

        var routes = ((IEndpointRouteBuilder)app).DataSources
            .SelectMany(d => d.Endpoints).OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"])
                .Select(m => $"{m} /{e.RoutePattern.RawText?.Trim('/')}"))
            .Where(r => !IsFramework(r.Split(' ')[1]))
            .Distinct()
            .ToList();

        Assert.NotEmpty(routes);
        Assert.True(!routes.Except(Matrix.Keys).Any(), "Not in the matrix: " + string.Join(", ", routes.Except(Matrix.Keys)));
        Assert.Empty(Matrix.Keys.Except(routes));
    }

    long VerifiedInitiativeId, DraftCampaignOfA;

    [Fact]
    public async Task Each_kind_of_visitor_gets_exactly_the_allowed_answer()
    {
        var baseAddress = fixture.App.BaseAddress;
        await using (var conn = new Npgsql.NpgsqlConnection(fixture.ConnectionString))
        {
            await conn.OpenAsync();
            await using var cmd = new Npgsql.NpgsqlCommand("SELECT min(id) FROM initiatives WHERE verification = 'verified'", conn);
            VerifiedInitiativeId = (long)(await cmd.ExecuteScalarAsync())!;
            await using var draft = new Npgsql.NpgsqlCommand(
                "SELECT c.id FROM campaigns c JOIN organizations o ON o.id = c.organization_id WHERE o.key = 'horizons-youth' AND NOT c.is_published ORDER BY c.id LIMIT 1", conn);
            DraftCampaignOfA = (long)(await draft.ExecuteScalarAsync())!;
        }
        HttpClient[] clients =
        [
            SignedInClient.Anonymous(baseAddress),
            await SignedInClient.ForAsync(baseAddress, DemoUser.PartnerA),
            await SignedInClient.ForAsync(baseAddress, DemoUser.PartnerB),
            await SignedInClient.ForAsync(baseAddress, DemoUser.Researcher),
            await SignedInClient.ForAsync(baseAddress, DemoUser.Staff),
        ];
        string[] who = ["anonymous", "partner A", "partner B", "researcher", "staff"];
        var wrong = new List<string>();

        foreach (var (route, expected) in Matrix)
        {
            var method = route.Split(' ')[0];
            var path = route.Split(' ')[1].TrimStart('/');
            if (path == "culture") path += "?name=en";
            if (path.StartsWith("analytics/export", StringComparison.Ordinal)) path += "?widget=platforms";
            path = path.Replace("{documentName}", "v1").Replace("{id:long}", VerifiedInitiativeId.ToString(System.Globalization.CultureInfo.InvariantCulture))
                .Replace("{format}", "csv")
                .Replace("{CampaignId:long}", DraftCampaignOfA.ToString(System.Globalization.CultureInfo.InvariantCulture))
                .Replace("{campaignId:long}", DraftCampaignOfA.ToString(System.Globalization.CultureInfo.InvariantCulture))
                .Replace("{importId:long}", "999999999")
                .Replace("{Id:long}", VerifiedInitiativeId.ToString(System.Globalization.CultureInfo.InvariantCulture));
            for (var i = 0; i < clients.Length; i++)
            {
                // A POST carries a form, as a cross-site form would, but without the page's antiforgery token.
                using var request = new HttpRequestMessage(new HttpMethod(method), path)
                {
                    Content = method is "POST" or "PUT"
                        ? path.StartsWith("api/", StringComparison.Ordinal) ? new StringContent("{}", System.Text.Encoding.UTF8, "application/json") : new FormUrlEncodedContent([])
                        : null,
                };
                using var response = await clients[i].SendAsync(request);
                var actual = Classify(response);
                if (actual != expected[i]) wrong.Add($"{route} as {who[i]}: expected {expected[i]}, got {actual}");
            }
        }

        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
        foreach (var client in clients) client.Dispose();
    }

    static string Classify(HttpResponseMessage response)
    {
        var location = response.Headers.Location?.OriginalString ?? "";
        return (int)response.StatusCode switch
        {
            200 => Ok,
            302 when location.Contains("/account/login", StringComparison.Ordinal) => ToLogin,
            302 when location.Contains("/account/access-denied", StringComparison.Ordinal) => Denied,
            302 when location == "/" => Home,
            401 => Unauthorized,
            var code => code.ToString(System.Globalization.CultureInfo.InvariantCulture) + (location.Length > 0 ? " to " + location : ""),
        };
    }
}
