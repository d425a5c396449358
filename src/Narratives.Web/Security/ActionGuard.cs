using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Authorization;
using Narratives.Core.Audit;

namespace Narratives.Web.Security;

public sealed class NotAllowedException(string message) : Exception(message);

/// <summary>
/// Checks, on the server and at the moment of acting, that the person behind a component action may do it; hidden
/// buttons are not a control. Returns the actor to record in the audit log.
/// </summary>
public sealed class ActionGuard(AuthenticationStateProvider authentication, IAuthorizationService authorization, ILogger<ActionGuard> logger)
{
    public async Task<Actor> RequireAsync(string policy, object? resource = null)
    {
        var user = (await authentication.GetAuthenticationStateAsync()).User;
        var result = await authorization.AuthorizeAsync(user, resource, policy);
        if (!result.Succeeded)
        {
            logger.LogWarning("Refused {Policy} action for {User}", policy, user.Identity?.Name ?? "anonymous");
            throw new NotAllowedException("You are not allowed to do this.");
        }
        return ActorOf(user);
    }

    /// <summary>The person, or the organization API key, behind a request.</summary>
    public static Actor ActorOf(ClaimsPrincipal user) =>
        new(Guid.TryParse(user.FindFirstValue(ClaimTypes.NameIdentifier), out var id) ? id : null,
            long.TryParse(user.FindFirstValue(ApiKeyAuthenticationHandler.KeyIdClaim), System.Globalization.NumberStyles.None,
                System.Globalization.CultureInfo.InvariantCulture, out var keyId) ? keyId : null,
            user.Identity?.IsAuthenticated == true ? user.FindFirstValue("name") ?? user.Identity.Name ?? "unknown" : "anonymous");
}
