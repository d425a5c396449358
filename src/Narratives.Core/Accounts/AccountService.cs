using Dapper;
using Microsoft.AspNetCore.Identity;
using Narratives.Core.Audit;
using Npgsql;

namespace Narratives.Core.Accounts;

public sealed record NewUser(string Email, string DisplayName, string Role, string? OrganizationKey, string Password);

public sealed record UserSummary(
    Guid Id, string Email, string DisplayName, string? Role, long? OrganizationId, string? OrganizationName, bool IsDisabled,
    bool TwoFactorEnabled, DateTimeOffset CreatedAt, DateTimeOffset? LastSignInAt, DateTimeOffset? LockoutEnd);

public sealed record AccountResult(NarrativesUser? User, IReadOnlyList<string> Errors)
{
    public bool Succeeded => Errors.Count == 0;
    public static AccountResult Fail(params string[] errors) => new(null, errors);
}

/// <summary>Creating and disabling accounts, for the command line, the demo and the staff pages alike.</summary>
public sealed class AccountService(UserManager<NarrativesUser> users, NpgsqlDataSource db, AuditLog audit)
{
    public async Task<AccountResult> CreateUserAsync(NewUser request, Actor actor, CancellationToken ct = default)
    {
        var errors = new List<string>();
        var role = request.Role.Trim().ToLowerInvariant();
        if (!Roles.IsKnown(role))
            errors.Add($"Unknown role '{request.Role}'. Choose one of: {string.Join(", ", Roles.All)}.");
        if (string.IsNullOrWhiteSpace(request.Email) || !request.Email.Contains('@'))
            errors.Add("Give a valid email address.");

        long? organizationId = null;
        if (!string.IsNullOrWhiteSpace(request.OrganizationKey))
        {
            organizationId = await FindActiveOrganizationAsync(request.OrganizationKey.Trim(), ct);
            if (organizationId is null)
                errors.Add($"No active organization '{request.OrganizationKey}'. Use an organization key or exact name.");
        }
        else if (role == Roles.Partner)
        {
            errors.Add("A partner belongs to an organization: give its key or name.");
        }
        if (errors.Count > 0) return new AccountResult(null, errors);

        var email = request.Email.Trim();
        var user = new NarrativesUser
        {
            Email = email,
            UserName = email,
            DisplayName = string.IsNullOrWhiteSpace(request.DisplayName) ? email : request.DisplayName.Trim(),
            OrganizationId = organizationId,
        };
        var created = await users.CreateAsync(user, request.Password);
        if (!created.Succeeded) return new AccountResult(null, created.Errors.Select(e => e.Description).ToList());
        var added = await users.AddToRoleAsync(user, role);
        if (!added.Succeeded) return new AccountResult(null, added.Errors.Select(e => e.Description).ToList());

        await audit.RecordAsync(actor, "create", "user", user.Id.ToString(), null,
            new { user.Email, user.DisplayName, role, user.OrganizationId }, ct);
        return new AccountResult(user, []);
    }

    public async Task<IReadOnlyList<UserSummary>> ListAsync(CancellationToken ct = default)
    {
        const string sql = """
            SELECT u.id, u.email, u.display_name, (SELECT min(role_id) FROM user_roles r WHERE r.user_id = u.id) AS role,
                   u.organization_id, o.name AS organization_name, u.is_disabled, u.two_factor_enabled, u.created_at,
                   u.last_sign_in_at, u.lockout_end
            FROM users u LEFT JOIN organizations o ON o.id = u.organization_id
            ORDER BY u.email
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<UserSummary>(new CommandDefinition(sql, cancellationToken: ct))).AsList();
    }

    /// <summary>
    /// Disabling changes the security stamp, so open sessions end: the cookie within five minutes, an open dashboard
    /// at its next check.
    /// </summary>
    public async Task<AccountResult> SetDisabledAsync(Guid userId, bool disabled, Actor actor, CancellationToken ct = default)
    {
        var user = await users.FindByIdAsync(userId.ToString());
        if (user is null) return AccountResult.Fail("There is no such user.");
        if (disabled && actor.UserId == userId) return AccountResult.Fail("You cannot disable your own account.");
        if (user.IsDisabled == disabled) return new AccountResult(user, []);
        user.IsDisabled = disabled;
        var updated = await users.UpdateAsync(user);
        if (!updated.Succeeded) return AccountResult.Fail([.. updated.Errors.Select(e => e.Description)]);
        await users.UpdateSecurityStampAsync(user);
        await audit.RecordAsync(actor, disabled ? "disable" : "enable", "user", user.Id.ToString(),
            new { is_disabled = !disabled }, new { is_disabled = disabled }, ct);
        return new AccountResult(user, []);
    }

    /// <summary>Changes a person's role and organization (a partner must have one).</summary>
    public async Task<AccountResult> AssignAsync(Guid userId, string role, string? organizationKey, Actor actor, CancellationToken ct = default)
    {
        role = role.Trim().ToLowerInvariant();
        if (!Roles.IsKnown(role)) return AccountResult.Fail($"Unknown role '{role}'. Choose one of: {string.Join(", ", Roles.All)}.");
        var user = await users.FindByIdAsync(userId.ToString());
        if (user is null) return AccountResult.Fail("There is no such user.");
        if (actor.UserId == userId && role != Roles.Staff) return AccountResult.Fail("You cannot take away your own staff role.");
        long? organizationId = null;
        if (!string.IsNullOrWhiteSpace(organizationKey))
        {
            organizationId = await FindActiveOrganizationAsync(organizationKey.Trim(), ct);
            if (organizationId is null) return AccountResult.Fail($"No active organization '{organizationKey}'.");
        }
        else if (role == Roles.Partner)
        {
            return AccountResult.Fail("A partner belongs to an organization: choose one.");
        }

        var before = new { role = (await users.GetRolesAsync(user)).FirstOrDefault(), user.OrganizationId };
        const string sql = """
            DELETE FROM user_roles WHERE user_id = @id;
            INSERT INTO user_roles (user_id, role_id) VALUES (@id, @role);
            UPDATE users SET organization_id = @organizationId, security_stamp = @stamp, concurrency_stamp = @stamp WHERE id = @id;
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition(sql, new { id = userId, role, organizationId, stamp = Guid.NewGuid().ToString("N") }, tx, cancellationToken: ct));
        await AuditLog.RecordAsync(conn, tx, actor, "update", "user", userId.ToString(), before, new { role, OrganizationId = organizationId }, ct);
        await tx.CommitAsync(ct);
        return new AccountResult(await users.FindByIdAsync(userId.ToString()), []);
    }

    public async Task<bool> AnyUsersAsync(CancellationToken ct = default)
    {
        const string sql = "SELECT EXISTS (SELECT 1 FROM users)";
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.ExecuteScalarAsync<bool>(new CommandDefinition(sql, cancellationToken: ct));
    }

    async Task<long?> FindActiveOrganizationAsync(string keyOrName, CancellationToken ct)
    {
        const string sql = "SELECT id FROM organizations WHERE is_active AND (key = @keyOrName OR lower(name) = lower(@keyOrName))";
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.ExecuteScalarAsync<long?>(new CommandDefinition(sql, new { keyOrName }, cancellationToken: ct));
    }
}
