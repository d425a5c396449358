using MudBlazor.Services;
using Narratives.Web.Health;
using Narratives.Web.Localization;
using Narratives.Web.Shell;

namespace Narratives.Web;

public static class WebServiceCollectionExtensions
{
    public static IServiceCollection AddNarrativesWeb(this IServiceCollection services)
    {
        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddMudServices();
        services.AddNarrativesLocalization();
        return services;
    }

    public static WebApplication UseNarrativesWeb(this WebApplication app)
    {
        if (!app.Environment.IsDevelopment())
            app.UseExceptionHandler("/error", createScopeForErrors: true);
        app.UseNarrativesLocalization();
        app.UseAntiforgery();
        app.MapStaticAssets();
        app.MapHealth();
        app.MapCultureSwitch();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        return app;
    }
}
