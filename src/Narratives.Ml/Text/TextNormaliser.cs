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

    /// <summary>
    /// What the model sees: <see cref="Normalise"/>, then Latin letters without their accents (é → e, ç → c), as ML.NET's
    /// own text normaliser would fold them, but once, here, so that the model's featurizer has nothing left to normalise.
    /// </summary>
    public static string NormaliseForModel(string? text) => FoldLatinDiacritics(Normalise(text));

    public static string Normalise(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return "";
        var s = text.Normalize(NormalizationForm.FormKC);
        s = RemoveInvisibleAndArabicMarks(s);
        // Each pattern only where it can match (a link needs a dot or "://", a mention an @, ...): most texts skip most.
        if (s.Contains('.') || s.Contains("://", StringComparison.Ordinal)) s = Url().Replace(s, $" {UrlToken} ");
        if (s.Contains('@')) s = Mention().Replace(s, $" {MentionToken} ");
        if (s.Contains('#')) s = Hashtag().Replace(s, m => " # " + WordBoundary().Replace(m.Groups[1].Value, " ").Replace('_', ' ') + " ");
        if (HasDigit(s)) s = Number().Replace(s, $" {NumberToken} ");
        s = s.ToLowerInvariant();
        return SeparatePunctuation(s);
    }

    static bool HasDigit(string s)
    {
        foreach (var c in s)
            if (char.IsDigit(c)) return true;
        return false;
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
        for (var i = 0; i < s.Length; i++)
        {
            // A surrogate pair is one character (an emoji, a rare letter): classified and copied whole.
            var pair = char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]);
            var category = pair ? CharUnicodeInfo.GetUnicodeCategory(char.ConvertToUtf32(s[i], s[i + 1])) : CharUnicodeInfo.GetUnicodeCategory(s[i]);
            if (!pair && (char.IsWhiteSpace(s[i]) || char.IsControl(s[i])))
            {
                if (!space) b.Append(' ');
                space = true;
                continue;
            }
            var separated = IsSeparated(category);
            if (separated && !space) b.Append(' ');
            b.Append(s[i]);
            if (pair) b.Append(s[++i]);
            if (separated) b.Append(' ');
            space = separated;
        }
        var end = b.Length;
        while (end > 0 && b[end - 1] == ' ') end--;
        return b.ToString(0, end);
    }

    /// <summary>Latin-1 Supplement and Latin Extended-A and -B letters without their accents, computed once.</summary>
    static readonly string?[] LatinFolds = Enumerable.Range(0xC0, 0x250 - 0xC0).Select(c =>
    {
        var decomposed = ((char)c).ToString().Normalize(NormalizationForm.FormD);
        var kept = new string(decomposed.Where(d => CharUnicodeInfo.GetUnicodeCategory(d) != UnicodeCategory.NonSpacingMark).ToArray());
        return kept.Length == 0 || kept == ((char)c).ToString() ? null : kept;
    }).ToArray();

    static string FoldLatinDiacritics(string s)
    {
        var first = -1;
        for (var i = 0; i < s.Length && first < 0; i++)
            if (s[i] is >= '\u00C0' and < '\u0250' && LatinFolds[s[i] - 0xC0] is not null || s[i] is >= '\u0300' and <= '\u036F')
                first = i;
        if (first < 0) return s;
        var b = new StringBuilder(s.Length);
        b.Append(s, 0, first);
        for (var i = first; i < s.Length; i++)
        {
            var c = s[i];
            if (c is >= '\u0300' and <= '\u036F') continue; // a combining accent left on its own
            if (c is >= '\u00C0' and < '\u0250' && LatinFolds[c - 0xC0] is { } folded) b.Append(folded);
            else b.Append(c);
        }
        return b.ToString();
    }

    static bool IsSeparated(UnicodeCategory c) => c is UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation
        or UnicodeCategory.OpenPunctuation or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation
        or UnicodeCategory.FinalQuotePunctuation or UnicodeCategory.OtherPunctuation or UnicodeCategory.MathSymbol
        or UnicodeCategory.CurrencySymbol or UnicodeCategory.ModifierSymbol or UnicodeCategory.OtherSymbol;
}
