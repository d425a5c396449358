using System.IO.Compression;
using System.Text;

namespace Narratives.Ingest.Formats;

/// <summary>One outcome of reading a data record: a good row or a quarantined one.</summary>
public readonly record struct ParseItem(ImportRow? Row, RowError? Error);

/// <summary>Limits that make a file unusable rather than a row bad.</summary>
public sealed record ReadLimits(int MaxFieldLength = 65_536);

/// <summary>A recognised file: its format and, read lazily as a stream, its rows and bad rows.</summary>
public sealed class ParsedFile(string format, string description, Func<IEnumerable<ParseItem>> read)
{
    public string Format { get; } = format;
    public string Description { get; } = description;
    /// <summary>Data records seen, good or bad (totals rows and blank lines are not records); grows while reading.</summary>
    public int RecordsRead { get; internal set; }
    /// <summary>The currency of spend figures when the file names it; known once rows are read.</summary>
    public string? Currency { get; internal set; }
    public IEnumerable<ParseItem> Read() => read();
}

/// <summary>
/// Recognises an export from its first bytes and its header and reads it as a stream. Every supported format is in
/// <see cref="Formats"/>; a file none of them recognises is rejected with a message listing them.
/// </summary>
public static class ExportReader
{
    public static readonly IReadOnlyList<CsvFormat> Formats =
    [
        new TemplateFormat(),
        new MetaPostsFormat(),
        new MetaPageFormat(),
        new InstagramPostsFormat(),
        new MetaAdsFormat(),
        new YouTubeTableFormat(),
        new YouTubeChartFormat(),
        new XPostsFormat(),
        new XClassicFormat(),
        new TikTokContentFormat(),
        new TikTokOverviewFormat(),
        new GoogleAdsFormat(),
    ];

    public static string SupportedFormatsText() =>
        string.Join("; ", Formats.Select(f => f.Description).Append(FeedFormat.DescriptionText).Append("a YouTube Studio zip (Table data.csv, Chart data.csv, Totals.csv)"));

    /// <summary>Opens a stored file. Throws <see cref="FileRejectedException"/> when the whole file is unusable.</summary>
    public static ParsedFile Open(string path, ImportContext context, ReadLimits? limits = null, IProgress<double>? progress = null)
    {
        limits ??= new ReadLimits();
        var head = new byte[4096];
        int n;
        using (var probe = File.OpenRead(path))
            n = probe.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        if (n == 0) throw new FileRejectedException("The file is empty. Nothing was imported.");
        if (n >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4)
            return OpenYouTubeZip(path, context, limits);

        var encoding = DetectEncoding(head.AsSpan(0, n), path);
        var start = Encoding.UTF8.GetString(head, 0, n).TrimStart('\uFEFF', ' ', '\t', '\r', '\n');
        if (encoding is not UTF8Encoding && encoding != Encoding.Latin1)
            start = new StreamReader(new MemoryStream(head, 0, n), encoding, true).ReadToEnd().TrimStart('\uFEFF', ' ', '\r', '\n');
        if (start.StartsWith('<'))
            return FeedFormat.Open(path, context);

        return OpenCsv(() => new StreamReader(new ProgressStream(File.OpenRead(path), progress), encoding, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16),
            context, limits, context.FileName);
    }

    static Encoding DetectEncoding(ReadOnlySpan<byte> head, string path)
    {
        if (head.StartsWith(new byte[] { 0xEF, 0xBB, 0xBF })) return new UTF8Encoding(false);
        if (head.StartsWith(new byte[] { 0xFF, 0xFE })) return Encoding.Unicode;
        if (head.StartsWith(new byte[] { 0xFE, 0xFF })) return Encoding.BigEndianUnicode;
        var zeros = 0;
        var oddZeros = 0;
        for (var i = 0; i < head.Length; i++)
            if (head[i] == 0) { zeros++; if (i % 2 == 1) oddZeros++; }
        if (zeros > 0 && oddZeros >= zeros * 9 / 10 && zeros >= head.Length / 4) return Encoding.Unicode;
        if (zeros > 0 || head.ToArray().Count(b => b < 0x09 || (b > 0x0D && b < 0x20 && b != 0x1B)) > head.Length / 100)
            throw new FileRejectedException("This is not a text file: Narratives reads CSV exports, RSS or Atom feeds and YouTube Studio zips. Nothing was imported.");
        try
        {
            // A file that is not UTF-8 is taken as Windows Latin (older spreadsheet exports); a cut multibyte character at the end of the probe is fine.
            new UTF8Encoding(false, true).GetCharCount(TrimPartialUtf8(head));
            return new UTF8Encoding(false);
        }
        catch (DecoderFallbackException)
        {
            return Encoding.Latin1;
        }
    }

