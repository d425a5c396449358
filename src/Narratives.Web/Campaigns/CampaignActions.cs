using Microsoft.AspNetCore.Components;
using MudBlazor;
using Narratives.Core;
using Narratives.Core.Audit;
using Narratives.Core.Campaigns;
using Narratives.Web.Security;

namespace Narratives.Web.Campaigns;

/// <summary>
/// What every component that changes a campaign shares: at the moment of acting, read who owns the campaign and check
/// on the server that this person may change that organization's data (staff any, partners their own); act as them;
/// answer with the field problems to show, or a "not allowed" message instead of failing.
/// </summary>
public abstract class CampaignActions : ComponentBase
{
    [Inject] protected ActionGuard Guard { get; set; } = default!;
    [Inject] protected CampaignStore Campaigns { get; set; } = default!;
    [Inject] protected ISnackbar Snackbar { get; set; } = default!;

    protected async Task<IReadOnlyDictionary<string, string>> ActAsync<T>(long campaignId, Func<Actor, Task<Outcome<T>>> action)
    {
        try
        {
            var owner = await Campaigns.OwnerOfAsync(campaignId)
                ?? throw new NotAllowedException("This campaign no longer exists.");
            var outcome = await action(await Guard.RequireAsync(Policies.ChangeOrganizationData, CampaignGate.Owned(campaignId, owner)));
            return outcome.Errors;
        }
        catch (NotAllowedException ex)
        {
            Snackbar.Add(ex.Message, Severity.Error);
            return new Dictionary<string, string> { ["NotAllowed"] = ex.Message };
        }
    }
}
