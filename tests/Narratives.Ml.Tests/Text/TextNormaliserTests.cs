using Narratives.Ml.Text;

namespace Narratives.Ml.Tests.Text;

public sealed class TextNormaliserTests
{
    [Theory]
    // Latin script: case, URLs, mentions, numbers, hashtags split into words, punctuation separated
    [InlineData("Read more: https://example.org/x?y=1 now!", "read more : urltoken now !")]
    [InlineData("Full sources at example.org/clearwater/economy", "full sources at urltoken")]
    [InlineData("Thanks @AmaniYouthHub for 2,500 views", "thanks mentiontoken for numtoken views")]
    [InlineData("#NotTheDeal #BradfordYouthVoice", "# not the deal # bradford youth voice")]
    [InlineData("#COP28Youth", "# cop numtoken youth")]
    [InlineData("lies,hypocrisy.", "lies , hypocrisy .")]
    // French: accents kept, elision separated, guillemets separated
    [InlineData("L'État n'a « rien » fait", "l ' état n ' a « rien » fait")]
    [InlineData("#PasEnMonNom", "# pas en mon nom")]
    public void Latin_text_is_normalised(string input, string expected) => Assert.Equal(expected, TextNormaliser.Normalise(input));

    [Theory]
    // Alef variants become bare alef, teh marbuta heh, alef maqsura yeh; diacritics and tatweel go
    [InlineData("أنا إنسان آمن", "انا انسان امن")]
    [InlineData("مدرسة على", "مدرسه علي")]
    [InlineData("الإِسْلَامُ", "الاسلام")]
    [InlineData("سـلام", "سلام")]
    // Arabic hashtags with underscores become words, Arabic-Indic digits a number
    [InlineData("#لا_للعنف ٢٠٢٤", "# لا للعنف numtoken")]
    [InlineData("قال: «كفى»؟", "قال : « كفي » ؟")]
    public void Arabic_text_is_normalised(string input, string expected) => Assert.Equal(expected, TextNormaliser.Normalise(input));

    [Fact]
    public void Zero_width_characters_and_direction_marks_are_removed()
    {
        Assert.Equal("zerowidth", TextNormaliser.Normalise("zero\u200Bwidth\u200D\uFEFF"));
        Assert.Equal("سلام", TextNormaliser.Normalise("\u200Fسلام\u200E"));
    }

    [Fact]
    public void Compatibility_forms_are_folded_by_nfkc()
    {
        Assert.Equal("fine", TextNormaliser.Normalise("ﬁne")); // ligature
        Assert.Equal("abc", TextNormaliser.Normalise("ＡＢＣ")); // full width
        Assert.Equal("لا", TextNormaliser.Normalise("\uFEFB")); // Arabic presentation form of lam-alef
    }

    [Fact]
    public void Empty_text_stays_empty() => Assert.Equal("", TextNormaliser.Normalise("  \u200B "));
}
