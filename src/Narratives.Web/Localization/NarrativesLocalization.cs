using System.Globalization;
using Microsoft.AspNetCore.Localization;

namespace Narratives.Web.Localization;

/// <summary>The interface languages and how a person switches between them (a cookie, read on every request).</summary>
public static class NarrativesLocalization
{
    public static readonly string[] Cultures = ["en", "fr", "ar"];

    public static bool IsRightToLeft(CultureInfo culture) => culture.TextInfo.IsRightToLeft;

    public static IServiceCollection AddNarrativesLocalization(this IServiceCollection services)
    {
        services.AddLocalization(o => o.ResourcesPath = "Resources");
        services.Configure<RequestLocalizationOptions>(o =>
        {
            o.SetDefaultCulture(Cultures[0]).AddSupportedCultures(Cultures).AddSupportedUICultures(Cultures);
            o.RequestCultureProviders = [new CookieRequestCultureProvider(), new AcceptLanguageHeaderRequestCultureProvider()];
        });
        return services;
    }

    public static WebApplication UseNarrativesLocalization(this WebApplication app)
    {
        app.UseRequestLocalization();
        return app;
    }

    /// <summary>GET /culture?name=fr&amp;returnUrl=/initiatives sets the language cookie and goes back.</summary>
    public static void MapCultureSwitch(this WebApplication app) =>
        app.MapGet("/culture", (string name, string? returnUrl, HttpContext http) =>
        {
            if (!Cultures.Contains(name))
                return Results.Problem(statusCode: 400, title: "Unknown language",
                    detail: $"'{name}' is not one of the interface languages: {string.Join(", ", Cultures)}.");
            http.Response.Cookies.Append(CookieRequestCultureProvider.DefaultCookieName,
                CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(name)),
                new CookieOptions { Expires = DateTimeOffset.UtcNow.AddYears(1), HttpOnly = true, SameSite = SameSiteMode.Lax, IsEssential = true });
            // Only a local path: never redirect to another site.
            var target = returnUrl is { Length: > 0 } && returnUrl.StartsWith('/') && !returnUrl.StartsWith("//") ? returnUrl : "/";
            return Results.LocalRedirect(target);
        }).ExcludeFromDescription();
}
