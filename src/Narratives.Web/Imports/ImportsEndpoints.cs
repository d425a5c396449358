using System.Globalization;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;
using Narratives.Ingest.Formats;
using Narratives.Ingest.Imports;
using Narratives.Web.Security;

namespace Narratives.Web.Imports;

/// <summary>
/// POST /api/v1/campaigns/{id}/imports: a CSV (or any supported export) as the body or as the "file" part of a form,
/// or JSON rows in the template's columns. Answers with the import report. Partners (people or API keys) import only
/// into their organization's campaigns, staff into any, researchers into none.
/// </summary>
public static class ImportsEndpoints
{
    public static void MapImportsApi(this RouteGroupBuilder api)
    {
        api.MapPost("/campaigns/{campaignId:long}/imports", ImportAsync)
            .WithName("ImportIntoCampaign")
            .WithSummary("Import a platform export, a template CSV or JSON rows into a campaign; answers with the import report.")
            .DisableAntiforgery()
            .Produces<ImportReport>()
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        api.MapGet("/imports/{importId:long}/errors.csv", ErrorsCsvAsync)
            .WithName("ImportErrors")
            .WithSummary("The quarantined rows of an import as CSV: file, line, column, reason and the raw text.");
        api.MapGet("/imports/template", () => Results.File(Encoding.UTF8.GetBytes(string.Join(',', TemplateFormat.Columns) + "\r\n"),
                "text/csv", "narratives-template.csv"))
            .WithName("ImportTemplate")
            .WithSummary("The Narratives template CSV: its header, with every column.");
    }

    /// <summary>Whether the caller may import into the campaign; null when there is no such campaign.</summary>
    internal static async Task<bool?> MayImportAsync(ImportStore store, IAuthorizationService authorization, ClaimsPrincipal user, long campaignId, CancellationToken ct)
    {
        var campaign = await store.FindCampaignAsync(campaignId, ct);
        if (campaign is null) return null;
        var result = await authorization.AuthorizeAsync(user,
            new OrganizationOwned(campaign.OrganizationId, "campaign", campaignId.ToString(CultureInfo.InvariantCulture)), Policies.ChangeOrganizationData);
        return result.Succeeded;
    }

    static async Task<IResult> ImportAsync(long campaignId, HttpContext http, ClaimsPrincipal user, ImportStore store, ImportPipeline pipeline,
        IngestOptions options, IAuthorizationService authorization, IAntiforgery antiforgery, CancellationToken ct)
    {
        var id = campaignId;
        switch (await MayImportAsync(store, authorization, user, id, ct))
        {
            case null: return Results.Problem(statusCode: 404, title: "No such campaign", detail: $"There is no campaign {id}.");
            case false: return Results.Problem(statusCode: 403, title: "Not allowed", detail: "You may import only into your organization's campaigns.");
        }
        // A signed-in person's cookie also reaches the API: without an API key, the request must carry the
        // dashboard's antiforgery token, so that another site cannot post files in their name.
        if (!user.HasClaim(c => c.Type == ApiKeyAuthenticationHandler.KeyIdClaim) && !await antiforgery.IsRequestValidAsync(http))
            return Results.Problem(statusCode: 400, title: "Antiforgery token missing", detail: "Send an organization API key in the X-Api-Key header.");
        if (http.Request.ContentLength is { } length && length > options.MaxFileBytes + 64 * 1024)
            return TooLarge(options);
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            limit.MaxRequestBodySize = options.MaxFileBytes + 64 * 1024;

        var actor = ActionGuard.ActorOf(user);
        var contentType = http.Request.ContentType ?? "";
        try
        {
            Stream body;
            string fileName;
            if (contentType.StartsWith("multipart/form-data", StringComparison.OrdinalIgnoreCase))
            {
                var boundary = HeaderUtilities.RemoveQuotes(MediaTypeHeaderValue.Parse(contentType).Boundary).Value;
                if (string.IsNullOrEmpty(boundary)) return Results.Problem(statusCode: 400, title: "Bad form", detail: "The form has no boundary.");
                var reader = new MultipartReader(boundary, http.Request.Body);
                MultipartSection? section;
                while ((section = await reader.ReadNextSectionAsync(ct)) is not null)
                {
                    if (ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition) && disposition.IsFileDisposition())
                    {
                        fileName = disposition.FileName.Value ?? disposition.FileNameStar.Value ?? "upload.csv";
                        return Answer(await pipeline.ImportAsync(Request(id, fileName, actor, options), section.Body, null, ct));
                    }
                }
                return Results.Problem(statusCode: 400, title: "No file", detail: "Send the export as the \"file\" part of the form.");
            }
            if (contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
            {
                var csv = await JsonRowsToTemplateAsync(http.Request.Body, options.MaxFileBytes, ct);
                if (csv.Problem is not null) return Results.Problem(statusCode: 400, title: "Bad JSON rows", detail: csv.Problem);
                await using var converted = new MemoryStream(csv.Bytes!);
                return Answer(await pipeline.ImportAsync(Request(id, "rows.json", actor, options) with { Source = ImportSource.Api }, converted, null, ct));
            }
            body = http.Request.Body;
            fileName = http.Request.Headers["X-File-Name"].ToString() is { Length: > 0 } named ? Path.GetFileName(named) : "upload.csv";
            return Answer(await pipeline.ImportAsync(Request(id, fileName, actor, options), body, null, ct));
        }
        catch (FileTooLargeException)
        {
            return TooLarge(options);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return TooLarge(options);
        }
    }

