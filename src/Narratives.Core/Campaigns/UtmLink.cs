namespace Narratives.Core.Campaigns;

/// <summary>The UTM parameters a landing link carries, so that web analytics can attribute visits to the campaign.</summary>
public sealed record UtmParameters(string Source, string Medium, string Campaign, string Content = "");

/// <summary>Builds a landing link with UTM parameters, keeping the link's own query, and reads them back.</summary>
public static class UtmLink
{
    static readonly string[] Keys = ["utm_source", "utm_medium", "utm_campaign", "utm_content"];

    /// <summary>The address with the given UTM parameters; blank ones are left out and earlier UTM values replaced.</summary>
    public static string Build(string address, UtmParameters utm)
    {
        if (!Uri.TryCreate(address.Trim(), UriKind.Absolute, out var uri)) return address;
        var kept = Split(uri.Query).Where(p => !Keys.Contains(p.Key, StringComparer.OrdinalIgnoreCase)).ToList();
        (string Key, string Value)[] added =
        [
            ("utm_source", Slug(utm.Source)), ("utm_medium", Slug(utm.Medium)), ("utm_campaign", Slug(utm.Campaign)), ("utm_content", Slug(utm.Content)),
        ];
        var query = string.Join("&", kept.Select(p => p.Raw)
            .Concat(added.Where(p => p.Value.Length > 0).Select(p => $"{p.Key}={Uri.EscapeDataString(p.Value)}")));
        var builder = new UriBuilder(uri) { Query = query };
        if (uri.IsDefaultPort) builder.Port = -1;
        return builder.Uri.AbsoluteUri;
    }

    /// <summary>The address without its UTM parameters, and the parameters it had.</summary>
    public static (string Address, UtmParameters Utm) Parse(string? address)
    {
        if (address is null || !Uri.TryCreate(address, UriKind.Absolute, out var uri)) return (address ?? "", new UtmParameters("", "", ""));
        var pairs = Split(uri.Query);
        string Get(string key) => pairs.FirstOrDefault(p => p.Key.Equals(key, StringComparison.OrdinalIgnoreCase)).Value ?? "";
        var kept = pairs.Where(p => !Keys.Contains(p.Key, StringComparer.OrdinalIgnoreCase)).Select(p => p.Raw);
        var builder = new UriBuilder(uri) { Query = string.Join("&", kept) };
        if (uri.IsDefaultPort) builder.Port = -1;
        return (builder.Uri.AbsoluteUri, new UtmParameters(Get("utm_source"), Get("utm_medium"), Get("utm_campaign"), Get("utm_content")));
    }

    /// <summary>Lower case, spaces as hyphens: what analytics tools group on.</summary>
    public static string Slug(string text) =>
        string.Join("-", text.Trim().ToLowerInvariant().Split(' ', StringSplitOptions.RemoveEmptyEntries));

    static List<(string Key, string Value, string Raw)> Split(string query) =>
        query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(raw =>
            {
                var eq = raw.IndexOf('=');
                var key = Uri.UnescapeDataString(eq < 0 ? raw : raw[..eq]);
                var value = eq < 0 ? "" : Uri.UnescapeDataString(raw[(eq + 1)..].Replace('+', ' '));
                return (key, value, raw);
            }).ToList();
}
