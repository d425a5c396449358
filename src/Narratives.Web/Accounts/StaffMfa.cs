using System.Security.Claims;
using Microsoft.Extensions.Options;
using Narratives.Core.Accounts;
using Narratives.Core.Database;
using Narratives.Web.Security;

namespace Narratives.Web.Accounts;

/// <summary>
/// When staff must use an authenticator app (Narratives:Security:RequireStaffMfa; by default everywhere but demo
/// mode), a staff member without one can reach only the page that sets it up.
/// </summary>
public static class StaffMfa
{
    public const string Claim = "narratives:mfa";
    public const string SetupPath = "/account/two-factor";

    public static bool IsRequired(SecurityOptions options, DatabaseConnection database) => options.RequireStaffMfa ?? !database.HasDemoData;

    public static WebApplication UseStaffMfaRequirement(this WebApplication app)
    {
        var required = IsRequired(app.Services.GetRequiredService<IOptions<SecurityOptions>>().Value, app.Services.GetRequiredService<DatabaseConnection>());
        if (!required) return app;
        app.Use(async (context, next) =>
        {
            var user = context.User;
            if (user.Identity?.IsAuthenticated == true && user.IsInRole(Roles.Staff) && !user.HasClaim(Claim, "on") && !IsAllowedWithout(context.Request.Path))
            {
                if (context.Request.Path.StartsWithSegments("/api"))
                {
                    await Results.Problem(statusCode: 403, title: "Authenticator required",
                        detail: "Staff accounts must set up an authenticator app before using Narratives.").ExecuteAsync(context);
                    return;
                }
                context.Response.Redirect($"{SetupPath}?required=true");
                return;
            }
            await next();
        });
        return app;
    }

    static bool IsAllowedWithout(PathString path) =>
        path.StartsWithSegments("/account") || path.StartsWithSegments("/_framework") || path.StartsWithSegments("/_content") ||
        path.StartsWithSegments("/health") || path.StartsWithSegments("/culture") || Path.HasExtension(path.Value);
}
