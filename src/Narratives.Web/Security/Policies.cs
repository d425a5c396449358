using Microsoft.AspNetCore.Authorization;
using Narratives.Core.Accounts;

namespace Narratives.Web.Security;

/// <summary>The named authorization policies; every page, action and endpoint uses one of them.</summary>
public static class Policies
{
    /// <summary>Any signed-in person: staff, partner or researcher.</summary>
    public const string SignedIn = "signed-in";
    /// <summary>The committee's secretariat.</summary>
    public const string Staff = "staff";
    /// <summary>A partner organization's people (they propose; staff decide).</summary>
    public const string Partner = "partner";
    /// <summary>People who change campaign data: staff, and partners for their own organization.</summary>
    public const string StaffOrPartner = "staff-or-partner";

    /// <summary>Changing data that belongs to an organization (resource: <see cref="OrganizationOwned"/>).</summary>
    public const string ChangeOrganizationData = "change-organization-data";

    public const string OrganizationClaim = "narratives:organization";

    public static void Add(AuthorizationOptions options)
    {
        options.AddPolicy(SignedIn, p => p.RequireAuthenticatedUser().RequireRole(Roles.All));
        options.AddPolicy(Staff, p => p.RequireAuthenticatedUser().RequireRole(Roles.Staff));
        options.AddPolicy(Partner, p => p.RequireAuthenticatedUser().RequireRole(Roles.Partner).RequireClaim(OrganizationClaim));
        options.AddPolicy(StaffOrPartner, p => p.RequireAuthenticatedUser().RequireRole(Roles.Staff, Roles.Partner));
        options.AddPolicy(ChangeOrganizationData, p => p.RequireAuthenticatedUser().AddRequirements(new ChangeOrganizationDataRequirement()));
        options.DefaultPolicy = options.GetPolicy(SignedIn)!;
        options.FallbackPolicy = null; // endpoints say what they need; pages get SignedIn through _Imports.razor
    }
}