    static ImportRequest Request(long campaignId, string fileName, Core.Audit.Actor actor, IngestOptions options) =>
        new(campaignId, fileName, ImportSource.Api, actor.UserId, actor.ApiKeyId, MaxBytes: options.MaxFileBytes);

    static IResult TooLarge(IngestOptions options) =>
        Results.Problem(statusCode: 413, title: "File too large", detail: $"The file is larger than the limit of {options.MaxFileBytes / (1024 * 1024)} MB.");

    /// <summary>Imported (even with quarantined rows) or already imported: 200; a rejected file: 422; both with the report.</summary>
    static IResult Answer(ImportReport report) =>
        report.Status == ImportReport.Rejected ? Results.Json(report, statusCode: 422) : Results.Json(report);

    /// <summary>
    /// JSON rows are turned into the template CSV they stand for (kept as the import's raw file), so they pass through
    /// the same checks; a row's line is its position in the array plus one (the header is line 1).
    /// </summary>
    internal static async Task<(byte[]? Bytes, string? Problem)> JsonRowsToTemplateAsync(Stream body, long maxBytes, CancellationToken ct)
    {
        JsonDocument doc;
        try
        {
            doc = await JsonDocument.ParseAsync(body, cancellationToken: ct);
        }
        catch (JsonException ex)
        {
            return (null, $"The body is not valid JSON: {ex.Message}");
        }
        using (doc)
        {
            var rows = doc.RootElement.ValueKind == JsonValueKind.Array ? doc.RootElement
                : doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("rows", out var r) && r.ValueKind == JsonValueKind.Array ? r
                : default;
            if (rows.ValueKind != JsonValueKind.Array) return (null, "Send an array of rows, or an object with a \"rows\" array.");
            var sb = new StringBuilder(string.Join(',', TemplateFormat.Columns)).Append("\r\n");
            var index = 0;
            foreach (var row in rows.EnumerateArray())
            {
                index++;
                if (row.ValueKind != JsonValueKind.Object) return (null, $"Row {index} is not an object.");
                foreach (var property in row.EnumerateObject())
                    if (!TemplateFormat.Columns.Contains(property.Name))
                        return (null, $"Row {index} has \"{property.Name}\", which is not a template column ({string.Join(", ", TemplateFormat.Columns)}).");
                sb.AppendJoin(',', TemplateFormat.Columns.Select(c => Csv(row.TryGetProperty(c, out var v) ? v : default))).Append("\r\n");
                if (sb.Length > maxBytes) throw new FileTooLargeException(maxBytes);
            }
            return (Encoding.UTF8.GetBytes(sb.ToString()), null);
        }
    }

    static string Csv(JsonElement value)
    {
        var text = value.ValueKind switch
        {
            JsonValueKind.Undefined or JsonValueKind.Null => "",
            JsonValueKind.String => value.GetString() ?? "",
            _ => value.GetRawText(),
        };
        return text.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + text.Replace("\"", "\"\"") + "\"" : text;
    }

    static async Task<IResult> ErrorsCsvAsync(long importId, ClaimsPrincipal user, ImportStore store, IAuthorizationService authorization, CancellationToken ct)
    {
        var id = importId;
        var import = await store.FindImportAsync(id, ct);
        if (import is null || await MayImportAsync(store, authorization, user, import.CampaignId, ct) != true)
            return Results.Problem(statusCode: 404, title: "No such import", detail: $"There is no import {id} you may see.");
        var errors = await store.ListErrorsAsync(id, ct);
        var sb = new StringBuilder("file,line,column,message,raw_text\r\n");
        foreach (var e in errors)
            sb.AppendJoin(',', new[] { e.FileName ?? import.FileName, e.LineNumber?.ToString(CultureInfo.InvariantCulture) ?? "", e.ColumnName ?? "", e.Message, e.RawText ?? "" }
                .Select(SafeCell)).Append("\r\n");
        return Results.File(Encoding.UTF8.GetBytes(sb.ToString()), "text/csv", $"import-{id}-errors.csv");
    }

    /// <summary>Quoted, and with a leading apostrophe where a spreadsheet would run the cell as a formula.</summary>
    static string SafeCell(string text)
    {
        if (text.Length > 0 && "=+-@\t\r".Contains(text[0])) text = "'" + text;
        return "\"" + text.Replace("\"", "\"\"") + "\"";
    }
}
