using Dapper;
using Microsoft.AspNetCore.Identity;
using Narratives.Core.Audit;
using Npgsql;

namespace Narratives.Core.Accounts;

public sealed record NewUser(string Email, string DisplayName, string Role, string? OrganizationKey, string Password);

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
