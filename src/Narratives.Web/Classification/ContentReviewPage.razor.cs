using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.Extensions.Options;
using MudBlazor;
using Narratives.Core.Reference;
using Narratives.Ml.Classification;
using Narratives.Ml.Registry;
using Narratives.Ml.Scoring;
using Narratives.Web.Security;

namespace Narratives.Web.Classification;

/// <summary>Staff and partners confirm or correct the classifier's labels, least confident first; partners only their own items.</summary>
public sealed partial class ContentReviewPage : IDisposable
{
    const int PageSize = 20;

    [Inject] ContentReviewStore Store { get; set; } = default!;
    [Inject] ActiveModels Models { get; set; } = default!;
    [Inject] Taxonomy Taxonomy { get; set; } = default!;
    [Inject] IOptions<ClassifierOptions> Options { get; set; } = default!;
    [Inject] ActionGuard Guard { get; set; } = default!;
    [Inject] AuthenticationStateProvider Authentication { get; set; } = default!;
    [Inject] ISnackbar Snackbar { get; set; } = default!;

    IReadOnlyList<ReviewItem>? items;
    ReviewCounts? counts;
    ReviewFilter filter = ReviewFilter.NeedsReview;
    int page;
    long? editing;
    IReadOnlyList<Contribution>? explanation;
    string? error;

    float Threshold => Options.Value.ReviewThreshold;

    protected override async Task OnInitializedAsync()
    {
        Models.Changed += OnModelsChanged;
        await ReloadAsync();
        // With nothing waiting for review, show everything rather than an empty page.
        if (counts is { NeedsReview: 0 } && filter == ReviewFilter.NeedsReview)
        {
            filter = counts.Unreviewed > 0 ? ReviewFilter.Unreviewed : ReviewFilter.All;
            await ReloadAsync();
        }
    }

    async Task<ReviewScope?> ScopeAsync() => ClassificationWebExtensions.ReviewScopeOf((await Authentication.GetAuthenticationStateAsync()).User);

    async Task ReloadAsync()
    {
        try
        {
            var scope = await ScopeAsync();
            if (scope is null) { items = []; counts = new ReviewCounts(0, 0, 0, 0); return; }
            counts = await Store.CountAsync(scope, Threshold);
            items = await Store.ListPageAsync(scope, filter, Threshold, page, PageSize);
        }
        catch (Npgsql.NpgsqlException ex)
        {
            error = ex.Message;
        }
    }

    async Task SetFilterAsync(ReviewFilter value)
    {
        filter = value;
        page = 0;
        editing = null;
        await ReloadAsync();
    }

    async Task PageAsync(int delta)
    {
        page = Math.Max(0, page + delta);
        editing = null;
        await ReloadAsync();
    }

    void Edit(ReviewItem item)
    {
        editing = item.Id;
        explanation = item.PredictedTheme is { } theme && Models.Theme is { } model
            ? model.Classifier.Explain(ClassificationJob.TextOf(item.Title, item.Text), theme)
            : [];
    }

    async Task SaveAsync((long Id, string Theme, IReadOnlyCollection<string> Audiences) review)
    {
        try
        {
            // Checked on the server at the moment of acting; the store also limits a partner to its organization's items.
            var actor = await Guard.RequireAsync(Policies.StaffOrPartner);
            var scope = await ScopeAsync() ?? throw new NotAllowedException(L["Review.NotAllowed"]);
            var outcome = await Store.ReviewAsync(scope, review.Id, review.Theme, review.Audiences, actor);
            if (!outcome.Succeeded)
            {
                Snackbar.Add(string.Join(" ", outcome.Errors.Values), Severity.Error);
                return;
            }
            Snackbar.Add(L["Review.Saved"], Severity.Success);
            editing = null;
            await ReloadAsync();
        }
        catch (NotAllowedException ex)
        {
            Snackbar.Add(ex.Message, Severity.Error);
        }
    }

    void OnModelsChanged() => _ = InvokeAsync(async () => { await ReloadAsync(); StateHasChanged(); });

    public void Dispose() => Models.Changed -= OnModelsChanged;
}
