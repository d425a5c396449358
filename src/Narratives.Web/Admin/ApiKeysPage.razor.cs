using Microsoft.AspNetCore.Components;
using MudBlazor;
using Narratives.Core.Accounts;
using Narratives.Core.Organizations;
using Narratives.Web.Security;

namespace Narratives.Web.Admin;

public sealed partial class ApiKeysPage
{
    [Inject] ApiKeyStore Keys { get; set; } = default!;
    [Inject] OrganizationStore Organizations { get; set; } = default!;

    IReadOnlyList<ApiKeySummary>? keys;
    IReadOnlyList<Organization> organizations = [];
    IReadOnlyDictionary<string, string> errors = new Dictionary<string, string>();
    long? organizationId;
    string name = "";
    DateTime? expires;
    string? shownSecret;
    long? confirmingRevoke;

    protected override async Task OnInitializedAsync()
    {
        organizations = await Organizations.ListAsync(includeInactive: false);
        keys = await Keys.ListAsync();
    }

    bool Has(string field) => errors.ContainsKey(field);
    string? ErrorFor(string field) => errors.GetValueOrDefault(field);

    async Task CreateAsync()
    {
        shownSecret = null;
        await ActAsync(async actor =>
        {
            if (organizationId is null)
            {
                errors = new Dictionary<string, string> { ["OrganizationId"] = L["ApiKeys.ChooseOrganization"] };
                return;
            }
            DateTimeOffset? expiresAt = expires is { } d ? new DateTimeOffset(DateTime.SpecifyKind(d.Date.AddDays(1), DateTimeKind.Utc)) : null;
            var outcome = await Keys.CreateAsync(organizationId.Value, name, expiresAt, actor);
            errors = outcome.Errors;
            if (!outcome.Succeeded) return;
            // Shown once, here; only its hash is kept.
            shownSecret = outcome.Value.Secret;
            name = "";
        });
    }

    async Task RevokeAsync(long id)
    {
        await ActAsync(async actor =>
        {
            if (await Keys.RevokeAsync(id, actor)) Snackbar.Add(L["ApiKeys.RevokedNotice"], Severity.Info);
            confirmingRevoke = null;
        });
    }

    protected override async Task ReloadAsync() => keys = await Keys.ListAsync();
}
