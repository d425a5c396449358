using Dapper;
using Microsoft.AspNetCore.Identity;
using Npgsql;

namespace Narratives.Core.Accounts;

/// <summary>ASP.NET Core Identity's user store on PostgreSQL, through Dapper (no Entity Framework).</summary>
public sealed class UserStore(NpgsqlDataSource db) :
    IUserPasswordStore<NarrativesUser>,
    IUserEmailStore<NarrativesUser>,
    IUserSecurityStampStore<NarrativesUser>,
    IUserLockoutStore<NarrativesUser>,
    IUserRoleStore<NarrativesUser>,
    IUserTwoFactorStore<NarrativesUser>,
    IUserAuthenticatorKeyStore<NarrativesUser>,
    IUserTwoFactorRecoveryCodeStore<NarrativesUser>,
    IUserPhoneNumberStore<NarrativesUser>
{
    const string Columns = """
        id, email, normalized_email, user_name, normalized_user_name, display_name, password_hash, security_stamp,
        concurrency_stamp, organization_id, two_factor_enabled, authenticator_key, recovery_codes, lockout_enabled,
        lockout_end, access_failed_count, is_disabled, created_at, last_sign_in_at
        """;

    public void Dispose() { }

    // ---------- IUserStore

    public async Task<IdentityResult> CreateAsync(NarrativesUser user, CancellationToken ct)
    {
        const string sql = $"""
            INSERT INTO users ({Columns})
            VALUES (@Id, @Email, @NormalizedEmail, @UserName, @NormalizedUserName, @DisplayName, @PasswordHash, @SecurityStamp,
                    @ConcurrencyStamp, @OrganizationId, @TwoFactorEnabled, @AuthenticatorKey, @RecoveryCodes, @LockoutEnabled,
                    @LockoutEnd, @AccessFailedCount, @IsDisabled, @CreatedAt, @LastSignInAt)
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        try
        {
            await conn.ExecuteAsync(new CommandDefinition(sql, user, cancellationToken: ct));
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            return IdentityResult.Failed(new IdentityError { Code = "DuplicateEmail", Description = $"A user with the email {user.Email} already exists." });
        }
        return IdentityResult.Success;
    }

    public async Task<IdentityResult> UpdateAsync(NarrativesUser user, CancellationToken ct)
    {
        // Optimistic concurrency: the row is updated only if nobody changed it since it was read.
        const string sql = """
            UPDATE users SET email = @Email, normalized_email = @NormalizedEmail, user_name = @UserName,
                normalized_user_name = @NormalizedUserName, display_name = @DisplayName, password_hash = @PasswordHash,
                security_stamp = @SecurityStamp, concurrency_stamp = @NewStamp, organization_id = @OrganizationId,
                two_factor_enabled = @TwoFactorEnabled, authenticator_key = @AuthenticatorKey, recovery_codes = @RecoveryCodes,
                lockout_enabled = @LockoutEnabled, lockout_end = @LockoutEnd, access_failed_count = @AccessFailedCount,
                is_disabled = @IsDisabled, last_sign_in_at = @LastSignInAt
            WHERE id = @Id AND concurrency_stamp = @ConcurrencyStamp
            """;
        var newStamp = Guid.NewGuid().ToString("N");
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = await conn.ExecuteAsync(new CommandDefinition(sql, new
        {
            user.Id, user.Email, user.NormalizedEmail, user.UserName, user.NormalizedUserName, user.DisplayName, user.PasswordHash,
            user.SecurityStamp, NewStamp = newStamp, user.OrganizationId, user.TwoFactorEnabled, user.AuthenticatorKey,
            user.RecoveryCodes, user.LockoutEnabled, user.LockoutEnd, user.AccessFailedCount, user.IsDisabled, user.LastSignInAt,
            user.ConcurrencyStamp,
        }, cancellationToken: ct));
        if (rows == 0)
            return IdentityResult.Failed(new IdentityError { Code = "ConcurrencyFailure", Description = "Someone else changed this user meanwhile; reload and try again." });
        user.ConcurrencyStamp = newStamp;
        return IdentityResult.Success;
    }

    public async Task<IdentityResult> DeleteAsync(NarrativesUser user, CancellationToken ct)
    {
        const string sql = "DELETE FROM users WHERE id = @Id";
        await using var conn = await db.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition(sql, new { user.Id }, cancellationToken: ct));
        return IdentityResult.Success;
    }

    public async Task<NarrativesUser?> FindByIdAsync(string userId, CancellationToken ct)
    {
        if (!Guid.TryParse(userId, out var id)) return null;
        const string sql = $"SELECT {Columns} FROM users WHERE id = @id";
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<NarrativesUser>(new CommandDefinition(sql, new { id }, cancellationToken: ct));
    }

    public async Task<NarrativesUser?> FindByNameAsync(string normalizedUserName, CancellationToken ct)
    {
        const string sql = $"SELECT {Columns} FROM users WHERE normalized_user_name = @normalizedUserName";
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<NarrativesUser>(new CommandDefinition(sql, new { normalizedUserName }, cancellationToken: ct));
    }

    public async Task<NarrativesUser?> FindByEmailAsync(string normalizedEmail, CancellationToken ct)
    {
        const string sql = $"SELECT {Columns} FROM users WHERE normalized_email = @normalizedEmail";
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<NarrativesUser>(new CommandDefinition(sql, new { normalizedEmail }, cancellationToken: ct));
    }

    public Task<string> GetUserIdAsync(NarrativesUser user, CancellationToken ct) => Task.FromResult(user.Id.ToString());
    public Task<string?> GetUserNameAsync(NarrativesUser user, CancellationToken ct) => Task.FromResult<string?>(user.UserName);
    public Task SetUserNameAsync(NarrativesUser user, string? userName, CancellationToken ct) { user.UserName = userName ?? ""; return Task.CompletedTask; }
    public Task<string?> GetNormalizedUserNameAsync(NarrativesUser user, CancellationToken ct) => Task.FromResult<string?>(user.NormalizedUserName);
    public Task SetNormalizedUserNameAsync(NarrativesUser user, string? normalizedName, CancellationToken ct) { user.NormalizedUserName = normalizedName ?? ""; return Task.CompletedTask; }

    // ---------- password, email, stamp

    public Task SetPasswordHashAsync(NarrativesUser user, string? passwordHash, CancellationToken ct) { user.PasswordHash = passwordHash; return Task.CompletedTask; }
    public Task<string?> GetPasswordHashAsync(NarrativesUser user, CancellationToken ct) => Task.FromResult(user.PasswordHash);
    public Task<bool> HasPasswordAsync(NarrativesUser user, CancellationToken ct) => Task.FromResult(user.PasswordHash is not null);

    public Task SetEmailAsync(NarrativesUser user, string? email, CancellationToken ct) { user.Email = email ?? ""; return Task.CompletedTask; }
    public Task<string?> GetEmailAsync(NarrativesUser user, CancellationToken ct) => Task.FromResult<string?>(user.Email);
    // Accounts are created by staff or the command line for known addresses, so every email counts as confirmed.
    public Task<bool> GetEmailConfirmedAsync(NarrativesUser user, CancellationToken ct) => Task.FromResult(true);
    public Task SetEmailConfirmedAsync(NarrativesUser user, bool confirmed, CancellationToken ct) => Task.CompletedTask;
    public Task<string?> GetNormalizedEmailAsync(NarrativesUser user, CancellationToken ct) => Task.FromResult<string?>(user.NormalizedEmail);
    public Task SetNormalizedEmailAsync(NarrativesUser user, string? normalizedEmail, CancellationToken ct) { user.NormalizedEmail = normalizedEmail ?? ""; return Task.CompletedTask; }

    public Task SetSecurityStampAsync(NarrativesUser user, string stamp, CancellationToken ct) { user.SecurityStamp = stamp; return Task.CompletedTask; }
    public Task<string?> GetSecurityStampAsync(NarrativesUser user, CancellationToken ct) => Task.FromResult<string?>(user.SecurityStamp);

    // ---------- lockout

    public Task<DateTimeOffset?> GetLockoutEndDateAsync(NarrativesUser user, CancellationToken ct) => Task.FromResult(user.LockoutEnd);
    public Task SetLockoutEndDateAsync(NarrativesUser user, DateTimeOffset? lockoutEnd, CancellationToken ct) { user.LockoutEnd = lockoutEnd; return Task.CompletedTask; }
    public Task<int> IncrementAccessFailedCountAsync(NarrativesUser user, CancellationToken ct) => Task.FromResult(++user.AccessFailedCount);
    public Task ResetAccessFailedCountAsync(NarrativesUser user, CancellationToken ct) { user.AccessFailedCount = 0; return Task.CompletedTask; }
    public Task<int> GetAccessFailedCountAsync(NarrativesUser user, CancellationToken ct) => Task.FromResult(user.AccessFailedCount);
    public Task<bool> GetLockoutEnabledAsync(NarrativesUser user, CancellationToken ct) => Task.FromResult(user.LockoutEnabled);
    public Task SetLockoutEnabledAsync(NarrativesUser user, bool enabled, CancellationToken ct) { user.LockoutEnabled = enabled; return Task.CompletedTask; }

    // ---------- roles (fixed set: staff, partner, researcher)

    public async Task AddToRoleAsync(NarrativesUser user, string roleName, CancellationToken ct)
    {
        var role = roleName.ToLowerInvariant();
        if (!Roles.IsKnown(role)) throw new InvalidOperationException($"Unknown role '{roleName}'. Roles: {string.Join(", ", Roles.All)}.");
        const string sql = "INSERT INTO user_roles (user_id, role_id) VALUES (@Id, @role) ON CONFLICT DO NOTHING";
        await using var conn = await db.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition(sql, new { user.Id, role }, cancellationToken: ct));
    }

    public async Task RemoveFromRoleAsync(NarrativesUser user, string roleName, CancellationToken ct)
    {
        const string sql = "DELETE FROM user_roles WHERE user_id = @Id AND role_id = @role";
        await using var conn = await db.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition(sql, new { user.Id, role = roleName.ToLowerInvariant() }, cancellationToken: ct));
    }

    public async Task<IList<string>> GetRolesAsync(NarrativesUser user, CancellationToken ct)
    {
        const string sql = "SELECT role_id FROM user_roles WHERE user_id = @Id ORDER BY role_id";
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<string>(new CommandDefinition(sql, new { user.Id }, cancellationToken: ct))).ToList();
    }

    public async Task<bool> IsInRoleAsync(NarrativesUser user, string roleName, CancellationToken ct) =>
        (await GetRolesAsync(user, ct)).Contains(roleName.ToLowerInvariant());

    public async Task<IList<NarrativesUser>> GetUsersInRoleAsync(string roleName, CancellationToken ct)
    {
        const string sql = $"SELECT {Columns} FROM users WHERE id IN (SELECT user_id FROM user_roles WHERE role_id = @role) ORDER BY email";
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<NarrativesUser>(new CommandDefinition(sql, new { role = roleName.ToLowerInvariant() }, cancellationToken: ct))).ToList();
    }

    // ---------- two-factor

    public Task SetTwoFactorEnabledAsync(NarrativesUser user, bool enabled, CancellationToken ct) { user.TwoFactorEnabled = enabled; return Task.CompletedTask; }
    public Task<bool> GetTwoFactorEnabledAsync(NarrativesUser user, CancellationToken ct) => Task.FromResult(user.TwoFactorEnabled);
    public Task SetAuthenticatorKeyAsync(NarrativesUser user, string key, CancellationToken ct) { user.AuthenticatorKey = key; return Task.CompletedTask; }
    public Task<string?> GetAuthenticatorKeyAsync(NarrativesUser user, CancellationToken ct) => Task.FromResult(user.AuthenticatorKey);

    public Task ReplaceCodesAsync(NarrativesUser user, IEnumerable<string> recoveryCodes, CancellationToken ct)
    {
        user.RecoveryCodes = string.Join(';', recoveryCodes);
        return Task.CompletedTask;
    }

    public async Task<bool> RedeemCodeAsync(NarrativesUser user, string code, CancellationToken ct)
    {
        var codes = (user.RecoveryCodes ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries).ToList();
        if (!codes.Remove(code)) return false;
        user.RecoveryCodes = string.Join(';', codes);
        return (await UpdateAsync(user, ct)).Succeeded;
    }

    public Task<int> CountCodesAsync(NarrativesUser user, CancellationToken ct) =>
        Task.FromResult((user.RecoveryCodes ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries).Length);

    // ---------- phone: Narratives keeps no phone numbers; Identity's SMS provider asks, and is told there is none.

    public Task SetPhoneNumberAsync(NarrativesUser user, string? phoneNumber, CancellationToken ct) =>
        throw new NotSupportedException("Narratives does not keep phone numbers; use an authenticator app.");
    public Task<string?> GetPhoneNumberAsync(NarrativesUser user, CancellationToken ct) => Task.FromResult<string?>(null);
    public Task<bool> GetPhoneNumberConfirmedAsync(NarrativesUser user, CancellationToken ct) => Task.FromResult(false);
    public Task SetPhoneNumberConfirmedAsync(NarrativesUser user, bool confirmed, CancellationToken ct) => Task.CompletedTask;
}
