namespace Narratives.Core.Initiatives;

/// <summary>
/// What a person filters the register by. It round-trips through the page address, so a filtered view is a link
/// that can be shared; the API takes the same filters.
/// </summary>
public sealed record InitiativeQuery(
    string? Text = null,
    string? Scope = null,
    string? Region = null,
    string? SubRegion = null,
    string? Country = null,
    string? Theme = null,
    string? Audience = null,
    string? Language = null,
    string? Status = null,
    string? Verification = null,
    string? LeadType = null,
    string Sort = "name",
    bool Descending = false,
    int Page = 0,
    int PageSize = 25,
    int StaleAfterMonths = 12)
{
    /// <summary>The columns a list may be sorted by; anything else sorts by name.</summary>
    public static readonly IReadOnlyDictionary<string, string> SortColumns = new Dictionary<string, string>
    {
        ["name"] = "i.name",
        ["scope"] = "i.scope",
        ["status"] = "i.status",
        ["start"] = "i.start_date",
        ["verified"] = "i.last_verified_at",
        ["updated"] = "i.updated_at",
    };

    public string SortColumn => SortColumns.GetValueOrDefault(Sort, "i.name");

    public InitiativeQuery Normalized() => this with
    {
        Text = Blank(Text), Scope = Blank(Scope), Region = Blank(Region), SubRegion = Blank(SubRegion),
        Country = Blank(Country)?.ToUpperInvariant(), Theme = Blank(Theme), Audience = Blank(Audience),
        Language = Blank(Language)?.ToLowerInvariant(), Status = Blank(Status), Verification = Blank(Verification),
        LeadType = Blank(LeadType), Sort = SortColumns.ContainsKey(Sort) ? Sort : "name",
        Page = Math.Max(0, Page), PageSize = Math.Clamp(PageSize, 1, 200), StaleAfterMonths = Math.Clamp(StaleAfterMonths, 1, 120),
    };

    static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
