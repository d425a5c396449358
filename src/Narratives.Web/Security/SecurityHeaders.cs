namespace Narratives.Web.Security;

/// <summary>
/// Response headers that keep the dashboard's pages to their own scripts and out of other sites' frames, and the
/// check that the Blazor WebSocket is opened from the dashboard's own pages.
/// </summary>
public static class SecurityHeaders
{
    // Blazor and MudBlazor set inline style attributes and Plotly adds style elements, hence 'unsafe-inline' for styles
    // only; scripts come from the app alone. Plotly draws images from data: URIs.
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
        "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    public static WebApplication UseSecurityHeaders(this WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "strict-origin-when-cross-origin";
            headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()";
            // Pages are never stored by the browser: after signing out, nobody can bring figures back from its cache.
            context.Response.OnStarting(() =>
            {
                if (context.Response.ContentType?.StartsWith("text/html", StringComparison.OrdinalIgnoreCase) == true)
                    context.Response.Headers.CacheControl = "no-store";
                return Task.CompletedTask;
            });

            if (context.Request.Path.StartsWithSegments("/_blazor") && !IsSameOrigin(context))
            {
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
                return;
            }
            await next();
        });
        return app;
    }

    static bool IsSameOrigin(HttpContext context)
    {
        var origin = context.Request.Headers.Origin.ToString();
        if (string.IsNullOrEmpty(origin)) return true; // not a browser cross-site request
        return Uri.TryCreate(origin, UriKind.Absolute, out var uri)
            && string.Equals(uri.Authority, context.Request.Host.Value, StringComparison.OrdinalIgnoreCase);
    }
}
