using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Narratives.Core;
using Narratives.Core.Accounts;
using Narratives.Core.Campaigns;
using Narratives.Web.Campaigns;
using Narratives.Web.Security;

namespace Narratives.Web.Api;

/// <summary>A campaign as the API takes it. Every field is optional so that a missing one is a field error, not a crash.</summary>
public sealed record CampaignRequest(
    long? InitiativeId = null, long? OrganizationId = null, int? Version = null, string? Name = null, string? Status = null, bool? IsPublished = null,
    DateOnly? StartDate = null, DateOnly? EndDate = null, decimal? Budget = null, string? Currency = null, string? GoalText = null,
    IReadOnlyList<KpiRequest>? Kpis = null, IReadOnlyList<string>? Audiences = null, IReadOnlyList<string>? TargetCountries = null,
    IReadOnlyList<string>? TargetLanguages = null, int? AgeMin = null, int? AgeMax = null, string? AudienceDescription = null,
    IReadOnlyList<string>? Themes = null, string? KeyMessage = null, string? Messenger = null, IReadOnlyList<string>? Platforms = null,
    IReadOnlyList<string>? OfflineChannels = null, bool? IsPaid = null, string? CallToAction = null, string? LandingUrl = null,
    IReadOnlyList<string>? MonitoringMetrics = null, IReadOnlyList<string>? OutcomeMeasures = null, string? Baseline = null)
{
    public CampaignInput ToInput() => new(InitiativeId ?? 0, Name ?? "", Status ?? "draft", IsPublished ?? false, StartDate, EndDate, Budget,
        Currency, GoalText ?? "", (Kpis ?? []).Select(k => new KpiInput(k.Metric ?? "", k.Target ?? 0, k.Deadline, k.Description ?? "")).ToArray(),
        Audiences ?? [], TargetCountries ?? [], TargetLanguages ?? [], AgeMin, AgeMax, AudienceDescription ?? "", Themes ?? [], KeyMessage ?? "",
        Messenger, Platforms ?? [], OfflineChannels ?? [], IsPaid ?? false, CallToAction ?? "", LandingUrl, MonitoringMetrics ?? [],
        OutcomeMeasures ?? [], Baseline ?? "");
}

public sealed record KpiRequest(string? Metric = null, decimal? Target = null, DateOnly? Deadline = null, string? Description = null);

public sealed record OutcomeRequest(string? Kind = null, long? VariantId = null, DateOnly? MeasuredOn = null, string? Question = null,
    string? Design = null, string? Arm = null, int? SampleSize = null, int? Agreeing = null, string? ConversionType = null, int? Count = null,
    string? Note = null, string? EvidenceUrl = null)
{
    public OutcomeInput ToInput() => new(Kind ?? "", VariantId, MeasuredOn, Question, Design, Arm, SampleSize, Agreeing, ConversionType, Count, Note, EvidenceUrl);
}

public sealed record CampaignListV1(int Page, int PageSize, int Total, IReadOnlyList<CampaignListItem> Items);

