using Dapper;
using Npgsql;

namespace Narratives.Core.Database;

public sealed record DatabaseStatus(bool IsUp, int? MigrationVersion, string? MigrationName, string? Error);

/// <summary>Answers whether the database answers, and at which migration it is.</summary>
public sealed class DatabaseHealth(NpgsqlDataSource db)
{
    public async Task<DatabaseStatus> CheckAsync(CancellationToken ct = default)
    {
        const string sql = "SELECT version, name FROM schema_migrations ORDER BY version DESC LIMIT 1";
        try
        {
            await using var conn = await db.OpenConnectionAsync(ct);
            var row = await conn.QuerySingleOrDefaultAsync<(int Version, string Name)?>(new CommandDefinition(sql, cancellationToken: ct));
            return new DatabaseStatus(true, row?.Version, row?.Name, null);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or System.Net.Sockets.SocketException)
        {
            // Health reports an unreachable database as a status; it is the one place that must not throw.
            return new DatabaseStatus(false, null, null, ex.Message);
        }
    }
}
