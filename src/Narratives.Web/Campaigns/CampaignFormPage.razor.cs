using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Narratives.Core.Accounts;
using Narratives.Core.Campaigns;
using Narratives.Core.Organizations;
using Narratives.Web.Security;

namespace Narratives.Web.Campaigns;

/// <summary>
/// The guided GAMMMA+ form: one step per element, savable as a draft at any step. Problems show next to their fields
/// and on the step that holds them; nothing is saved until all are fixed.
/// </summary>
public sealed partial class CampaignFormPage : CampaignActions
{
    [Parameter] public long? CampaignId { get; set; }
    [SupplyParameterFromQuery(Name = "initiative")] public long? InitiativeQuery { get; set; }
    [SupplyParameterFromQuery(Name = "step")] public int? StepQuery { get; set; }
    [CascadingParameter] Task<AuthenticationState> Auth { get; set; } = default!;

    [Inject] CampaignGate Gate { get; set; } = default!;
    [Inject] CampaignEditing Editing { get; set; } = default!;
    [Inject] OrganizationStore OrganizationStore { get; set; } = default!;
    [Inject] NavigationManager Navigation { get; set; } = default!;

    CampaignForm? form;
    int version;
    int step;
    bool saving, isStaff;
    IReadOnlyDictionary<string, string> errors = new Dictionary<string, string>();
    IReadOnlyList<CampaignStore.InitiativeChoice> initiatives = [];
    IReadOnlyList<Organization> organizations = [];

    string Title => CampaignId is null ? L["Campaigns.New"] : L["Campaigns.Edit"];

    protected override async Task OnParametersSetAsync()
    {
        var user = (await Auth).User;
        isStaff = user.IsInRole(Roles.Staff);
        step = Math.Clamp(StepQuery ?? 0, 0, CampaignForm.Steps.Length - 1);
        initiatives = await Campaigns.InitiativeChoicesAsync();
        if (isStaff) organizations = (await OrganizationStore.ListAsync(includeInactive: false)).Where(o => o.Kind != "secretariat").ToList();
        if (CampaignId is not { } id)
        {
            form = new CampaignForm { InitiativeId = InitiativeQuery };
            return;
        }
        var campaign = await Gate.FindAsync(id, user);
        if (campaign is null)
        {
            Navigation.NotFound();
            return;
        }
        if (!await Gate.MayChangeAsync(user, id, campaign.OrganizationId))
        {
            Navigation.NavigateTo("/account/access-denied");
            return;
        }
        version = campaign.Version;
        form = CampaignForm.From(campaign);
    }

    async Task SaveAsync()
    {
        saving = true;
        try
        {
            var input = form!.ToInput();
            if (CampaignId is { } id)
            {
                var saved = 0;
                errors = await ActAsync(id, async actor =>
                {
                    var outcome = await Editing.UpdateAsync(id, version, input, actor);
                    saved = outcome.Value;
                    return outcome;
                });
                if (errors.Count == 0)
                {
                    version = saved;
                    Snackbar.Add(L["CampaignForm.Saved"], MudBlazor.Severity.Success);
                }
            }
            else
            {
                errors = await CreateAsync(input);
            }
            if (errors.Count > 0 && !errors.ContainsKey("NotAllowed")) step = errors.Keys.Min(CampaignForm.StepOf);
        }
        finally
        {
            saving = false;
        }
    }

    /// <summary>A partner's campaign belongs to their organization; staff choose the organization.</summary>
    async Task<IReadOnlyDictionary<string, string>> CreateAsync(CampaignInput input)
    {
        var user = (await Auth).User;
        var organizationId = isStaff ? form!.OrganizationId : ChangeOrganizationDataHandler.OrganizationOf(user);
        if (organizationId is null) return new Dictionary<string, string> { ["OrganizationId"] = L["CampaignForm.ChooseOrganization"] };
        try
        {
            var actor = await Guard.RequireAsync(Policies.ChangeOrganizationData, new OrganizationOwned(organizationId.Value, "campaign", "new"));
            var outcome = await Editing.CreateAsync(organizationId.Value, input, actor);
            if (outcome.Succeeded)
            {
                Snackbar.Add(L["CampaignForm.Saved"], MudBlazor.Severity.Success);
                Navigation.NavigateTo($"/campaigns/{outcome.Value}/edit?step={step}");
            }
            return outcome.Errors;
        }
        catch (NotAllowedException ex)
        {
            Snackbar.Add(ex.Message, MudBlazor.Severity.Error);
            return new Dictionary<string, string> { ["NotAllowed"] = ex.Message };
        }
    }
}
