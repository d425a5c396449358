using Narratives.Core.Initiatives;
using Narratives.Core.Reference;
using Narratives.Web.Security;

namespace Narratives.Web.Api;

/// <summary>Version 1 of the public initiatives list: published, verified initiatives; never the contact.</summary>
public sealed record InitiativeListV1(string Schema, int Page, int PageSize, int Total, IReadOnlyList<InitiativeListItem> Items);

/// <summary>GET /api/v1/initiatives and /api/v1/initiatives/{id}: anonymous, same filters as the Initiatives page.</summary>
public static class InitiativesEndpoints
{
    public const string SchemaV1 = "narratives.initiatives/v1";

    static readonly string[] Scopes = ["national", "regional", "global"];
    static readonly string[] Statuses = ["planned", "active", "completed", "discontinued"];
    static readonly string[] LeadTypes = ["government", "civil_society", "religious_body", "private_sector", "international_organization", "academia"];

    public static void MapInitiativesApi(this WebApplication app)
    {
        var api = app.MapGroup("/api/v1/initiatives")
            .AllowAnonymous()
            .RequireRateLimiting(RateLimits.Api)
            .WithTags("Initiatives");

        api.MapGet("", async (InitiativeStore store, Taxonomy taxonomy, string? q, string? scope, string? region, string? subRegion,
            string? country, string? theme, string? audience, string? language, string? status, string? leadType,
            string? sort, bool? desc, int? page, int? pageSize, CancellationToken ct) =>
        {
            var query = new InitiativeQuery(q, scope, region, subRegion, country, theme, audience, language, status, "verified", leadType,
                sort ?? "name", desc ?? false, page ?? 0, pageSize ?? 25);
            var errors = Validate(query, taxonomy);
            if (errors.Count > 0) return Results.ValidationProblem(errors, title: "Some filters are not valid");
            var result = await store.ListPageAsync(query, publicOnly: true, ct);
            var normalized = query.Normalized();
            return Results.Ok(new InitiativeListV1(SchemaV1, normalized.Page, normalized.PageSize, result.Total, result.Items));
        })
        .WithName("ListInitiatives")
        .WithSummary("Published, verified initiatives, paged and filtered like the Initiatives page.");

        api.MapGet("/{id:long}", async (long id, InitiativeStore store, CancellationToken ct) =>
            await store.GetAsync(id, publicOnly: true, includeContact: false, ct) is { } initiative
                ? Results.Ok(initiative)
                : Results.Problem(statusCode: 404, title: "No such initiative", detail: $"There is no published, verified initiative {id}."))
        .WithName("GetInitiative")
        .WithSummary("One published, verified initiative.");
    }

    static Dictionary<string, string[]> Validate(InitiativeQuery q, Taxonomy taxonomy)
    {
        var errors = new Dictionary<string, string[]>();
        void Check(bool ok, string field, string message) { if (!ok) errors[field] = [message]; }
        Check(q.Scope is null || Scopes.Contains(q.Scope), "scope", $"Use one of: {string.Join(", ", Scopes)}.");
        Check(q.Status is null || Statuses.Contains(q.Status), "status", $"Use one of: {string.Join(", ", Statuses)}.");
        Check(q.LeadType is null || LeadTypes.Contains(q.LeadType), "leadType", $"Use one of: {string.Join(", ", LeadTypes)}.");
        Check(q.Theme is null || taxonomy.IsTheme(q.Theme), "theme", $"Use a theme id of data/taxonomy.json: {string.Join(", ", taxonomy.Themes.Select(t => t.Id))}.");
        Check(q.Audience is null || taxonomy.IsAudience(q.Audience), "audience", $"Use an audience id of data/taxonomy.json: {string.Join(", ", taxonomy.Audiences.Select(a => a.Id))}.");
        Check(q.Country is null || q.Country.Length == 3 && q.Country.All(char.IsAsciiLetter), "country", "Use an ISO 3166-1 alpha-3 code, like TUN.");
        Check(q.Language is null || q.Language.Length == 2 && q.Language.All(char.IsAsciiLetter), "language", "Use an ISO 639-1 code, like fr.");
        Check(q.Sort is null || InitiativeQuery.SortColumns.ContainsKey(q.Sort), "sort", $"Sort by one of: {string.Join(", ", InitiativeQuery.SortColumns.Keys)}.");
        Check(q.Page >= 0, "page", "Pages count from 0.");
        Check(q.PageSize is >= 1 and <= 200, "pageSize", "Ask for 1 to 200 initiatives a page.");
        return errors;
    }
}
