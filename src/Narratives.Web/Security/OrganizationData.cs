using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Narratives.Core.Accounts;
using Narratives.Core.Audit;

namespace Narratives.Web.Security;

/// <summary>Data that belongs to one organization (a campaign, its content, its imports), named by that organization's id.</summary>
public sealed record OrganizationOwned(long OrganizationId, string EntityType, string EntityId);

/// <summary>
/// Changing an organization's data: staff may change any; a partner (person or API key) only their own organization's.
/// Use with <c>IAuthorizationService.AuthorizeAsync(user, new OrganizationOwned(...), Policies.ChangeOrganizationData)</c>;
/// a refusal is written to the audit log. Lists for partners are scoped to their organization in SQL, not filtered here.
/// </summary>
public sealed class ChangeOrganizationDataRequirement : IAuthorizationRequirement;

public sealed class ChangeOrganizationDataHandler(AuditLog audit) : AuthorizationHandler<ChangeOrganizationDataRequirement, OrganizationOwned>
{
    protected override async Task HandleRequirementAsync(AuthorizationHandlerContext context, ChangeOrganizationDataRequirement requirement, OrganizationOwned resource)
    {
        var user = context.User;
        if (user.IsInRole(Roles.Staff) || (user.IsInRole(Roles.Partner) && OrganizationOf(user) == resource.OrganizationId))
        {
            context.Succeed(requirement);
            return;
        }
        await audit.RecordAsync(ActionGuard.ActorOf(user), "access_denied", resource.EntityType, resource.EntityId, null,
            new { organization_id = resource.OrganizationId, caller_organization_id = OrganizationOf(user) });
    }

    public static long? OrganizationOf(ClaimsPrincipal user) =>
        long.TryParse(user.FindFirstValue(Policies.OrganizationClaim), System.Globalization.NumberStyles.None,
            System.Globalization.CultureInfo.InvariantCulture, out var id) ? id : null;
}
