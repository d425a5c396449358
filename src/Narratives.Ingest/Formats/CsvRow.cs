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

    /// <summary>A column found once per file, for formats that read many rows by the same names.</summary>
    public Column Find(params string[] names)
    {
        var i = IndexOf(names);
        return new Column(i, i < 0 ? names[0] : Cells[i].Trim());
    }

    /// <summary>The first column whose name starts with <paramref name="prefix"/> (such as "Amount spent ("), or -1.</summary>
    public int IndexStartingWith(string prefix)
    {
        var p = Normalize(prefix);
        for (var i = 0; i < Cells.Count; i++)
            if (Normalize(Cells[i]).StartsWith(p, StringComparison.Ordinal)) return i;
        return -1;
    }

    static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> Normalized = new(StringComparer.Ordinal);

    /// <summary>Column names are looked up for every row: each distinct name is normalised once.</summary>
    public static string Normalize(string name) =>
        Normalized.Count < 10_000 ? Normalized.GetOrAdd(name, NormalizeUncached) : NormalizeUncached(name);

    static string NormalizeUncached(string name)
    {
        var s = name.Trim().Trim('\uFEFF', '"').Trim().ToLowerInvariant().Normalize(NormalizationForm.FormD);
        var sb = new StringBuilder(s.Length);
        foreach (var c in s)
            if (CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark)
                sb.Append(c == '\u2019' ? '\'' : c);
        return sb.ToString();
    }
}

/// <summary>A column of a header: its position (-1 when the file does not have it) and its name for messages.</summary>
public readonly record struct Column(int Index, string Name);

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

    // The column's name is looked up only when a cell is bad: these run for every cell of every row.
    public long? Count(params string[] names) => Named(names, t => Values.Count(t, ""));

    public decimal? Decimal(params string[] names) => Named(names, t => Values.Decimal(t, ""));

    public DateTimeOffset? Timestamp(params string[] names) => Named(names, t => Values.Timestamp(t, ""));

    public DateOnly? Date(params string[] names) => Named(names, t => Values.Date(t, ""));

    public int? Duration(params string[] names) => Named(names, t => Values.Duration(t, ""));

    T Named<T>(string[] names, Func<string, T> read)
    {
        var i = header.IndexOf(names);
        var text = i < 0 || i >= record.Fields.Length ? "" : record.Fields[i];
        try
        {
            return read(text);
        }
        catch (CellException ex)
        {
            throw new CellException(i < 0 ? names[0] : header.Cells[i].Trim(), ex.Message);
        }
    }

    // The same reads by a column found once per file: no lookup of the names for every cell.
    public string Text(Column c) => c.Index < 0 || c.Index >= record.Fields.Length ? "" : record.Fields[c.Index].Trim();

    public string? TextOrNull(Column c)
    {
        var t = Text(c);
        return t.Length == 0 ? null : t;
    }

    public string Required(Column c)
    {
        var t = Text(c);
        return t.Length > 0 ? t : throw new CellException(c.Name, "This column is empty; it is required.");
    }

    public long? Count(Column c) => At(c, static t => Values.Count(t, ""));

    public decimal? Decimal(Column c) => At(c, static t => Values.Decimal(t, ""));

    public DateTimeOffset? Timestamp(Column c) => At(c, static t => Values.Timestamp(t, ""));

    public DateOnly? Date(Column c) => At(c, static t => Values.Date(t, ""));

    T At<T>(Column c, Func<string, T> read)
    {
        var text = c.Index < 0 || c.Index >= record.Fields.Length ? "" : record.Fields[c.Index];
        try
        {
            return read(text);
        }
        catch (CellException ex)
        {
            throw new CellException(c.Name, ex.Message);
        }
    }

    public string Required(params string[] names)
    {
        var t = Text(names);
        return t.Length > 0 ? t : throw new CellException(ColumnName(names), "This column is empty; it is required.");
    }

    /// <summary>Sums counts that a platform splits (X reposts and shares); null when none is reported.</summary>
    public static long? Sum(params long?[] values) =>
        values.All(v => v is null) ? null : values.Sum(v => v ?? 0);
}
