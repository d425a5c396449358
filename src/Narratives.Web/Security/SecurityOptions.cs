namespace Narratives.Web.Security;

public sealed class SecurityOptions
{
    public const string Section = "Narratives:Security";

    /// <summary>Staff must sign in with an authenticator app. Unset: required, except in demo mode.</summary>
    public bool? RequireStaffMfa { get; set; }

    /// <summary>How often an open dashboard rechecks that its user is still allowed in (disabled users are thrown out).</summary>
    public int CircuitRevalidationSeconds { get; set; } = 60;

    /// <summary>Sign-in attempts one address may make per minute before it gets 429.</summary>
    public int SignInAttemptsPerMinute { get; set; } = 10;

    /// <summary>API requests one key (or address, without a key) may make per minute before it gets 429.</summary>
    public int ApiRequestsPerMinute { get; set; } = 120;
}
