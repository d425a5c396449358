namespace Narratives.Ingest.Formats;

/// <summary>What a parser knows about the import besides the file: the campaign, the file name and the as-of date.</summary>
public sealed record ImportContext(long CampaignId, string FileName, DateOnly AsOf);

/// <summary>The per-file parser of a format: each data record gives zero (a totals row) or more rows.</summary>
public interface IRowParser
{
    IEnumerable<ImportRow> Parse(CsvRow row);
}

/// <summary>One export format recognised by its header.</summary>
public abstract class CsvFormat
{
    /// <summary>The format's key in reports and the database (imports.format).</summary>
    public abstract string Name { get; }

    /// <summary>What the format is, for the message listing the supported formats.</summary>
    public abstract string Description { get; }

    public abstract bool Matches(Header header);

    /// <param name="preamble">The lines before the header (title lines, a metric name, <c>sep=,</c>).</param>
    public abstract IRowParser Begin(Header header, IReadOnlyList<string> preamble, ImportContext context);

    /// <summary>A parser from a function, for formats that keep no state beyond what they are given.</summary>
    protected sealed class RowParser(Func<CsvRow, IEnumerable<ImportRow>> parse) : IRowParser
    {
        public IEnumerable<ImportRow> Parse(CsvRow row) => parse(row);
    }

    protected static IEnumerable<ImportRow> One(ImportRow row) => [row];
}
