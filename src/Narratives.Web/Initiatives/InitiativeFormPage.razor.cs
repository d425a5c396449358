using Microsoft.AspNetCore.Components;
using MudBlazor;
using Narratives.Core.Initiatives;
using Narratives.Core.Reference;
using Narratives.Web.Security;

namespace Narratives.Web.Initiatives;

/// <summary>Staff create or edit an initiative; problems show next to their fields and nothing is saved until all are fixed.</summary>
public sealed partial class InitiativeFormPage
{
    [Parameter] public long? Id { get; set; }

    [Inject] InitiativeStore Store { get; set; } = default!;
    [Inject] InitiativeEditing Editing { get; set; } = default!;
    [Inject] ActionGuard Guard { get; set; } = default!;
    [Inject] NavigationManager Navigation { get; set; } = default!;
    [Inject] ISnackbar Snackbar { get; set; } = default!;

    InitiativeForm? form;
    int version;
    IReadOnlyDictionary<string, string> errors = new Dictionary<string, string>();

    string Title => Id is null ? L["Initiatives.New"] : L["Initiatives.Edit"];

    protected override async Task OnParametersSetAsync()
    {
        if (Id is not { } id)
        {
            form = new InitiativeForm();
            return;
        }
        var detail = await Store.GetAsync(id, publicOnly: false, includeContact: true);
        if (detail is null)
        {
            Navigation.NavigateTo($"/initiatives/{id}");
            return;
        }
        version = detail.Version;
        form = InitiativeForm.From(detail);
    }

    bool Has(string field) => errors.ContainsKey(field);
    string? ErrorFor(string field) => errors.GetValueOrDefault(field);

    async Task SaveAsync()
    {
        try
        {
            var actor = await Guard.RequireAsync(Policies.Staff);
            var input = form!.ToInput();
            if (Id is { } id)
            {
                var outcome = await Editing.UpdateAsync(id, version, input, actor);
                errors = outcome.Errors;
                if (outcome.Succeeded) Navigation.NavigateTo($"/initiatives/{id}");
            }
            else
            {
                var outcome = await Editing.CreateAsync(input, actor);
                errors = outcome.Errors;
                if (outcome.Succeeded) Navigation.NavigateTo($"/initiatives/{outcome.Value}");
            }
        }
        catch (NotAllowedException ex)
        {
            Snackbar.Add(ex.Message, Severity.Error);
        }
    }
}
