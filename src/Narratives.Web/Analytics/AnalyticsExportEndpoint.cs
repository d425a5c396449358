using Narratives.Core.Analytics;
using Narratives.Core.Reference;
using Narratives.Web.Campaigns;
using Narratives.Web.Security;

namespace Narratives.Web.Analytics;

/// <summary>
/// GET /analytics/export.csv|xlsx?widget=…&amp;(filters): the numbers behind a chart, for exactly the filters in its
/// address and only the campaigns the visitor may see.
/// </summary>
public static class AnalyticsExportEndpoint
{
    static readonly Dictionary<string, (Dimension By, Dimension Then)> Widgets = new()
    {
        ["series"] = (Dimension.Day, Dimension.Platform),
        ["themes"] = (Dimension.Theme, Dimension.None),
        ["theme-audience"] = (Dimension.Theme, Dimension.Audience),
        ["platforms"] = (Dimension.Platform, Dimension.None),
        ["campaigns"] = (Dimension.Campaign, Dimension.None),
    };

    public static void MapAnalyticsExport(this WebApplication app) =>
        app.MapGet("/analytics/export.{format}", async (string format, string? widget, string? by, string? then, HttpContext http, AnalyticsStore store,
            Taxonomy taxonomy, TimeProvider clock, CancellationToken ct) =>
        {
            if (format is not ("csv" or "xlsx"))
                return Results.Problem(statusCode: 404, title: "Unknown format", detail: "Download as export.csv or export.xlsx.");
            var query = http.Request.Query.ToDictionary(q => q.Key, q => (string?)q.Value.ToString());
            var view = AnalyticsView.Parse(query, taxonomy, await store.LastDayAsync(ct) ?? DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime));
            var viewer = CampaignGate.ViewerOf(http.User);

            string[] header;
            IEnumerable<object?[]> rows;
            if (widget == "map")
            {
                header = ["country", "name", "initiatives"];
                rows = (await store.InitiativesByCountryAsync(view.Filter, ct)).Select(c => new object?[] { c.Country, c.Name, c.Initiatives });
            }
            else if (widget == "top-content")
            {
                header = ["content_item_id", "campaign", "platform", "theme", "audiences", "reviewed", "impressions", "engagements", "text"];
                rows = (await store.TopContentAsync(view.Filter, viewer, 50, ct: ct)).Select(c => new object?[]
                    { c.Id, c.CampaignName, c.Platform, c.Theme, string.Join(";", c.Audiences), c.Reviewed ? "yes" : "no", c.Impressions, c.Engagements, c.Text });
            }
            else
            {
                (Dimension By, Dimension Then) dims;
                if (widget is not null && Widgets.TryGetValue(widget, out var known)) dims = known;
                else if (widget == "explorer" && Enum.TryParse<Dimension>(by, true, out var b) && b != Dimension.None)
                    dims = (b, Enum.TryParse<Dimension>(then, true, out var t) ? t : Dimension.None);
                else
                    return Results.ValidationProblem(new Dictionary<string, string[]>
                    {
                        ["widget"] = [$"Use one of: {string.Join(", ", Widgets.Keys.Append("map").Append("top-content").Append("explorer"))}."],
                    });
                if ((dims.By == Dimension.Audience || dims.Then == Dimension.Audience) && (dims.By == Dimension.Language || dims.Then == Dimension.Language))
                    return Results.ValidationProblem(new Dictionary<string, string[]> { ["then"] = ["Audience and language cannot be combined."] });
                var filter = dims.By == Dimension.Audience || dims.Then == Dimension.Audience ? view.Filter with { Language = null } : view.Filter;
                var breakdown = await store.BreakdownAsync(filter, viewer, dims.By, dims.Then, ct: ct);
                var withSecond = dims.Then != Dimension.None;
                header = AnalyticsFiles.Header(dims.By.ToString().ToLowerInvariant(), withSecond ? dims.Then.ToString().ToLowerInvariant() : null);
                rows = breakdown.Select(r => AnalyticsFiles.Row(r, withSecond));
            }

            var name = $"narratives-{widget}-{view.Filter.From:yyyy-MM-dd}-{view.Filter.To:yyyy-MM-dd}.{format}";
            http.Response.Headers.ContentDisposition = $"attachment; filename=\"{name}\"";
            if (format == "csv")
            {
                http.Response.ContentType = "text/csv; charset=utf-8";
                await AnalyticsFiles.WriteCsvAsync(header, rows.ToList(), http.Response.Body, ct);
            }
            else
            {
                http.Response.ContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
                using var buffer = new MemoryStream();
                AnalyticsFiles.WriteXlsx(header, rows, buffer);
                buffer.Position = 0;
                await buffer.CopyToAsync(http.Response.Body, ct);
            }
            return Results.Empty;
        })
        .RequireAuthorization(Policies.SignedIn)
        .ExcludeFromDescription();
}
