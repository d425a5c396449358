using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.WebUtilities;
using Narratives.Core.Initiatives;
using Narratives.Core.Reference;

namespace Narratives.Web.Initiatives;

/// <summary>The register: every filter lives in the address, so a filtered view can be shared as a link.</summary>
public sealed partial class InitiativesPage
{
    [Inject] InitiativeStore Store { get; set; } = default!;
    [Inject] NavigationManager Navigation { get; set; } = default!;
    [Inject] Taxonomy Taxonomy { get; set; } = default!;
    [Inject] Microsoft.Extensions.Options.IOptions<InitiativeOptions> Options { get; set; } = default!;

    [SupplyParameterFromQuery] string? Q { get; set; }
    [SupplyParameterFromQuery] string? Scope { get; set; }
    [SupplyParameterFromQuery] string? Region { get; set; }
    [SupplyParameterFromQuery] string? SubRegion { get; set; }
    [SupplyParameterFromQuery] string? Country { get; set; }
    [SupplyParameterFromQuery] string? Theme { get; set; }
    [SupplyParameterFromQuery] string? Audience { get; set; }
    [SupplyParameterFromQuery] string? Language { get; set; }
    [SupplyParameterFromQuery] string? Status { get; set; }
    [SupplyParameterFromQuery] string? Verification { get; set; }
    [SupplyParameterFromQuery] string? LeadType { get; set; }
    [SupplyParameterFromQuery] string? Sort { get; set; }
    [SupplyParameterFromQuery] bool Desc { get; set; }
    [SupplyParameterFromQuery(Name = "page")] int PageNumber { get; set; }

    InitiativeQuery query = new();
    InitiativePage? page;
    string? error;

    protected override async Task OnParametersSetAsync()
    {
        query = new InitiativeQuery(Q, Scope, Region, SubRegion, Country, Theme, Audience, Language, Status, Verification, LeadType,
            Sort ?? "name", Desc, PageNumber, StaleAfterMonths: Options.Value.StaleAfterMonths).Normalized();
        try
        {
            page = await Store.ListPageAsync(query, publicOnly: false);
            error = null;
        }
        catch (Npgsql.NpgsqlException ex)
        {
            error = ex.Message;
        }
    }

    void Go(InitiativeQuery next) => Navigation.NavigateTo(UrlFor(next));

    string PrintUrl => UrlFor(query with { Verification = null, Page = 0 }).Replace("/initiatives", "/initiatives/print");

    /// <summary>The published (verified) part of the current view, as a file.</summary>
    string ExportUrl(string format) =>
        UrlFor(query with { Verification = null, Page = 0 }).Replace("/initiatives", $"/api/v1/initiatives/export.{format}");

    public static string UrlFor(InitiativeQuery q)
    {
        var values = new Dictionary<string, string?>
        {
            ["q"] = q.Text, ["scope"] = q.Scope, ["region"] = q.Region, ["subRegion"] = q.SubRegion, ["country"] = q.Country, ["theme"] = q.Theme,
            ["audience"] = q.Audience, ["language"] = q.Language, ["status"] = q.Status, ["verification"] = q.Verification,
            ["leadType"] = q.LeadType, ["sort"] = q.Sort == "name" ? null : q.Sort, ["desc"] = q.Descending ? "true" : null,
            ["page"] = q.Page > 0 ? q.Page.ToString(System.Globalization.CultureInfo.InvariantCulture) : null,
        };
        return QueryHelpers.AddQueryString("/initiatives", values.Where(v => !string.IsNullOrWhiteSpace(v.Value)));
    }
}
