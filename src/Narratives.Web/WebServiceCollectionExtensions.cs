using Microsoft.AspNetCore.Components.Server.Circuits;
using MudBlazor.Services;
using Narratives.Web.Health;
using Narratives.Web.Localization;
using Narratives.Web.Accounts;
using Narratives.Web.Api;
using Narratives.Web.Analytics;
using Narratives.Web.Classification;
using Narratives.Web.Security;

namespace Narratives.Web;

public static class WebServiceCollectionExtensions
{
    public static IServiceCollection AddNarrativesWeb(this IServiceCollection services)
    {
        services.AddRazorComponents().AddInteractiveServerComponents();
        // Snackbars appear at once: a fading message has too little contrast to read while it fades in.
        services.AddMudServices(o =>
        {
            o.SnackbarConfiguration.ShowTransitionDuration = 0;
            o.SnackbarConfiguration.HideTransitionDuration = 150;
        });
        services.AddNarrativesLocalization();
        services.AddNarrativesAccounts();
        services.AddOpenApi();
        services.AddScoped<ActionGuard>();
        // A page left while a chart was still being drawn must close on the server at once (see ClosedCircuitCalls).
        services.AddScoped<CircuitHandler, Shell.ClosedCircuitCalls>();
        services.AddSingleton<Campaigns.CampaignGate>();
        services.AddHostedService<Analytics.RollupJob>();
        services.AddNarrativesClassification();
        return services;
    }

    public static WebApplication UseNarrativesWeb(this WebApplication app)
    {
        if (!app.Environment.IsDevelopment())
            app.UseExceptionHandler("/error", createScopeForErrors: true);
        app.UseSecurityHeaders();
        app.UseHttpsRedirectionWhenServedOverTls();
        app.UseNarrativesLocalization();
        app.UseRateLimiter();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseStaffMfaRequirement();
        app.UseAntiforgery();
        app.MapStaticAssets();
        app.MapHealth();
        app.MapCultureSwitch();
        app.MapAccountEndpoints();
        app.MapNarrativesApi();
        app.MapAnalyticsExport();
        app.MapOpenApi().AllowAnonymous();
        // Our own Content-Security-Policy says frame-ancestors 'none'; Blazor's matching header must not loosen it.
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode(o => o.ContentSecurityFrameAncestorsPolicy = "'none'");
        return app;
    }

    /// <summary>HTTPS redirection and HSTS only where the app has an https address to send people to.</summary>
    static void UseHttpsRedirectionWhenServedOverTls(this WebApplication app)
    {
        var urls = app.Configuration["Urls"] ?? app.Configuration["ASPNETCORE_URLS"] ?? "";
        if (!urls.Contains("https://", StringComparison.OrdinalIgnoreCase)) return;
        app.UseHsts();
        app.UseHttpsRedirection();
    }
}
