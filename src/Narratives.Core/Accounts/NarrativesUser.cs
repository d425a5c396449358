namespace Narratives.Core.Accounts;

/// <summary>The three kinds of people who use Narratives.</summary>
public static class Roles
{
    public const string Staff = "staff";
    public const string Partner = "partner";
    public const string Researcher = "researcher";

    public static readonly string[] All = [Staff, Partner, Researcher];

    public static bool IsKnown(string role) => All.Contains(role);
}

/// <summary>
/// A person who signs in. Mutable because ASP.NET Core Identity's UserManager changes users in place before it asks
/// the store to save them.
/// </summary>
public sealed class NarrativesUser
{
    public Guid Id { get; set; } = Guid.NewGuid();
    public string Email { get; set; } = "";
    public string NormalizedEmail { get; set; } = "";
    public string UserName { get; set; } = "";
    public string NormalizedUserName { get; set; } = "";
    public string DisplayName { get; set; } = "";
    public string? PasswordHash { get; set; }
    public string SecurityStamp { get; set; } = Guid.NewGuid().ToString("N");
    public string ConcurrencyStamp { get; set; } = Guid.NewGuid().ToString("N");
    public long? OrganizationId { get; set; }
    public bool TwoFactorEnabled { get; set; }
    public string? AuthenticatorKey { get; set; }
    public string? RecoveryCodes { get; set; }
    public bool LockoutEnabled { get; set; } = true;
    public DateTimeOffset? LockoutEnd { get; set; }
    public int AccessFailedCount { get; set; }
    public bool IsDisabled { get; set; }
    public DateTimeOffset CreatedAt { get; set; } = DateTimeOffset.UtcNow;
    public DateTimeOffset? LastSignInAt { get; set; }
}

public sealed class NarrativesRole
{
    public string Id { get; set; } = "";
    public string Name { get; set; } = "";
}
