using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Narratives.Core.Accounts;
using Narratives.Core.Audit;
using Narratives.Core.Campaigns;
using Narratives.Web.Security;

namespace Narratives.Web.Campaigns;

/// <summary>
/// Who may see and change a campaign, decided on the server for pages, component actions and the API alike. A campaign
/// the visitor may not see answers exactly as a missing one (nothing leaks); the attempt is written to the audit log.
/// </summary>
public sealed class CampaignGate(CampaignStore store, AuditLog audit, IAuthorizationService authorization, ILogger<CampaignGate> logger)
{
    public static CampaignViewer ViewerOf(ClaimsPrincipal user) =>
        new(user.IsInRole(Roles.Staff), user.IsInRole(Roles.Partner) ? ChangeOrganizationDataHandler.OrganizationOf(user) : null);

    /// <summary>The campaign if this person may see it; null (and a logged attempt when it exists but is not theirs) otherwise.</summary>
    public async Task<CampaignDetail?> FindAsync(long id, ClaimsPrincipal user, string? remoteAddress = null, CancellationToken ct = default)
    {
        var (access, campaign) = await store.FindAsync(id, ViewerOf(user), ct);
        if (access == CampaignAccess.Hidden)
        {
            logger.LogWarning("Refused campaign {Campaign} to {User}", id, user.Identity?.Name ?? "anonymous");
            await audit.RecordAsync(ActionGuard.ActorOf(user) with { RemoteAddress = remoteAddress }, "access_denied", "campaign",
                id.ToString(System.Globalization.CultureInfo.InvariantCulture), null, new { reason = "not visible to the caller" }, ct);
        }
        return campaign;
    }

    /// <summary>Whether this person may change the campaign; a refusal is logged by the policy's handler.</summary>
    public async Task<bool> MayChangeAsync(ClaimsPrincipal user, long campaignId, long organizationId) =>
        (await authorization.AuthorizeAsync(user, Owned(campaignId, organizationId), Policies.ChangeOrganizationData)).Succeeded;

    /// <summary>Quietly, for showing or hiding buttons; the action itself checks again.</summary>
    public static bool MayChange(ClaimsPrincipal user, long organizationId) => ViewerOf(user).MayChange(organizationId);

    public static OrganizationOwned Owned(long campaignId, long organizationId) =>
        new(organizationId, "campaign", campaignId.ToString(System.Globalization.CultureInfo.InvariantCulture));
}
