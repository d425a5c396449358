using System.Globalization;
using System.Text;

namespace Narratives.Ingest.Formats;

/// <summary>The header of an export: column names matched case- and accent-insensitively, trimmed.</summary>
public sealed class Header
{
    readonly Dictionary<string, int> positions = new(StringComparer.Ordinal);

    public Header(IReadOnlyList<string> cells, int line)
    {
        Cells = cells;
        Line = line;
        for (var i = 0; i < cells.Count; i++)
            positions.TryAdd(Normalize(cells[i]), i);
    }

    public IReadOnlyList<string> Cells { get; }
    public int Line { get; }

    public bool Has(string name) => positions.ContainsKey(Normalize(name));

    public bool HasAll(params string[] names) => names.All(Has);

    /// <summary>The position of the first of <paramref name="names"/> present, or -1.</summary>
    public int IndexOf(params string[] names)
    {
        foreach (var n in names)
            if (positions.TryGetValue(Normalize(n), out var i)) return i;
        return -1;
    }

    /// <summary>The first column whose name starts with <paramref name="prefix"/> (such as "Amount spent ("), or -1.</summary>
    public int IndexStartingWith(string prefix)
    {
        var p = Normalize(prefix);
        for (var i = 0; i < Cells.Count; i++)
            if (Normalize(Cells[i]).StartsWith(p, StringComparison.Ordinal)) return i;
        return -1;
    }

    public static string Normalize(string name)
    {
        var s = name.Trim().Trim('\uFEFF', '"').Trim().ToLowerInvariant().Normalize(NormalizationForm.FormD);
        var sb = new StringBuilder(s.Length);
        foreach (var c in s)
            if (CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark)
                sb.Append(c == '\u2019' ? '\'' : c);
        return sb.ToString();
    }
}

/// <summary>One data record read through its header; every failing read names its column.</summary>
public sealed class CsvRow(Header header, CsvRecord record)
{
    public int Line => record.Line;
    public string RawText => record.RawText;
    public IReadOnlyList<string> Fields => record.Fields;

    public string Text(params string[] names)
    {
        var i = header.IndexOf(names);
        return i < 0 || i >= record.Fields.Length ? "" : record.Fields[i].Trim();
    }

    public string? TextOrNull(params string[] names)
    {
        var t = Text(names);
        return t.Length == 0 ? null : t;
    }

    public string At(int index) => index < 0 || index >= record.Fields.Length ? "" : record.Fields[index].Trim();

    public string ColumnName(params string[] names)
    {
        var i = header.IndexOf(names);
        return i < 0 ? names[0] : header.Cells[i].Trim();
    }

    public long? Count(params string[] names) => Values.Count(Text(names), ColumnName(names));

    public decimal? Decimal(params string[] names) => Values.Decimal(Text(names), ColumnName(names));

    public DateTimeOffset? Timestamp(params string[] names) => Values.Timestamp(Text(names), ColumnName(names));

    public DateOnly? Date(params string[] names) => Values.Date(Text(names), ColumnName(names));

    public int? Duration(params string[] names) => Values.Duration(Text(names), ColumnName(names));

    public string Required(params string[] names)
    {
        var t = Text(names);
        return t.Length > 0 ? t : throw new CellException(ColumnName(names), "This column is empty; it is required.");
    }

    /// <summary>Sums counts that a platform splits (X reposts and shares); null when none is reported.</summary>
    public static long? Sum(params long?[] values) =>
        values.All(v => v is null) ? null : values.Sum(v => v ?? 0);
}
