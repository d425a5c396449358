using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Narratives.Core.Accounts;
using Narratives.Core.Audit;

namespace Narratives.Web.Security;

/// <summary>
/// Organization API keys in the X-Api-Key header (or "Authorization: ApiKey …"). A caller with a key acts as a partner
/// of the key's organization; a bad, revoked or expired key gets 401 with a problem body saying which, and is logged.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory loggers, UrlEncoder encoder, ApiKeyStore keys, AuditLog audit)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggers, encoder)
{
    public const string SchemeName = "ApiKey";
    /// <summary>API endpoints use this scheme: the API key when one is sent, else the signed-in person's cookie.</summary>
    public const string ApiScheme = "Api";
    public const string KeyIdClaim = "narratives:api-key";

    public static string? PresentedKey(HttpRequest request)
    {
        if (request.Headers.TryGetValue("X-Api-Key", out var header) && header.ToString() is { Length: > 0 } key) return key;
        var authorization = request.Headers.Authorization.ToString();
        return authorization.StartsWith("ApiKey ", StringComparison.OrdinalIgnoreCase) ? authorization[7..].Trim() : null;
    }

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var presented = PresentedKey(Request);
        if (presented is null) return AuthenticateResult.NoResult();
        var check = await keys.CheckAsync(presented, Context.RequestAborted);
        if (check.Caller is not { } caller)
        {
            var remote = Context.Connection.RemoteIpAddress?.ToString();
            Logger.LogWarning("Refused API key from {Address}: {Problem}", remote, check.Problem);
            await audit.RecordAsync(new Actor(null, null, "api key", remote), "access_denied", "api_key",
                presented.Length > 15 ? presented[..15] : presented, null, new { reason = check.Problem, path = Request.Path.Value });
            return AuthenticateResult.Fail(check.Problem!);
        }

        var id = new ClaimsIdentity(SchemeName);
        id.AddClaim(new Claim(ClaimTypes.NameIdentifier, $"api-key:{caller.KeyId}"));
        id.AddClaim(new Claim("name", $"{caller.OrganizationName} ({caller.Name})"));
        id.AddClaim(new Claim(ClaimTypes.Role, Roles.Partner));
        id.AddClaim(new Claim(Policies.OrganizationClaim, caller.OrganizationId.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        id.AddClaim(new Claim(KeyIdClaim, caller.KeyId.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(id), SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var failure = (await HandleAuthenticateOnceSafeAsync()).Failure?.Message;
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        await Results.Problem(statusCode: 401, title: "API key refused", detail: failure ?? "Send an organization API key in the X-Api-Key header.")
            .ExecuteAsync(Context);
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        await Results.Problem(statusCode: 403, title: "Not allowed", detail: "This API key's organization may not do this.").ExecuteAsync(Context);
    }

    public static void Add(AuthenticationBuilder authentication) =>
        authentication
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(SchemeName, null)
            .AddPolicyScheme(ApiScheme, "API key or signed-in person", o =>
                o.ForwardDefaultSelector = context => PresentedKey(context.Request) is null ? IdentityConstants.ApplicationScheme : SchemeName);
}
