using System.Security.Claims;
using Narratives.Web.Security;

namespace Narratives.Web.Api;

public sealed record Caller(string Kind, string Name, string[] Roles, long? OrganizationId);

public static class WhoAmIEndpoint
{
    /// <summary>GET /api/v1/me: who the API takes the caller for; partners use it to check that their key works.</summary>
    public static void MapWhoAmI(this RouteGroupBuilder api) =>
        api.MapGet("/me", (ClaimsPrincipal user) =>
        {
            var kind = user.HasClaim(c => c.Type == ApiKeyAuthenticationHandler.KeyIdClaim) ? "api_key" : "user";
            var organization = user.FindFirstValue(Policies.OrganizationClaim);
            return new Caller(kind, user.FindFirstValue("name") ?? "", user.FindAll(ClaimTypes.Role).Select(r => r.Value).ToArray(),
                organization is null ? null : long.Parse(organization, System.Globalization.CultureInfo.InvariantCulture));
        })
        .WithName("WhoAmI")
        .WithSummary("Who the API takes the caller for (person or organization API key).");
}
