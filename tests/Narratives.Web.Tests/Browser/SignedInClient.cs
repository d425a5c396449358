using System.Net;
using System.Text.RegularExpressions;

namespace Narratives.Web.Tests.Browser;

/// <summary>An HTTP client with its own cookies that signs in through the real sign-in form, for endpoint tests.</summary>
public static partial class SignedInClient
{
    public static HttpClient Anonymous(Uri baseAddress) =>
        new(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() }) { BaseAddress = baseAddress };

    public static async Task<HttpClient> ForAsync(Uri baseAddress, DemoUser user)
    {
        var client = Anonymous(baseAddress);
        var response = await PostSignInAsync(client, user.Email, user.Password);
        if (response.StatusCode != HttpStatusCode.Redirect)
            throw new InvalidOperationException($"Signing in {user.Email} answered {(int)response.StatusCode}.");
        return client;
    }

    /// <summary>Fills and posts the sign-in form as a browser would (with its antiforgery token).</summary>
    public static async Task<HttpResponseMessage> PostSignInAsync(HttpClient client, string email, string password)
    {
        var page = await client.GetStringAsync("account/login");
        var fields = HiddenInput().Matches(page).ToDictionary(m => WebUtility.HtmlDecode(m.Groups["name"].Value), m => WebUtility.HtmlDecode(m.Groups["value"].Value));
        fields[NamedInput("email").Match(page).Groups["name"].Value] = email;
        fields[NamedInput("password").Match(page).Groups["name"].Value] = password;
        return await client.PostAsync("account/login", new FormUrlEncodedContent(fields));
    }

    /// <summary>The antiforgery token of any page's forms, for posting to an endpoint.</summary>
    public static async Task<Dictionary<string, string>> FormTokenAsync(HttpClient client, string path)
    {
        var page = await client.GetStringAsync(path);
        return HiddenInput().Matches(page).ToDictionary(m => WebUtility.HtmlDecode(m.Groups["name"].Value), m => WebUtility.HtmlDecode(m.Groups["value"].Value));
    }

    [GeneratedRegex("<input type=\"hidden\" name=\"(?<name>[^\"]+)\" value=\"(?<value>[^\"]*)\"")]
    private static partial Regex HiddenInput();

    static Regex NamedInput(string id) => new($"""id="{id}"[^>]*name="(?<name>[^"]+)"|name="(?<name>[^"]+)"[^>]*id="{id}""");
}
