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
    [Inject] Taxonomy Taxonomy { get; set; } = default!;
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

    sealed class InitiativeForm
    {
        public string Name { get; set; } = "";
        public string ShortDescription { get; set; } = "";
        public string Description { get; set; } = "";
        public string Scope { get; set; } = "national";
        public string Countries { get; set; } = "";
        public string LeadOrganization { get; set; } = "";
        public string LeadType { get; set; } = "civil_society";
        public string Partners { get; set; } = "";
        public IReadOnlyCollection<string> Themes { get; set; } = [];
        public IReadOnlyCollection<string> Audiences { get; set; } = [];
        public string Languages { get; set; } = "";
        public string Channels { get; set; } = "";
        public string Status { get; set; } = "active";
        public DateTime? Start { get; set; }
        public DateTime? End { get; set; }
        public string? Website { get; set; }
        public string SocialLinks { get; set; } = "";
        public string? ContactName { get; set; }
        public string? ContactEmail { get; set; }
        public string Notes { get; set; } = "";

        static string[] Split(string text) => text.Split([',', ';', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

        public InitiativeInput ToInput() => new(Name, ShortDescription, Description, Scope, Split(Countries), LeadOrganization, LeadType,
            Split(Partners), Themes.ToArray(), Audiences.ToArray(), Split(Languages), Split(Channels), Status,
            Start is { } s ? DateOnly.FromDateTime(s) : null, End is { } e ? DateOnly.FromDateTime(e) : null, Website,
            Split(SocialLinks), ContactName, ContactEmail, Notes);

        public static InitiativeForm From(InitiativeDetail d) => new()
        {
            Name = d.Name, ShortDescription = d.ShortDescription, Description = d.Description, Scope = d.Scope,
            Countries = string.Join(", ", d.Countries.Select(c => c.Alpha3)), LeadOrganization = d.LeadOrganization,
            LeadType = d.LeadType, Partners = string.Join("; ", d.PartnerOrganizations), Themes = d.Themes, Audiences = d.Audiences,
            Languages = string.Join(", ", d.Languages), Channels = string.Join(", ", d.Channels), Status = d.Status,
            Start = d.StartDate?.ToDateTime(TimeOnly.MinValue), End = d.EndDate?.ToDateTime(TimeOnly.MinValue), Website = d.Website,
            SocialLinks = string.Join("\n", d.SocialLinks), ContactName = d.ContactName, ContactEmail = d.ContactEmail, Notes = d.Notes,
        };
    }
}
