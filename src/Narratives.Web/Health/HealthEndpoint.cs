using Narratives.Core.Database;

namespace Narratives.Web.Health;

public sealed record HealthReport(string Status, DatabaseHealthReport Database, string Version);

public sealed record DatabaseHealthReport(string Status, bool Embedded, int? MigrationVersion, string? MigrationName, string? Error);

public static class HealthEndpoint
{
    /// <summary>GET /health: 200 with the database status and schema version, 503 when the database does not answer.</summary>
    public static void MapHealth(this WebApplication app) =>
        app.MapGet("/health", async (DatabaseHealth health, DatabaseConnection connection, CancellationToken ct) =>
        {
            var status = await health.CheckAsync(ct);
            var version = typeof(HealthEndpoint).Assembly.GetName().Version?.ToString() ?? "0";
            var report = new HealthReport(
                status.IsUp ? "healthy" : "unhealthy",
                new DatabaseHealthReport(status.IsUp ? "up" : "down", connection.IsEmbedded, status.MigrationVersion, status.MigrationName, status.Error),
                version);
            return Results.Json(report, statusCode: status.IsUp ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        }).ExcludeFromDescription();
}
