using System.Text;

namespace Narratives.Ingest.Formats;

/// <summary>One CSV record: the physical line it starts on, its fields and its raw text.</summary>
public sealed record CsvRecord(int Line, string[] Fields, string RawText, bool Terminated)
{
    /// <summary>Set when the record's quote never closes; the record is then quarantined, not parsed.</summary>
    public bool UnterminatedQuote { get; init; }
}

/// <summary>
/// Reads RFC 4180 records one at a time with the physical line number each starts on. A quoted field may span lines
/// up to the field size limit; a quote that never closes makes its first line a bad record and reading resumes on the
/// next line, so one stray quote never swallows the rest of the file. Streams: memory does not grow with the file.
/// </summary>
public sealed class CsvRecordReader(TextReader reader, int maxFieldLength)
{
    readonly Queue<(int Line, string Text, bool Terminated)> pushback = new();
    readonly char[] buffer = new char[64 * 1024];
    readonly List<string> fieldBuffer = new(32);
    int bufferStart, bufferEnd, lineNumber;
    bool eof;

    public char Delimiter { get; set; } = ',';

    /// <summary>The next record, skipping blank lines; null at the end of the file.</summary>
    public CsvRecord? Read()
    {
        while (true)
        {
            if (!NextLine(out var line, out var text, out var terminated)) return null;
            if (text.Length == 0) continue;
            if (text.IndexOf('"') < 0)
            {
                if (text.Length > maxFieldLength) CheckFieldLengths(line, text.Split(Delimiter));
                return new CsvRecord(line, text.Split(Delimiter), text, terminated);
            }

            // Most quoted fields close on the line they open on.
            var single = TryParse(text, Delimiter, fieldBuffer);
            if (single is not null)
            {
                CheckFieldLengths(line, single);
                return new CsvRecord(line, single, text, terminated);
            }

            var consumed = new List<(int Line, string Text, bool Terminated)> { (line, text, terminated) };
            var joined = new StringBuilder(text);
            while (true)
            {
                if (consumed.Count > 1)
                {
                    var whole = joined.ToString();
                    var fields = TryParse(whole, Delimiter, fieldBuffer);
                    if (fields is not null)
                    {
                        CheckFieldLengths(line, fields);
                        return new CsvRecord(line, fields, whole, consumed[^1].Terminated);
                    }
                }
                if (joined.Length > maxFieldLength || !NextLine(out var nextLine, out var nextText, out var nextTerminated))
                {
                    if (consumed.Count == 1 && !terminated && joined.Length <= maxFieldLength)
                        throw new FileRejectedException($"The file ends in the middle of a row (line {line}): it looks truncated. Nothing was imported.");
                    // The quote never closes: the first line is the bad record; the lines after it are read again.
                    foreach (var later in consumed.Skip(1)) pushback.Enqueue(later);
                    return new CsvRecord(line, [], text, terminated) { UnterminatedQuote = true };
                }
                consumed.Add((nextLine, nextText, nextTerminated));
                joined.Append('\n').Append(nextText);
            }
        }
    }

    void CheckFieldLengths(int line, string[] fields)
    {
        foreach (var f in fields)
            if (f.Length > maxFieldLength)
                throw new FileRejectedException($"Line {line} has a field of {f.Length:N0} characters, over the limit of {maxFieldLength:N0}. Nothing was imported.");
    }

    /// <summary>The fields of a complete record, or null while a quoted field is still open.</summary>
    static string[]? TryParse(string text, char delimiter, List<string> fields)
    {
        fields.Clear();
        var i = 0;
        while (true)
        {
            if (i < text.Length && text[i] == '"')
            {
                i++;
                StringBuilder? escaped = null;
                var start = i;
                while (true)
                {
                    var q = text.IndexOf('"', i);
                    if (q < 0) return null;
                    if (q + 1 < text.Length && text[q + 1] == '"')
                    {
                        (escaped ??= new StringBuilder()).Append(text, start, q + 1 - start);
                        i = start = q + 2;
                        continue;
                    }
                    var value = escaped is null ? text[start..q] : escaped.Append(text, start, q - start).ToString();
                    i = q + 1;
                    // Text after the closing quote is kept, as spreadsheets do.
                    var next = text.IndexOf(delimiter, i);
                    if (next < 0) next = text.Length;
                    if (next > i) value += text[i..next];
                    fields.Add(value);
                    i = next;
                    break;
                }
            }
            else
            {
                // Fields are short: a plain loop finds their end sooner than a vectorised search per field.
                var start = i;
                while (i < text.Length && text[i] != delimiter) i++;
                fields.Add(text.Substring(start, i - start));
            }
            if (i >= text.Length) return fields.ToArray();
            i++; // delimiter
            if (i == text.Length)
            {
                fields.Add("");
                return fields.ToArray();
            }
        }
    }

    bool NextLine(out int line, out string text, out bool terminated)
    {
        if (pushback.Count > 0)
        {
            (line, text, terminated) = pushback.Dequeue();
            return true;
        }
        var sb = default(StringBuilder);
        while (true)
        {
            if (bufferStart >= bufferEnd)
            {
                if (eof || !Fill())
                {
                    if (sb is null) { line = 0; text = ""; terminated = false; return false; }
                    line = ++lineNumber;
                    text = TrimCr(sb.ToString());
                    terminated = false;
                    return true;
                }
            }
            var span = buffer.AsSpan(bufferStart, bufferEnd - bufferStart);
            var nl = span.IndexOf('\n');
            if (nl >= 0)
            {
                var piece = span[..nl];
                text = sb is null ? new string(piece.EndsWith('\r') ? piece[..^1] : piece) : TrimCr(sb.Append(piece).ToString());
                bufferStart += nl + 1;
                line = ++lineNumber;
                terminated = true;
                return true;
            }
            (sb ??= new StringBuilder()).Append(span);
            bufferStart = bufferEnd;
            if (sb.Length > maxFieldLength * 4L + 1_000_000)
                throw new FileRejectedException($"Line {lineNumber + 1} is longer than {sb.Length:N0} characters, over the field size limit. Nothing was imported.");
        }
    }

    bool Fill()
    {
        bufferStart = 0;
        bufferEnd = reader.Read(buffer, 0, buffer.Length);
        if (bufferEnd == 0) eof = true;
        return bufferEnd > 0;
    }

    static string TrimCr(string s) => s.Length > 0 && s[^1] == '\r' ? s[..^1] : s;
}
