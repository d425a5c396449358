using Microsoft.AspNetCore.Components;
using MudBlazor;
using Narratives.Core.Organizations;
using Narratives.Web.Security;

namespace Narratives.Web.Admin;

public sealed partial class OrganizationsPage
{
    [Inject] OrganizationStore Store { get; set; } = default!;

    IReadOnlyList<Organization>? organizations;
    IReadOnlyDictionary<string, string> errors = new Dictionary<string, string>();
    OrganizationForm input = new();
    long? renamingId;
    string newName = "";

    protected override async Task OnInitializedAsync() => organizations = await Store.ListAsync();

    bool Has(string field) => errors.ContainsKey(field);
    string? ErrorFor(string field) => errors.GetValueOrDefault(field);

    async Task CreateAsync()
    {
        await ActAsync(async actor =>
        {
            var outcome = await Store.CreateAsync(new OrganizationInput(input.Name, input.Key, input.Kind, input.Country, input.Website, null), actor);
            errors = outcome.Errors;
            if (!outcome.Succeeded) return;
            Snackbar.Add(L["Organizations.Created", outcome.Value!.Name], Severity.Success);
            input = new OrganizationForm();
        });
    }

    void StartRename(Organization organization)
    {
        renamingId = organization.Id;
        newName = organization.Name;
        errors = new Dictionary<string, string>();
    }

    async Task RenameAsync(long id)
    {
        await ActAsync(async actor =>
        {
            var outcome = await Store.RenameAsync(id, newName, actor);
            errors = outcome.Errors.ToDictionary(e => "Rename", e => e.Value);
            if (outcome.Succeeded) renamingId = null;
        });
    }

    async Task SetActiveAsync(Organization organization, bool active)
    {
        await ActAsync(async actor =>
        {
            var outcome = await Store.SetActiveAsync(organization.Id, active, actor);
            if (outcome.Succeeded)
                Snackbar.Add(active ? L["Organizations.Reactivated", organization.Name] : L["Organizations.Deactivated", organization.Name], Severity.Info);
        });
    }

    protected override async Task ReloadAsync() => organizations = await Store.ListAsync();

    sealed class OrganizationForm
    {
        public string Name { get; set; } = "";
        public string? Key { get; set; }
        public string Kind { get; set; } = "civil_society";
        public string? Country { get; set; }
        public string? Website { get; set; }
    }
}
