using System.Net.Mail;
using Narratives.Core.Reference;

namespace Narratives.Core.Initiatives;

/// <summary>Everything a person edits about an initiative; also the snapshot that history compares field by field.</summary>
public sealed record InitiativeInput(
    string Name,
    string ShortDescription,
    string Description,
    string Scope,
    IReadOnlyList<string> Countries,
    string LeadOrganization,
    string LeadType,
    IReadOnlyList<string> PartnerOrganizations,
    IReadOnlyList<string> Themes,
    IReadOnlyList<string> Audiences,
    IReadOnlyList<string> Languages,
    IReadOnlyList<string> Channels,
    string Status,
    DateOnly? StartDate,
    DateOnly? EndDate,
    string? Website,
    IReadOnlyList<string> SocialLinks,
    string? ContactName,
    string? ContactEmail,
    string Notes)
{
    public static readonly string[] Scopes = ["national", "regional", "global"];
    public static readonly string[] Statuses = ["planned", "active", "completed", "discontinued"];
    public static readonly string[] LeadTypes = ["government", "civil_society", "religious_body", "private_sector", "international_organization", "academia"];

    /// <summary>Trimmed, codes upper- or lower-cased, lists without blanks or repeats.</summary>
    public InitiativeInput Cleaned() => this with
    {
        Name = Name.Trim(),
        ShortDescription = ShortDescription.Trim(),
        Description = Description.Trim(),
        Countries = Clean(Countries, c => c.ToUpperInvariant()),
        LeadOrganization = LeadOrganization.Trim(),
        PartnerOrganizations = Clean(PartnerOrganizations, p => p),
        Themes = Clean(Themes, t => t),
        Audiences = Clean(Audiences, a => a),
        Languages = Clean(Languages, l => l.ToLowerInvariant()),
        Channels = Clean(Channels, c => c),
        Website = string.IsNullOrWhiteSpace(Website) ? null : Website.Trim(),
        SocialLinks = Clean(SocialLinks, s => s),
        ContactName = string.IsNullOrWhiteSpace(ContactName) ? null : ContactName.Trim(),
        ContactEmail = string.IsNullOrWhiteSpace(ContactEmail) ? null : ContactEmail.Trim(),
        Notes = Notes.Trim(),
    };

    static IReadOnlyList<string> Clean(IReadOnlyList<string> values, Func<string, string> shape) =>
        values.Select(v => v.Trim()).Where(v => v.Length > 0).Select(shape).Distinct().ToArray();

    /// <summary>The problems with this input, by field, in words a person can act on.</summary>
    public Dictionary<string, string> Validate(Taxonomy taxonomy, ISet<string> countryCodes)
    {
        var e = new Dictionary<string, string>();
        var i = Cleaned();
        if (i.Name.Length is 0 or > 300) e[nameof(Name)] = "Give a name of 1 to 300 characters.";
        if (i.ShortDescription.Length > 500) e[nameof(ShortDescription)] = "Keep the short description under 500 characters.";
        if (!Scopes.Contains(i.Scope)) e[nameof(Scope)] = "Choose national, regional or global.";
        var unknownCountries = i.Countries.Where(c => !countryCodes.Contains(c)).ToList();
        if (i.Countries.Count == 0) e[nameof(Countries)] = "Give at least one country (ISO 3166-1 alpha-3 code, like TUN).";
        else if (unknownCountries.Count > 0) e[nameof(Countries)] = $"Unknown country code(s): {string.Join(", ", unknownCountries)}. Use ISO 3166-1 alpha-3 codes, like TUN.";
        else if (i.Scope == "national" && i.Countries.Count != 1) e[nameof(Countries)] = "A national initiative works in exactly one country.";
        if (i.LeadOrganization.Length is 0 or > 300) e[nameof(LeadOrganization)] = "Name the lead organization.";
        if (!LeadTypes.Contains(i.LeadType)) e[nameof(LeadType)] = $"Choose one of: {string.Join(", ", LeadTypes)}.";
        var badThemes = i.Themes.Where(t => !taxonomy.IsTheme(t)).ToList();
        if (badThemes.Count > 0) e[nameof(Themes)] = $"Unknown theme(s): {string.Join(", ", badThemes)}.";
        var badAudiences = i.Audiences.Where(a => !taxonomy.IsAudience(a)).ToList();
        if (badAudiences.Count > 0) e[nameof(Audiences)] = $"Unknown audience(s): {string.Join(", ", badAudiences)}.";
        var badLanguages = i.Languages.Where(l => l.Length != 2 || !l.All(char.IsAsciiLetterLower)).ToList();
        if (badLanguages.Count > 0) e[nameof(Languages)] = $"Use two-letter ISO 639-1 codes, like fr (not: {string.Join(", ", badLanguages)}).";
        if (!Statuses.Contains(i.Status)) e[nameof(Status)] = "Choose planned, active, completed or discontinued.";
        if (i.StartDate is { } s && i.EndDate is { } end && end < s) e[nameof(EndDate)] = "The end date is before the start date.";
        if (i.Website is not null && !IsWebAddress(i.Website)) e[nameof(Website)] = "Give a full web address starting with https://.";
        var badLinks = i.SocialLinks.Where(l => !IsWebAddress(l)).ToList();
        if (badLinks.Count > 0) e[nameof(SocialLinks)] = $"Not a web address: {string.Join(", ", badLinks)}.";
        if (i.ContactEmail is not null && !MailAddress.TryCreate(i.ContactEmail, out _)) e[nameof(ContactEmail)] = "Give a valid email address.";
        return e;
    }

    static bool IsWebAddress(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http" && uri.Host.Contains('.');
}
