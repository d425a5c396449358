using System.Globalization;
using System.Text.RegularExpressions;

namespace Narratives.Ingest.Formats;

/// <summary>A cell that cannot be read; the row is quarantined with this column and message.</summary>
public sealed class CellException(string? column, string message) : Exception(message)
{
    public string? Column { get; } = column;
}

/// <summary>How platforms write numbers, durations and dates in their exports, read leniently but never guessed.</summary>
public static partial class Values
{
    static readonly CultureInfo French = CultureInfo.GetCultureInfo("fr-FR");

    public static bool IsNotApplicable(string s) =>
        s.Length == 0 || s is "--" or "-" or "—" or "N/A" or "n/a" or "NA" or "null" or " --";

    /// <summary>A non-negative whole count: <c>1,234</c>, <c>1 234</c>, <c>1.2K</c>, <c>3,4 M</c>; null when not reported.</summary>
    public static long? Count(string raw, string column)
    {
        if (PlainCount(raw) is { } plain) return plain;
        var s = raw.Trim();
        if (IsNotApplicable(s)) return null;
        if (s.StartsWith('-')) throw new CellException(column, $"\"{raw}\" is negative; counts cannot be.");
        var multiplier = 1m;
        var last = char.ToUpperInvariant(s[^1]);
        if (last is 'K' or 'M' or 'B')
        {
            multiplier = last switch { 'K' => 1_000m, 'M' => 1_000_000m, _ => 1_000_000_000m };
            s = s[..^1].TrimEnd();
            var number = Decimal(s, column, raw);
            if (number is null) throw new CellException(column, $"\"{raw}\" is not a number.");
            return (long)Math.Round(number.Value * multiplier, MidpointRounding.AwayFromZero);
        }
        s = StripSpaces(s);
        if (GroupedThousands().IsMatch(s)) s = s.Replace(",", "").Replace(".", "").Replace("'", "");
        if (long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var whole)) return whole;
        if (decimal.TryParse(s, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var d) && d == decimal.Truncate(d))
            return (long)d;
        throw new CellException(column, $"\"{raw}\" is not a whole number.");
    }

    /// <summary>Plain digits, the common case, read in one pass without the number parser; else null.</summary>
    static long? PlainCount(string s)
    {
        if (s.Length is 0 or > 18) return null;
        var n = 0L;
        foreach (var c in s)
        {
            var digit = (uint)(c - '0');
            if (digit > 9) return null;
            n = n * 10 + digit;
        }
        return n;
    }

    /// <summary>A non-negative decimal such as an amount spent or hours watched; null when not reported.</summary>
    public static decimal? Decimal(string raw, string column, string? shown = null)
    {
        var s = raw.Trim();
        if (PlainDecimal(s) is { } plain) return plain;
        if (IsNotApplicable(s)) return null;
        s = StripSpaces(s.TrimStart('$', '€', '£').TrimEnd('€', '$', '£'));
        if (s.StartsWith('-')) throw new CellException(column, $"\"{shown ?? raw}\" is negative; it cannot be.");
        var comma = s.LastIndexOf(',');
        var dot = s.LastIndexOf('.');
        if (comma >= 0 && dot >= 0)
            s = comma > dot ? s.Replace(".", "").Replace(',', '.') : s.Replace(",", "");
        else if (comma >= 0)
            s = GroupedThousands().IsMatch(s) ? s.Replace(",", "") : s.Replace(',', '.');
        if (decimal.TryParse(s, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value)) return value;
        throw new CellException(column, $"\"{shown ?? raw}\" is not a number.");
    }

    /// <summary>Digits with at most one decimal point (<c>91.59</c>), the common case, read without the number parser; else null.</summary>
    static decimal? PlainDecimal(string s)
    {
        if (s.Length is 0 or > 18) return null;
        var mantissa = 0L;
        var scale = -1;
        foreach (var c in s)
        {
            if (c == '.' && scale < 0) { scale = 0; continue; }
            if (c is < '0' or > '9') return null;
            mantissa = mantissa * 10 + (c - '0');
            if (scale >= 0) scale++;
        }
        if (scale == 0) return null;
        return new decimal((int)mantissa, (int)(mantissa >> 32), 0, false, (byte)Math.Max(scale, 0));
    }

    /// <summary>A duration as <c>0:02:31</c>, <c>2:31</c> or seconds; null when not reported.</summary>
    public static int? Duration(string raw, string column)
    {
        var s = raw.Trim();
        if (IsNotApplicable(s)) return null;
        if (s.Contains(':'))
        {
            var parts = s.Split(':');
            var seconds = 0;
            foreach (var p in parts)
            {
                if (!int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
                    throw new CellException(column, $"\"{raw}\" is not a duration like 0:02:31.");
                seconds = seconds * 60 + n;
            }
            return seconds;
        }
        var value = Decimal(s, column) ?? 0;
        return (int)Math.Round(value);
    }

    static readonly string[] DateTimeFormats =
    [
        "yyyy-MM-dd", "yyyy-MM-ddTHH:mm:ss", "yyyy-MM-ddTHH:mm:ssK", "yyyy-MM-ddTHH:mm:ss.fffK", "yyyy-MM-ddTHH:mm",
        "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm", "yyyy-MM-dd HH:mm zzz", "yyyy-MM-dd HH:mm:ss zzz",
        "MM/dd/yyyy HH:mm", "MM/dd/yyyy H:mm", "M/d/yyyy H:mm", "M/d/yyyy HH:mm", "MM/dd/yyyy", "M/d/yyyy",
        "MMM d, yyyy", "MMMM d, yyyy", "ddd, MMM d, yyyy", "MMM d, yyyy HH:mm", "d MMM yyyy", "d MMMM yyyy",
        "ddd MMM dd HH:mm:ss zzz yyyy",
    ];

    static readonly string[] FrenchFormats = ["d MMMM yyyy", "d MMM yyyy", "dd/MM/yyyy", "dd/MM/yyyy HH:mm", "d MMM. yyyy"];

    /// <summary>A date and time as platforms write them; times without a zone are taken as UTC.</summary>
    public static DateTimeOffset? Timestamp(string raw, string column)
    {
        var s = raw.Trim();
        if (IsNotApplicable(s)) return null;
        // ISO 8601, the common case, read directly: digits by position, no format parsing.
        if (IsoDate(s) is { } isoDay)
        {
            if (s.Length == 10) return new DateTimeOffset(isoDay.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            if (s.Length == 20 && s[10] == 'T' && s[13] == ':' && s[16] == ':' && s[19] == 'Z' &&
                TwoDigits(s, 11) is >= 0 and < 24 and var hour && TwoDigits(s, 14) is >= 0 and < 60 and var minute &&
                TwoDigits(s, 17) is >= 0 and < 60 and var second)
                return new DateTimeOffset(isoDay.ToDateTime(new TimeOnly(hour, minute, second)), TimeSpan.Zero);
        }
        if (s.Length == 10 && s[4] == '-' && s[7] == '-' &&
            DateOnly.TryParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
            return new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        if (s.Length > 10 && s[4] == '-' && s[7] == '-' && s[10] == 'T' &&
            DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var iso))
            return iso.ToUniversalTime();
        if (s.EndsWith(" +0000", StringComparison.Ordinal)) s = s[..^6] + " +00:00";
        if (DateTimeOffset.TryParseExact(s, DateTimeFormats, CultureInfo.InvariantCulture,
                DateTimeStyles.AllowWhiteSpaces | DateTimeStyles.AssumeUniversal, out var value))
            return value.ToUniversalTime();
        if (DateTimeOffset.TryParseExact(s, FrenchFormats, French,
                DateTimeStyles.AllowWhiteSpaces | DateTimeStyles.AssumeUniversal, out value))
            return value.ToUniversalTime();
        throw new CellException(column, ImpossibleOrUnreadable(raw));
    }

    /// <summary>A real date written <c>yyyy-MM-dd</c> at the start of <paramref name="s"/>, else null.</summary>
    static DateOnly? IsoDate(string s)
    {
        if (s.Length < 10 || s[4] != '-' || s[7] != '-') return null;
        var year = TwoDigits(s, 0) * 100 + TwoDigits(s, 2);
        var month = TwoDigits(s, 5);
        var day = TwoDigits(s, 8);
        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month)) return null;
        return new DateOnly(year, month, day);
    }

    /// <summary>The number written by two ASCII digits at <paramref name="at"/>, or a negative number.</summary>
    static int TwoDigits(string s, int at)
    {
        int a = s[at] - '0', b = s[at + 1] - '0';
        return (uint)a <= 9 && (uint)b <= 9 ? a * 10 + b : -1000;
    }

    public static DateOnly? Date(string raw, string column)
    {
        var s = raw.Trim();
        if (IsNotApplicable(s)) return null;
        if (s.Length == 10 && IsoDate(s) is { } day) return day;
        var ts = Timestamp(s, column)!.Value;
        // Dates given without a time stay on the day written, whatever the zone.
        return DateOnly.FromDateTime(ts.UtcDateTime);
    }

    static string ImpossibleOrUnreadable(string raw) =>
        IsoLike().IsMatch(raw.Trim()) ? $"\"{raw}\" is not a real date." : $"\"{raw}\" is not a date this export uses.";

    /// <summary>A day and month without a year (TikTok): the latest such day on or before <paramref name="periodEnd"/>.</summary>
    public static DateOnly DayWithoutYear(string raw, string column, DateOnly periodEnd)
    {
        var s = raw.Trim();
        string[] en = ["MMM d", "MMMM d", "MMM dd", "MM/dd", "M/d", "MMM d HH:mm", "MMM d, HH:mm"];
        string[] fr = ["d MMM", "d MMMM", "d MMM.", "dd/MM", "d MMM HH:mm", "d MMM. HH:mm"];
        foreach (var year in new[] { periodEnd.Year, periodEnd.Year - 1 })
        {
            if (TryDay(s + " " + year, en.Select(f => f + " yyyy").ToArray(), CultureInfo.InvariantCulture, out var d) ||
                TryDay(s + " " + year, fr.Select(f => f + " yyyy").ToArray(), French, out d))
            {
                if (d <= periodEnd) return d;
                continue;
            }
            // 29 February in a year without it, or an unreadable text.
            if (year == periodEnd.Year) continue;
        }
        // A full date is also accepted.
        return Date(raw, column) ?? throw new CellException(column, "The date is missing.");
    }

    static bool TryDay(string s, string[] formats, CultureInfo culture, out DateOnly day)
    {
        if (DateTime.TryParseExact(s, formats, culture, DateTimeStyles.AllowWhiteSpaces, out var dt))
        {
            day = DateOnly.FromDateTime(dt);
            return true;
        }
        day = default;
        return false;
    }

    static string StripSpaces(string s) => s.Replace(" ", "").Replace("\u00A0", "").Replace("\u202F", "");

    [GeneratedRegex(@"^\d{1,3}([,.' ]\d{3})+$")]
    private static partial Regex GroupedThousands();

    [GeneratedRegex(@"^\d{4}-\d{1,2}-\d{1,2}|^\d{1,2}/\d{1,2}/\d{4}")]
    private static partial Regex IsoLike();
}
