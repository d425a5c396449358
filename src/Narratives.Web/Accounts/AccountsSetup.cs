using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Narratives.Core.Accounts;
using Narratives.Core.Audit;
using Narratives.Web.Security;

namespace Narratives.Web.Accounts;

public static class AccountsSetup
{
    public static IServiceCollection AddNarrativesAccounts(this IServiceCollection services)
    {
        services.AddOptions<SecurityOptions>().BindConfiguration(SecurityOptions.Section)
            .Validate(o => o.SignInAttemptsPerMinute > 0 && o.ApiRequestsPerMinute > 0, "Rate limits must be positive.")
            .Validate(o => o.CircuitRevalidationSeconds is > 0 and <= 300, "CircuitRevalidationSeconds must be between 1 and 300 (disabled users must be out within five minutes).")
            .ValidateOnStart();

        services.AddCascadingAuthenticationState();
        services.AddScoped<AuthenticationStateProvider, RevalidatingIdentityStateProvider>();
        var authentication = services.AddAuthentication(o =>
        {
            o.DefaultScheme = IdentityConstants.ApplicationScheme;
            o.DefaultSignInScheme = IdentityConstants.ExternalScheme;
        });
        authentication.AddIdentityCookies();
        ApiKeyAuthenticationHandler.Add(authentication);

        services.AddIdentityCore<NarrativesUser>(o =>
            {
                o.Password.RequiredLength = PasswordPolicy.MinimumLength;
                o.Password.RequireDigit = false;
                o.Password.RequireLowercase = false;
                o.Password.RequireUppercase = false;
                o.Password.RequireNonAlphanumeric = false;
                o.Lockout.MaxFailedAccessAttempts = 5;
                o.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
                o.Lockout.AllowedForNewUsers = true;
                o.User.RequireUniqueEmail = true;
                o.SignIn.RequireConfirmedAccount = false;
            })
            .AddRoles<NarrativesRole>()
            .AddUserStore<UserStore>()
            .AddRoleStore<RoleStore>()
            .AddSignInManager<NarrativesSignInManager>()
            .AddClaimsPrincipalFactory<NarrativesClaimsFactory>()
            .AddPasswordValidator<CommonPasswordValidator>()
            .AddDefaultTokenProviders();

        services.Configure<PasswordHasherOptions>(o => o.IterationCount = PasswordPolicy.HashIterations);
        // A disabled user's cookie stops working within five minutes; open circuits are checked every minute.
        services.Configure<SecurityStampValidatorOptions>(o => o.ValidationInterval = TimeSpan.FromMinutes(5));
        services.ConfigureApplicationCookie(o =>
        {
            o.LoginPath = "/account/login";
            o.LogoutPath = "/account/logout";
            o.AccessDeniedPath = "/account/access-denied";
            o.Cookie.Name = "narratives.auth";
            o.Cookie.HttpOnly = true;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.ExpireTimeSpan = TimeSpan.FromHours(8);
            o.SlidingExpiration = true;
            o.Events.OnRedirectToLogin = context => ApiAwareRedirect(context, StatusCodes.Status401Unauthorized);
            o.Events.OnRedirectToAccessDenied = context => ApiAwareRedirect(context, StatusCodes.Status403Forbidden);
        });
        services.AddAuthorization(Policies.Add);
        services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationHandler, ChangeOrganizationDataHandler>();
        services.AddScoped<AccountService>();
        services.AddScoped<DemoAccounts>();
        services.AddNarrativesRateLimits();
        return services;
    }

    /// <summary>API callers get 401/403 with a problem body; people in a browser are sent to the sign-in page.</summary>
    static Task ApiAwareRedirect(RedirectContext<CookieAuthenticationOptions> context, int status)
    {
        if (context.Request.Path.StartsWithSegments("/api"))
        {
            context.Response.StatusCode = status;
            return Results.Problem(statusCode: status, title: status == 401 ? "Sign-in required" : "Not allowed").ExecuteAsync(context.HttpContext);
        }
        context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }

    public static void MapAccountEndpoints(this WebApplication app)
    {
        app.MapPost("/account/logout", async (SignInManager<NarrativesUser> signIn, Microsoft.AspNetCore.Antiforgery.IAntiforgery antiforgery, HttpContext http) =>
        {
            // Only the dashboard's own sign-out form may sign a person out, not a form on another site.
            if (!await antiforgery.IsRequestValidAsync(http))
                return Results.Problem(statusCode: 400, title: "Missing form token", detail: "Sign out from the dashboard's own Sign out button.");
            await signIn.SignOutAsync();
            return Results.LocalRedirect("/account/login?signedOut=true");
        }).RequireAuthorization(Policies.SignedIn)
          .ExcludeFromDescription();
    }

    /// <summary>Demo mode: create the demo accounts once; outside it, nothing.</summary>
    public static async Task EnsureDemoAccountsAsync(this WebApplication app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<DemoAccounts>().EnsureAsync();
    }
}

/// <summary>Refuses sign-in to disabled accounts, and records failed attempts in the audit log.</summary>
public sealed class NarrativesSignInManager(
    UserManager<NarrativesUser> users, IHttpContextAccessor http, IUserClaimsPrincipalFactory<NarrativesUser> claims,
    IOptions<IdentityOptions> options, ILogger<SignInManager<NarrativesUser>> logger, IAuthenticationSchemeProvider schemes,
    IUserConfirmation<NarrativesUser> confirmation, AuditLog audit)
    : SignInManager<NarrativesUser>(users, http, claims, options, logger, schemes, confirmation)
{
    public override async Task<bool> CanSignInAsync(NarrativesUser user) => !user.IsDisabled && await base.CanSignInAsync(user);

    public override async Task<SignInResult> PasswordSignInAsync(string userName, string password, bool isPersistent, bool lockoutOnFailure)
    {
        var result = await base.PasswordSignInAsync(userName, password, isPersistent, lockoutOnFailure);
        if (!result.Succeeded && !result.RequiresTwoFactor)
        {
            var remote = Context.Connection.RemoteIpAddress?.ToString();
            var reason = result.IsLockedOut ? "locked out" : result.IsNotAllowed ? "not allowed (disabled)" : "wrong email or password";
            await audit.RecordAsync(new Actor(null, null, "anonymous", remote), "sign_in_failed", "user", userName, null, new { reason });
            Logger.LogWarning("Failed sign-in for {UserName} from {Address}: {Reason}", userName, remote, reason);
        }
        return result;
    }
}

/// <summary>Adds the person's organization to their claims, so pages and queries can scope to it.</summary>
public sealed class NarrativesClaimsFactory(UserManager<NarrativesUser> users, RoleManager<NarrativesRole> roles, IOptions<IdentityOptions> options)
    : UserClaimsPrincipalFactory<NarrativesUser, NarrativesRole>(users, roles, options)
{
    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(NarrativesUser user)
    {
        var identity = await base.GenerateClaimsAsync(user);
        identity.AddClaim(new Claim("name", user.DisplayName));
        if (user.TwoFactorEnabled) identity.AddClaim(new Claim(StaffMfa.Claim, "on"));
        if (user.OrganizationId is { } org)
            identity.AddClaim(new Claim(Policies.OrganizationClaim, org.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        return identity;
    }
}
