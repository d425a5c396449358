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

        api.MapGet("", async (InitiativeStore store, Taxonomy taxonomy, [AsParameters] InitiativeFilters filters, CancellationToken ct) =>
        {
            var (query, errors) = filters.ToQuery(taxonomy);
            if (errors.Count > 0) return Results.ValidationProblem(errors, title: "Some filters are not valid");
            var result = await store.ListPageAsync(query, publicOnly: true, ct);
            return Results.Ok(new InitiativeListV1(SchemaV1, query.Page, query.PageSize, result.Total, result.Items));
        })
        .WithName("ListInitiatives")
        .WithSummary("Published, verified initiatives, paged and filtered like the Initiatives page.");

        api.MapGet("/export.{format}", async (string format, InitiativeStore store, Taxonomy taxonomy, [AsParameters] InitiativeFilters filters,
            HttpContext http, CancellationToken ct) =>
        {
            if (format is not ("csv" or "xlsx" or "json"))
                return Results.Problem(statusCode: 404, title: "Unknown format", detail: "Export as export.csv, export.xlsx or export.json.");
            var (query, errors) = filters.ToQuery(taxonomy);
            if (errors.Count > 0) return Results.ValidationProblem(errors, title: "Some filters are not valid");
            var rows = await store.ExportAsync(query, publicOnly: true, ct);
            var name = $"narratives-initiatives-{DateTime.UtcNow:yyyy-MM-dd}.{format}";
            http.Response.Headers.ContentDisposition = $"attachment; filename=\"{name}\"";
            switch (format)
            {
                case "csv":
                    http.Response.ContentType = "text/csv; charset=utf-8";
                    await InitiativeFiles.WriteCsvAsync(rows, http.Response.Body, ct);
                    break;
                case "json":
                    http.Response.ContentType = "application/json; charset=utf-8";
                    await InitiativeFiles.WriteJsonAsync(rows, http.Response.Body, ct);
                    break;
                default:
                    http.Response.ContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
                    using (var buffer = new MemoryStream())
                    {
                        InitiativeFiles.WriteXlsx(rows, buffer);
                        buffer.Position = 0;
                        await buffer.CopyToAsync(http.Response.Body, ct);
                    }
                    break;
            }
            return Results.Empty;
        })
        .WithName("ExportInitiatives")
        .WithSummary("The published, verified initiatives as CSV, XLSX or JSON (schema narratives.initiatives.export/v1), same filters as the list.");

        api.MapGet("/{id:long}", async (long id, InitiativeStore store, CancellationToken ct) =>
            await store.GetAsync(id, publicOnly: true, includeContact: false, ct) is { } initiative
                ? Results.Ok(initiative)
                : Results.Problem(statusCode: 404, title: "No such initiative", detail: $"There is no published, verified initiative {id}."))
        .WithName("GetInitiative")
        .WithSummary("One published, verified initiative.");
    }

    internal static Dictionary<string, string[]> Validate(InitiativeQuery q, Taxonomy taxonomy)
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

/// <summary>The query-string filters the initiatives endpoints share.</summary>
public sealed record InitiativeFilters(
    string? Q, string? Scope, string? Region, string? SubRegion, string? Country, string? Theme, string? Audience, string? Language,
    string? Status, string? LeadType, string? Sort, bool? Desc, int? Page, int? PageSize)
{
    public (InitiativeQuery Query, Dictionary<string, string[]> Errors) ToQuery(Taxonomy taxonomy)
    {
        var query = new InitiativeQuery(Q, Scope, Region, SubRegion, Country, Theme, Audience, Language, Status, "verified", LeadType,
            Sort ?? "name", Desc ?? false, Page ?? 0, PageSize ?? 25);
        var errors = InitiativesEndpoints.Validate(query, taxonomy);
        return (query.Normalized(), errors);
    }
}
