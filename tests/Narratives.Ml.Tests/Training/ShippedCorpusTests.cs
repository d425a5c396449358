using System.Text.RegularExpressions;
using Narratives.Core.Reference;
using Narratives.Ml.Training;

namespace Narratives.Ml.Tests.Training;

/// <summary>The shipped training corpus keeps the promises its README makes: sizes, labels, languages, no repeats.</summary>
public sealed partial class ShippedCorpusTests
{
    static readonly Taxonomy Taxonomy = Taxonomy.Load();
    static readonly IReadOnlyList<LabelledText> Themes = ProjectTrainingData.Corpus(ClassifierTask.Theme, Taxonomy);
    static readonly IReadOnlyList<LabelledText> Audiences = ProjectTrainingData.Corpus(ClassifierTask.Audience, Taxonomy);

    [Fact]
    public void Every_theme_has_at_least_sixty_rows_in_each_language()
    {
        foreach (var language in new[] { "en", "fr", "ar" })
            foreach (var theme in Taxonomy.Themes)
            {
                var count = Themes.Count(r => r.Language == language && r.Labels[0] == theme.Id);
                Assert.True(count >= 60, $"{theme.Id} has {count} rows in {language}");
            }
        Assert.True(Themes.Count >= 1440);
    }

    [Fact]
    public void Every_row_has_one_theme_and_one_to_three_distinct_audiences()
    {
        Assert.Equal(Themes.Count, Audiences.Count);
        Assert.All(Themes, r => Assert.Single(r.Labels));
        Assert.All(Audiences, r => Assert.InRange(r.Labels.Count, 1, 3));
        Assert.All(Audiences, r => Assert.Equal(r.Labels.Count, r.Labels.Distinct().Count()));
        // Every audience is taught with enough examples to learn and to check it by cross-validation.
        foreach (var audience in Taxonomy.Audiences)
            Assert.True(Audiences.Count(r => r.Labels.Contains(audience.Id)) >= 100, $"{audience.Id} has too few rows");
    }

    [Fact]
    public void Each_rows_language_matches_the_script_of_its_text()
    {
        foreach (var row in Themes)
        {
            var arabic = ArabicLetter().Count(row.Text);
            var latin = LatinLetter().Count(row.Text);
            if (row.Language == "ar") Assert.True(arabic > latin, $"Not mostly Arabic script: {row.Text[..Math.Min(60, row.Text.Length)]}");
            else Assert.True(arabic == 0 && latin > 0, $"{row.Language} row with Arabic script or no letters: {row.Text[..Math.Min(60, row.Text.Length)]}");
        }
    }

    [Fact]
    public void No_text_is_repeated()
    {
        var repeated = Themes.GroupBy(r => r.Text.Trim(), StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key[..Math.Min(60, g.Key.Length)]).ToList();
        Assert.Empty(repeated);
    }

    [GeneratedRegex(@"\p{IsArabic}")]
    private static partial Regex ArabicLetter();

    [GeneratedRegex("[A-Za-z]")]
    private static partial Regex LatinLetter();
}
