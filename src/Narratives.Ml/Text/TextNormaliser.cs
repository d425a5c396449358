using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Narratives.Ml.Text;

/// <summary>
/// Prepares text for ML.NET, whose tokeniser splits on whitespace only: NFKC, no zero-width characters, one spelling
/// for Arabic letter variants and no Arabic diacritics, placeholders for links, mentions and numbers, hashtags split
/// into their words, punctuation as tokens of its own, lower case.
/// </summary>
public static partial class TextNormaliser
{
    public const string UrlToken = "urltoken", MentionToken = "mentiontoken", NumberToken = "numtoken";

    [GeneratedRegex(@"(?:https?://|www\.)\S+|\b(?:[\p{L}\p{N}-]+\.)+(?:com|org|net|info|io|eu|int|gov|edu|[a-z]{2})\b(?:/\S*)?", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Url();

    [GeneratedRegex(@"(?<![\p{L}\p{N}_])@[\p{L}\p{N}_.]+")]
    private static partial Regex Mention();

    [GeneratedRegex(@"#([\p{L}\p{M}\p{N}_]+)")]
    private static partial Regex Hashtag();

    // Lower-to-upper and letter-to-digit boundaries inside a hashtag: #NotTheDeal, #COP28Youth.
    [GeneratedRegex(@"(?<=\p{Ll})(?=\p{Lu})|(?<=\p{Lu})(?=\p{Lu}\p{Ll})|(?<=\p{L})(?=\p{N})|(?<=\p{N})(?=\p{L})")]
    private static partial Regex WordBoundary();

    [GeneratedRegex(@"\p{Nd}+(?:[.,]\p{Nd}+)*")]
    private static partial Regex Number();

    public static string Normalise(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return "";
        var s = text.Normalize(NormalizationForm.FormKC);
        s = RemoveInvisibleAndArabicMarks(s);
        s = Url().Replace(s, $" {UrlToken} ");
        s = Mention().Replace(s, $" {MentionToken} ");
        s = Hashtag().Replace(s, m => " # " + WordBoundary().Replace(m.Groups[1].Value, " ").Replace('_', ' ') + " ");
        s = Number().Replace(s, $" {NumberToken} ");
        s = s.ToLowerInvariant();
        return SeparatePunctuation(s);
    }

    static string RemoveInvisibleAndArabicMarks(string s)
    {
        var b = new StringBuilder(s.Length);
        foreach (var c in s)
        {
            switch (c)
            {
                case '\u200B' or '\u200C' or '\u200D' or '\u200E' or '\u200F' or '\u2060' or '\u2061' or '\u2062' or '\u2063' or '\u2064'
                    or '\uFEFF' or '\u00AD' or (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069'):
                    continue; // zero-width and direction marks
                case '\u0640':
                    continue; // tatweel (kashida), a stretching stroke
                case (>= '\u064B' and <= '\u065F') or '\u0670' or (>= '\u06D6' and <= '\u06ED'):
                    continue; // harakat, tanwin, shadda, sukun, dagger alef, Quranic marks
                case '\u0622' or '\u0623' or '\u0625' or '\u0671':
                    b.Append('\u0627'); break; // alef with madda or hamza, wasla -> bare alef
                case '\u0649':
                    b.Append('\u064A'); break; // alef maqsura -> yeh
                case '\u0629':
                    b.Append('\u0647'); break; // teh marbuta -> heh
                case '\u06CC':
                    b.Append('\u064A'); break; // Farsi yeh -> Arabic yeh
                case '\u06A9':
                    b.Append('\u0643'); break; // keheh -> kaf
                default:
                    b.Append(c); break;
            }
        }
        return b.ToString();
    }

    static string SeparatePunctuation(string s)
    {
        var b = new StringBuilder(s.Length + 16);
        var space = true;
        foreach (var rune in s.EnumerateRunes())
        {
            var category = Rune.GetUnicodeCategory(rune);
            if (Rune.IsWhiteSpace(rune) || Rune.IsControl(rune))
            {
                if (!space) b.Append(' ');
                space = true;
            }
            else if (IsSeparated(category))
            {
                if (!space) b.Append(' ');
                b.Append(rune.ToString()).Append(' ');
                space = true;
            }
            else
            {
                b.Append(rune.ToString());
                space = false;
            }
        }
        return b.ToString().TrimEnd();
    }

    static bool IsSeparated(UnicodeCategory c) => c is UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation
        or UnicodeCategory.OpenPunctuation or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation
        or UnicodeCategory.FinalQuotePunctuation or UnicodeCategory.OtherPunctuation or UnicodeCategory.MathSymbol
        or UnicodeCategory.CurrencySymbol or UnicodeCategory.ModifierSymbol or UnicodeCategory.OtherSymbol;
}
