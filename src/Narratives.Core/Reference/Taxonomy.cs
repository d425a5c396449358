using System.Text.Json;

namespace Narratives.Core.Reference;

public sealed record TaxonomyTerm(string Id, string Label, string Definition);

/// <summary>The narrative themes and audiences of data/taxonomy.json; every page and the classifier read them from here.</summary>
public sealed record Taxonomy(string Version, IReadOnlyList<TaxonomyTerm> Themes, IReadOnlyList<TaxonomyTerm> Audiences)
{
    static readonly JsonSerializerOptions Json = new() { PropertyNameCaseInsensitive = true };

    public static Taxonomy Load(string? path = null)
    {
        path ??= DataFiles.Path("taxonomy.json");
        using var stream = File.OpenRead(path);
        var taxonomy = JsonSerializer.Deserialize<Taxonomy>(stream, Json)
            ?? throw new InvalidDataException($"{path} is empty.");
        if (taxonomy.Themes.Count == 0 || taxonomy.Audiences.Count == 0)
            throw new InvalidDataException($"{path} must list at least one theme and one audience.");
        return taxonomy;
    }

    public bool IsTheme(string id) => Themes.Any(t => t.Id == id);
    public bool IsAudience(string id) => Audiences.Any(a => a.Id == id);
    public string ThemeLabel(string id) => Themes.FirstOrDefault(t => t.Id == id)?.Label ?? id;
    public string AudienceLabel(string id) => Audiences.FirstOrDefault(a => a.Id == id)?.Label ?? id;
}
