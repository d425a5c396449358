using Narratives.Core.Initiatives;

namespace Narratives.Web.Initiatives;

/// <summary>What the initiative form edits; lists are typed as text, separated by commas.</summary>
public sealed class InitiativeForm
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
