using System.Text.Json;
using Dapper;
using Npgsql;

namespace Narratives.Core.Audit;

/// <summary>Who did something: a signed-in person, an organization's API key, or the system itself.</summary>
public sealed record Actor(Guid? UserId, long? ApiKeyId, string Label, string? RemoteAddress = null)
{
    public static Actor System(string label) => new(null, null, label);
}

public sealed record AuditEntry(
    long Id, DateTimeOffset OccurredAt, Guid? ActorUserId, long? ActorApiKeyId, string ActorLabel, string Action,
    string EntityType, string EntityId, string? Before, string? After, string? RemoteAddress);

public sealed record AuditFilter(string? EntityType = null, string? EntityId = null, string? Action = null, Guid? ActorUserId = null,
    DateTimeOffset? From = null, DateTimeOffset? To = null, int Page = 0, int PageSize = 50);

/// <summary>Every create, update and delete records who, when, what, and the values before and after.</summary>
public sealed class AuditLog(NpgsqlDataSource db)
{
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task RecordAsync(Actor actor, string action, string entityType, string entityId, object? before, object? after,
        CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await RecordAsync(conn, null, actor, action, entityType, entityId, before, after, ct);
    }

    /// <summary>Records inside the caller's transaction, so the change and its audit entry commit together.</summary>
    public static async Task RecordAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, Actor actor, string action, string entityType,
        string entityId, object? before, object? after, CancellationToken ct = default)
    {
        const string sql = """
            INSERT INTO audit_log (actor_user_id, actor_api_key_id, actor_label, action, entity_type, entity_id, before, after, remote_address)
            VALUES (@UserId, @ApiKeyId, @Label, @action, @entityType, @entityId, @before::jsonb, @after::jsonb, @RemoteAddress)
            """;
        await conn.ExecuteAsync(new CommandDefinition(sql, new
        {
            actor.UserId, actor.ApiKeyId, actor.Label, actor.RemoteAddress, action, entityType, entityId,
            before = before is null ? null : JsonSerializer.Serialize(before, Json),
            after = after is null ? null : JsonSerializer.Serialize(after, Json),
        }, tx, cancellationToken: ct));
    }

    public async Task<IReadOnlyList<AuditEntry>> ListPageAsync(AuditFilter filter, CancellationToken ct = default)
    {
        const string sql = """
            SELECT id, occurred_at, actor_user_id, actor_api_key_id, actor_label, action, entity_type, entity_id,
                   before::text AS before, after::text AS after, remote_address
            FROM audit_log
            WHERE (@EntityType::text IS NULL OR entity_type = @EntityType)
              AND (@EntityId::text IS NULL OR entity_id = @EntityId)
              AND (@Action::text IS NULL OR action = @Action)
              AND (@ActorUserId::uuid IS NULL OR actor_user_id = @ActorUserId)
              AND (@From::timestamptz IS NULL OR occurred_at >= @From)
              AND (@To::timestamptz IS NULL OR occurred_at < @To)
            ORDER BY occurred_at DESC, id DESC
            LIMIT @PageSize OFFSET @Offset
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<AuditEntry>(new CommandDefinition(sql, new
        {
            filter.EntityType, filter.EntityId, filter.Action, filter.ActorUserId, filter.From, filter.To,
            PageSize = Math.Clamp(filter.PageSize, 1, 500), Offset = Math.Max(0, filter.Page) * Math.Clamp(filter.PageSize, 1, 500),
        }, cancellationToken: ct))).AsList();
    }
}
