using System.Security.Cryptography;
using System.Text;
using Dapper;
using Narratives.Core.Audit;
using Npgsql;

namespace Narratives.Core.Accounts;

public sealed record ApiKeySummary(
    long Id, long OrganizationId, string OrganizationName, string Name, string Prefix, DateTimeOffset CreatedAt,
    DateTimeOffset? ExpiresAt, DateTimeOffset? LastUsedAt, DateTimeOffset? RevokedAt);

public sealed record ApiKeyCaller(long KeyId, long OrganizationId, string OrganizationName, string Name);

/// <summary>Why a presented key did not work; said to the caller as it is.</summary>
public sealed record ApiKeyCheck(ApiKeyCaller? Caller, string? Problem);

/// <summary>
/// Organization API keys. A key is shown once, when it is made; only its SHA-256 hash is kept (keys are long random
/// secrets, so a slow hash adds nothing), with a short prefix to find it by.
/// </summary>
public sealed class ApiKeyStore(NpgsqlDataSource db)
{
    public const string KeyStart = "nar_";

    public async Task<Outcome<(ApiKeySummary Key, string Secret)>> CreateAsync(long organizationId, string name, DateTimeOffset? expiresAt,
        Actor actor, CancellationToken ct = default)
    {
        name = name.Trim();
        if (name.Length is 0 or > 100) return Outcome<(ApiKeySummary, string)>.Invalid("Name", "Name the key (1 to 100 characters), e.g. 'Upload script'.");
        if (expiresAt is { } e && e <= DateTimeOffset.UtcNow) return Outcome<(ApiKeySummary, string)>.Invalid("ExpiresAt", "The expiry date must be in the future.");

        var prefix = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(5));
        var secret = $"{KeyStart}{prefix}_{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32))}";
        const string sql = """
            WITH created AS (
                INSERT INTO api_keys (organization_id, name, prefix, key_hash, created_by, expires_at)
                SELECT o.id, @name, @prefix, @hash, @UserId, @expiresAt FROM organizations o WHERE o.id = @organizationId AND o.is_active
                RETURNING id, organization_id, name, prefix, created_at, expires_at, last_used_at, revoked_at)
            SELECT c.id, c.organization_id, o.name AS organization_name, c.name, c.prefix, c.created_at, c.expires_at, c.last_used_at, c.revoked_at
            FROM created c JOIN organizations o ON o.id = c.organization_id
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var key = await conn.QuerySingleOrDefaultAsync<ApiKeySummary>(new CommandDefinition(sql,
            new { name, prefix, hash = Hash(secret), actor.UserId, expiresAt, organizationId }, tx, cancellationToken: ct));
        if (key is null) return Outcome<(ApiKeySummary, string)>.Invalid("OrganizationId", "Choose an active organization.");
        await AuditLog.RecordAsync(conn, tx, actor, "create", "api_key", key.Id.ToString(), null, key, ct);
        await tx.CommitAsync(ct);
        return Outcome<(ApiKeySummary, string)>.Ok((key, secret));
    }

    public async Task<IReadOnlyList<ApiKeySummary>> ListAsync(long? organizationId = null, CancellationToken ct = default)
    {
        const string sql = """
            SELECT k.id, k.organization_id, o.name AS organization_name, k.name, k.prefix, k.created_at, k.expires_at, k.last_used_at, k.revoked_at
            FROM api_keys k JOIN organizations o ON o.id = k.organization_id
            WHERE @organizationId::bigint IS NULL OR k.organization_id = @organizationId
            ORDER BY o.name, k.created_at DESC
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<ApiKeySummary>(new CommandDefinition(sql, new { organizationId }, cancellationToken: ct))).AsList();
    }

    public async Task<bool> RevokeAsync(long id, Actor actor, CancellationToken ct = default)
    {
        const string sql = "UPDATE api_keys SET revoked_at = now() WHERE id = @id AND revoked_at IS NULL RETURNING id, name, prefix, revoked_at";
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var revoked = await conn.QuerySingleOrDefaultAsync<(long Id, string Name, string Prefix, DateTime RevokedAt)?>(
            new CommandDefinition(sql, new { id }, tx, cancellationToken: ct));
        if (revoked is null) return false;
        await AuditLog.RecordAsync(conn, tx, actor, "revoke", "api_key", id.ToString(), new { revoked_at = (DateTime?)null },
            new { revoked.Value.Name, revoked.Value.Prefix, revoked_at = revoked.Value.RevokedAt }, ct);
        await tx.CommitAsync(ct);
        return true;
    }

    /// <summary>Checks a presented key and notes when it was last used.</summary>
    public async Task<ApiKeyCheck> CheckAsync(string presented, CancellationToken ct = default)
    {
        var parts = presented.Trim().Split('_');
        if (parts.Length != 3 || parts[0] + "_" != KeyStart || parts[1].Length != 10)
            return new ApiKeyCheck(null, "This is not a Narratives API key. Keys look like nar_0123456789_… and are created by the secretariat.");

        const string sql = """
            SELECT k.id, k.organization_id, o.name AS organization_name, k.name, k.key_hash, k.expires_at, k.revoked_at, o.is_active
            FROM api_keys k JOIN organizations o ON o.id = k.organization_id
            WHERE k.prefix = @prefix
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        var row = await conn.QuerySingleOrDefaultAsync<KeyRow>(new CommandDefinition(sql, new { prefix = parts[1] }, cancellationToken: ct));
        if (row is null || !CryptographicOperations.FixedTimeEquals(row.KeyHash, Hash(presented.Trim())))
            return new ApiKeyCheck(null, "Unknown API key.");
        if (row.RevokedAt is { } revoked)
            return new ApiKeyCheck(null, $"This API key was revoked on {revoked:yyyy-MM-dd}. Ask the secretariat for a new one.");
        if (row.ExpiresAt is { } expired && expired <= DateTimeOffset.UtcNow)
            return new ApiKeyCheck(null, $"This API key expired on {expired:yyyy-MM-dd}. Ask the secretariat for a new one.");
        if (!row.IsActive)
            return new ApiKeyCheck(null, "The organization of this API key is deactivated.");

        const string touch = "UPDATE api_keys SET last_used_at = now() WHERE id = @Id AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')";
        await conn.ExecuteAsync(new CommandDefinition(touch, new { row.Id }, cancellationToken: ct));
        return new ApiKeyCheck(new ApiKeyCaller(row.Id, row.OrganizationId, row.OrganizationName, row.Name), null);
    }

    sealed record KeyRow(long Id, long OrganizationId, string OrganizationName, string Name, byte[] KeyHash, DateTimeOffset? ExpiresAt,
        DateTimeOffset? RevokedAt, bool IsActive);

    static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}
