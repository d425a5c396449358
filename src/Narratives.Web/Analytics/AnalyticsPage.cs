using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Routing;
using Narratives.Core.Analytics;

namespace Narratives.Web.Analytics;

/// <summary>
/// What every analytics page shares: it reloads when its address changes (a filter, a drill-down; Blazor keeps the
/// same page instance for a new query string) and when new figures arrive (an import finished), without a reload.
/// </summary>
public abstract class AnalyticsPage : ComponentBase, IDisposable
{
    [Inject] protected NavigationManager Navigation { get; set; } = default!;
    [Inject] protected AnalyticsNotifier Notifier { get; set; } = default!;

    protected abstract Task LoadAsync();

    /// <summary>Changes with every load, so that charts are drawn afresh with the new figures (Plotly keeps its own copy).</summary>
    protected int Version { get; private set; }

    /// <summary>A value of the current address's query string (read afresh: the page instance outlives its address).</summary>
    protected string? Query(string key) =>
        Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(new Uri(Navigation.Uri).Query).TryGetValue(key, out var v) && v.Count > 0 ? v[0] : null;

    protected override void OnInitialized()
    {
        Navigation.LocationChanged += OnLocationChanged;
        Notifier.Changed += OnFiguresChanged;
    }

    /// <summary>
    /// Figures are read once, when the live connection drives the page: the server's first HTML shows the page with a
    /// progress bar instead of running every query twice (once to prerender, once again when the page comes alive).
    /// </summary>
    protected override Task OnParametersSetAsync() => RendererInfo.IsInteractive ? ReloadAsync() : Task.CompletedTask;

    async Task ReloadAsync()
    {
        await LoadAsync();
        Version++;
    }

    void OnLocationChanged(object? sender, LocationChangedEventArgs e) => _ = InvokeAsync(async () =>
    {
        await ReloadAsync();
        StateHasChanged();
    });

    Task OnFiguresChanged(IReadOnlyCollection<long> campaigns) => InvokeAsync(async () =>
    {
        await ReloadAsync();
        StateHasChanged();
    });

    public void Dispose()
    {
        Navigation.LocationChanged -= OnLocationChanged;
        Notifier.Changed -= OnFiguresChanged;
        GC.SuppressFinalize(this);
    }
}