    static ReadOnlySpan<byte> TrimPartialUtf8(ReadOnlySpan<byte> bytes)
    {
        var end = bytes.Length;
        for (var k = 1; k <= 3 && end - k >= 0; k++)
            if ((bytes[end - k] & 0xC0) == 0xC0) return bytes[..(end - k)];
        return bytes;
    }

    /// <summary>Reads CSV text: finds the header among the first lines, then streams the records after it.</summary>
    public static ParsedFile OpenCsv(Func<TextReader> open, ImportContext context, ReadLimits limits, string fileName) =>
        OpenCsvAs(open, context, limits, fileName, null, null);

    /// <summary>Reads CSV text as one given format (a member of a zip), or detected when <paramref name="only"/> is null.</summary>
    internal static ParsedFile OpenCsvAs(Func<TextReader> open, ImportContext context, ReadLimits limits, string fileName,
        CsvFormat? only, Func<Header, IReadOnlyList<string>, IRowParser>? begin)
    {
        var (format, header, delimiter, preamble) = Detect(open, limits, only is null ? Formats : [only]);
        var parsedFile = default(ParsedFile);
        begin ??= (h, p) => format.Begin(h, p, context);
        parsedFile = new ParsedFile(format.Name, format.Description, () => ReadRecords(open, begin, header, delimiter, preamble, limits, fileName, parsedFile!));
        return parsedFile;
    }

    static (CsvFormat Format, Header Header, char Delimiter, List<string> Preamble) Detect(Func<TextReader> open, ReadLimits limits, IReadOnlyList<CsvFormat> formats)
    {
        // The header is among the first lines; only the first 256 KiB are looked at, so that a file without line
        // breaks is never read whole into memory.
        using var reader = open();
        var head = new char[256 * 1024];
        var read = reader.ReadBlock(head, 0, head.Length);
        var lines = new List<string>();
        using (var firstLines = new StringReader(new string(head, 0, read)))
            for (var i = 0; i < 20; i++)
            {
                var line = firstLines.ReadLine();
                if (line is null) break;
                lines.Add(line);
            }
        if (lines.All(l => l.Trim().Length == 0)) throw new FileRejectedException("The file is empty. Nothing was imported.");

        char? declared = lines[0].StartsWith("sep=", StringComparison.OrdinalIgnoreCase) && lines[0].Length >= 5 ? lines[0][4] : null;
        char[] candidates = declared is { } d ? [d] : [',', '\t', ';'];
        for (var i = 0; i < lines.Count; i++)
        {
            foreach (var delimiter in candidates)
            {
                var cells = SplitOne(lines[i], delimiter, limits);
                if (cells is null || cells.Length < 2) continue;
                var header = new Header(cells, i + 1);
                var format = formats.FirstOrDefault(f => f.Matches(header));
                if (format is not null)
                    return (format, header, delimiter, lines.Take(i).ToList());
            }
        }
        var shown = lines.First(l => l.Trim().Length > 0 && !l.StartsWith("sep=", StringComparison.OrdinalIgnoreCase));
        if (shown.Length > 300) shown = shown[..300] + "…";
        throw new FileRejectedException(
            $"Narratives does not recognise this file. Its header looked like: \"{shown.Trim('\uFEFF')}\". Supported formats: {SupportedFormatsText()}. " +
            "For anything else use the Narratives template CSV. Nothing was imported.");
    }

    static string[]? SplitOne(string line, char delimiter, ReadLimits limits)
    {
        var reader = new CsvRecordReader(new StringReader(line + "\n"), limits.MaxFieldLength) { Delimiter = delimiter };
        try
        {
            var record = reader.Read();
            return record is null || record.UnterminatedQuote ? null : record.Fields;
        }
        catch (FileRejectedException)
        {
            return null;
        }
    }

