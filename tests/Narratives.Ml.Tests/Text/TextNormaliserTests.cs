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

    [Theory]
    // The model's text: Latin accents folded as well (once, here, rather than again inside ML.NET); Arabic as before
    [InlineData("L'État n'a « rien » fait", "l ' etat n ' a « rien » fait")]
    [InlineData("Ça suffit : très, très grave ; Noël à Orléans", "ca suffit : tres , tres grave ; noel a orleans")]
    [InlineData("e\u0301cole", "ecole")] // an accent written as a separate combining mark
    [InlineData("أنا إنسان آمن", "انا انسان امن")]
    [InlineData("straße œuvre", "straße œuvre")] // letters that are not a base letter plus an accent stay
    public void The_model_text_also_folds_latin_accents(string input, string expected) => Assert.Equal(expected, TextNormaliser.NormaliseForModel(input));

    [Fact]
    public void An_emoji_outside_the_basic_plane_is_one_token_of_its_own()
    {
        Assert.Equal("we stand together 🤝 # unity", TextNormaliser.Normalise("We stand together🤝#Unity"));
        Assert.Equal("معا 💪 دائما", TextNormaliser.Normalise("معا💪دائما"));
    }

    [Fact]
    public void Text_without_links_mentions_hashtags_or_digits_only_gets_case_and_punctuation_changes()
    {
        Assert.Equal("no links here , just words .", TextNormaliser.Normalise("No links here, just words."));
        Assert.Equal("email me at mentiontoken", TextNormaliser.Normalise("Email me at @desk"));
    }

    [Fact]
    public void Empty_text_stays_empty() => Assert.Equal("", TextNormaliser.Normalise("  \u200B "));
}
