using Narratives.Web.Imports;
using Narratives.Web.Security;

namespace Narratives.Web.Api;

/// <summary>The HTTP API under /api/v1: API key or signed-in person, rate limited, problem bodies for every error.</summary>
public static class ApiEndpoints
{
    public static void MapNarrativesApi(this WebApplication app)
    {
        var api = app.MapGroup("/api/v1")
            .RequireAuthorization(p => p.AddAuthenticationSchemes(ApiKeyAuthenticationHandler.ApiScheme).RequireAuthenticatedUser())
            .RequireRateLimiting(RateLimits.Api)
            .WithTags("Narratives API");
        api.MapWhoAmI();
        api.MapCampaignsApi();
        api.MapImportsApi();
        app.MapInitiativesApi();
    }
}