    static IEnumerable<ParseItem> ReadRecords(Func<TextReader> open, Func<Header, IReadOnlyList<string>, IRowParser> begin, Header header,
        char delimiter, List<string> preamble, ReadLimits limits, string fileName, ParsedFile counter)
    {
        using var reader = open();
        var records = new CsvRecordReader(reader, limits.MaxFieldLength) { Delimiter = delimiter };
        CsvRecord? record;
        while ((record = records.Read()) is not null && record.Line < header.Line) { }
        if (record is null) throw new FileRejectedException("The file ends before its header. Nothing was imported.");

        var parser = begin(header, preamble);
        var any = false;
        while ((record = records.Read()) is not null)
        {
            if (record.UnterminatedQuote)
            {
                counter.RecordsRead++;
                any = true;
                yield return new ParseItem(null, new RowError(record.Line, null, "A quoted field is never closed (unterminated quote).", record.RawText, fileName));
                continue;
            }
            if (record.Fields.Length != header.Cells.Count && !(record.Fields.Length > header.Cells.Count && record.Fields.Skip(header.Cells.Count).All(f => f.Trim().Length == 0)))
            {
                if (!record.Terminated && record.Fields.Length < header.Cells.Count)
                    throw new FileRejectedException($"The file ends in the middle of a row (line {record.Line}): it looks truncated. Nothing was imported.");
                counter.RecordsRead++;
                any = true;
                yield return new ParseItem(null, new RowError(record.Line, null,
                    $"This row has {record.Fields.Length} columns; the header has {header.Cells.Count}.", record.RawText, fileName));
                continue;
            }

            IReadOnlyList<ImportRow>? rows = null;
            RowError? error = null;
            try
            {
                var parsed = parser.Parse(new CsvRow(header, record));
                rows = parsed as IReadOnlyList<ImportRow> ?? parsed.ToList();
            }
            catch (CellException ex)
            {
                error = new RowError(record.Line, ex.Column, ex.Message, record.RawText, fileName);
            }
            if (error is not null)
            {
                counter.RecordsRead++;
                any = true;
                yield return new ParseItem(null, error);
                continue;
            }
            if (parser is IHasCurrency { Currency: { } currency }) counter.Currency ??= currency;
            if (rows!.Count == 0) continue; // a totals row
            counter.RecordsRead++;
            any = true;
            foreach (var row in rows) yield return new ParseItem(row, null);
        }
        if (!any) throw new FileRejectedException("The file has a header but no rows. Nothing was imported.");
    }

    static ParsedFile OpenYouTubeZip(string path, ImportContext context, ReadLimits limits)
    {
        ZipArchive zip;
        try
        {
            zip = ZipFile.OpenRead(path);
        }
        catch (InvalidDataException)
        {
            throw new FileRejectedException("This zip file is damaged. Nothing was imported.");
        }
        using (zip)
        {
            var names = zip.Entries.Select(e => e.FullName).ToList();
            if (!names.Any(n => n.EndsWith("Table data.csv", StringComparison.OrdinalIgnoreCase)))
                throw new FileRejectedException(
                    $"This zip is not a YouTube Studio export: it has no \"Table data.csv\" (it holds {string.Join(", ", names.Take(10))}). Nothing was imported.");
        }
        return YouTubeZip.Open(path, context, limits);
    }

    /// <summary>Reports how far through the file reading is, for progress bars.</summary>
    sealed class ProgressStream(FileStream inner, IProgress<double>? progress) : Stream
    {
        long lastReported;
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => inner.Length;
        public override long Position { get => inner.Position; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = inner.Read(buffer, offset, count);
            if (progress is not null && inner.Length > 0 && (inner.Position - lastReported > 1 << 20 || n == 0))
            {
                lastReported = inner.Position;
                progress.Report(Math.Min(0.99, (double)inner.Position / inner.Length));
            }
            return n;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }

    internal static Func<TextReader> ZipEntryOpener(string path, string entrySuffix) => () =>
    {
        var zip = ZipFile.OpenRead(path);
        var entry = zip.Entries.First(e => e.FullName.EndsWith(entrySuffix, StringComparison.OrdinalIgnoreCase));
        return new ZipEntryReader(zip, entry.Open());
    };

    sealed class ZipEntryReader(ZipArchive zip, Stream stream) : StreamReader(stream, Encoding.UTF8, true)
    {
        protected override void Dispose(bool disposing)
        {
            base.Dispose(disposing);
            if (disposing) zip.Dispose();
        }
    }
}