/// <summary>
/// /api/v1/campaigns: the same rules as the pages. Everyone signed in (or with a key) reads what they may see; staff and
/// partners (people or organization keys) create; changing a campaign needs its organization (or staff). A campaign
/// the caller may not see answers 404, exactly like a missing one, and the attempt is logged.
/// </summary>
public static class CampaignsEndpoints
{
    public static void MapCampaignsApi(this RouteGroupBuilder api)
    {
        var campaigns = api.MapGroup("/campaigns").WithTags("Campaigns");

        campaigns.MapGet("", async (CampaignStore store, ClaimsPrincipal user, string? q, string? status, long? initiativeId, int? page, int? pageSize,
            CancellationToken ct) =>
        {
            if (status is not null && !CampaignInput.Statuses.Contains(status))
                return Results.ValidationProblem(new Dictionary<string, string[]> { ["status"] = ["Use draft, running or finished."] });
            if (pageSize is < 1 or > 500)
                return Results.ValidationProblem(new Dictionary<string, string[]> { ["pageSize"] = ["Ask for 1 to 500 campaigns a page."] });
            var query = new CampaignListQuery(q, status, initiativeId, Page: Math.Max(page ?? 0, 0), PageSize: pageSize ?? 50);
            var list = await store.ListAsync(query, CampaignGate.ViewerOf(user), ct);
            return Results.Ok(new CampaignListV1(query.Page, query.PageSize, list.Total, list.Items));
        })
        .WithName("ListCampaigns")
        .WithSummary("The campaigns the caller may see: published ones, plus the caller's organization's drafts (staff: all).");

        campaigns.MapGet("/{campaignId:long}", async (long campaignId, CampaignGate gate, HttpContext http, CancellationToken ct) =>
            await gate.FindAsync(campaignId, http.User, http.Connection.RemoteIpAddress?.ToString(), ct) is { } campaign
                ? Results.Ok(campaign)
                : Missing(campaignId))
        .WithName("GetCampaign")
        .WithSummary("One campaign with its GAMMMA+ plan and KPIs.");

        campaigns.MapPost("", async (CampaignRequest request, CampaignEditing editing, CampaignStore store, IAuthorizationService authorization,
            HttpContext http, CancellationToken ct) =>
        {
            var user = http.User;
            var organizationId = user.IsInRole(Roles.Staff) ? request.OrganizationId : ChangeOrganizationDataHandler.OrganizationOf(user);
            if (organizationId is null)
                return Results.ValidationProblem(new Dictionary<string, string[]> { ["organizationId"] = ["Say which organization runs the campaign."] });
            if (!(await authorization.AuthorizeAsync(user, new OrganizationOwned(organizationId.Value, "campaign", "new"), Policies.ChangeOrganizationData)).Succeeded)
                return Results.Problem(statusCode: 403, title: "Not your organization", detail: "Partners create campaigns for their own organization only.");
            var outcome = await editing.CreateAsync(organizationId.Value, request.ToInput(), ActionGuard.ActorOf(user) with { RemoteAddress = http.Connection.RemoteIpAddress?.ToString() }, ct);
            if (!outcome.Succeeded) return Invalid(outcome.Errors);
            var (_, created) = await store.FindAsync(outcome.Value, CampaignGate.ViewerOf(user), ct);
            return Results.Created($"/api/v1/campaigns/{outcome.Value}", created);
        })
        .RequireAuthorization(Policies.StaffOrPartner)
        .WithName("CreateCampaign")
        .WithSummary("Creates a campaign (a draft unless the status says otherwise). Partners' campaigns belong to their organization.");

        campaigns.MapPut("/{campaignId:long}", async (long campaignId, CampaignRequest request, CampaignEditing editing, CampaignGate gate,
            HttpContext http, CancellationToken ct) =>
        {
            var address = http.Connection.RemoteIpAddress?.ToString();
            if (await RefusalAsync(gate, http, campaignId, ct) is { } refusal) return refusal;
            var outcome = await editing.UpdateAsync(campaignId, request.Version, request.ToInput(), ActionGuard.ActorOf(http.User) with { RemoteAddress = address }, ct);
            if (outcome.Errors.ContainsKey("Version"))
                return Results.Problem(statusCode: 409, title: "Changed since you read it", detail: outcome.Errors["Version"]);
            if (!outcome.Succeeded) return Invalid(outcome.Errors);
            return Results.Ok(await gate.FindAsync(campaignId, http.User, address, ct));
        })
        .RequireAuthorization(Policies.StaffOrPartner)
        .WithName("UpdateCampaign")
        .WithSummary("Replaces a campaign's plan. Send `version` (from GET) to be refused with 409 if someone changed it meanwhile.");

        campaigns.MapGet("/{campaignId:long}/outcomes", async (long campaignId, CampaignGate gate, CampaignStore store, HttpContext http, CancellationToken ct) =>
            await gate.FindAsync(campaignId, http.User, http.Connection.RemoteIpAddress?.ToString(), ct) is null
                ? Missing(campaignId)
                : Results.Ok(await store.OutcomesAsync(campaignId, ct)))
        .WithName("ListOutcomes")
        .WithSummary("The campaign's outcome measurements: survey arms with sample sizes and counts, conversions, qualitative notes.");

        campaigns.MapPost("/{campaignId:long}/outcomes", async (long campaignId, OutcomeRequest request, CampaignEditing editing, CampaignGate gate,
            HttpContext http, CancellationToken ct) =>
        {
            var address = http.Connection.RemoteIpAddress?.ToString();
            if (await RefusalAsync(gate, http, campaignId, ct) is { } refusal) return refusal;
            var outcome = await editing.RecordOutcomeAsync(campaignId, request.ToInput(), ActionGuard.ActorOf(http.User) with { RemoteAddress = address }, ct);
            return outcome.Succeeded
                ? Results.Created($"/api/v1/campaigns/{campaignId}/outcomes/{outcome.Value}", new { id = outcome.Value })
                : Invalid(outcome.Errors);
        })
        .RequireAuthorization(Policies.StaffOrPartner)
        .WithName("RecordOutcome")
        .WithSummary("Records an outcome measurement. Counts and sample sizes, never percentages.");
    }

    /// <summary>Why the caller may not change this campaign (404 when they may not even see it, 403 when it is not theirs), or null.</summary>
    static async Task<IResult?> RefusalAsync(CampaignGate gate, HttpContext http, long campaignId, CancellationToken ct) =>
        await gate.FindAsync(campaignId, http.User, http.Connection.RemoteIpAddress?.ToString(), ct) is not { } campaign ? Missing(campaignId)
        : !await gate.MayChangeAsync(http.User, campaignId, campaign.OrganizationId) ? NotYours(campaignId)
        : null;

    static IResult Missing(long id) =>
        Results.Problem(statusCode: 404, title: "No such campaign", detail: $"There is no campaign {id} that you may see.");

    static IResult NotYours(long id) =>
        Results.Problem(statusCode: 403, title: "Not your organization's campaign", detail: $"Campaign {id} belongs to another organization; only it and staff may change it.");

    /// <summary>Field errors keyed in camelCase, as the JSON fields are named.</summary>
    static IResult Invalid(IReadOnlyDictionary<string, string> errors) =>
        Results.ValidationProblem(errors.ToDictionary(e => char.ToLowerInvariant(e.Key[0]) + e.Key[1..], e => new[] { e.Value }),
            title: "Some fields are not valid");
}
