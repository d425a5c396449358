namespace Narratives.Ingest.Formats;

/// <summary>
/// YouTube Studio "Table data.csv": one row per video after a first "Total" row that is never counted. Alone, its
/// figures are read as lifetime totals as of the import date (export it with the Lifetime range); inside the zip
/// the period comes from Totals.csv, or the daily figures from Chart data.csv.
/// </summary>
public sealed class YouTubeTableFormat : CsvFormat
{
    public override string Name => "youtube_table";
    public override string Description => "YouTube Studio export (Table data.csv: Content, Video title, Views, Watch time (hours), …)";

    public override bool Matches(Header header) => header.HasAll("Content", "Video title") && !header.Has("Date");

    public override IRowParser Begin(Header header, IReadOnlyList<string> preamble, ImportContext context) =>
        Parser(FactMeaning.Cumulative, context.AsOf, null);

    internal static IRowParser Parser(FactMeaning meaning, DateOnly day, DateOnly? periodStart) => new RowParser(row =>
    {
        var id = row.Text("Content");
        if (id.Length == 0 || id.Equals("Total", StringComparison.OrdinalIgnoreCase)) return [];
        return One(new ImportRow(row.Line, "youtube", id, meaning, day,
            meaning == FactMeaning.None ? Metrics.Empty : Read(row),
            Title: row.TextOrNull("Video title"), PublishedAt: row.Timestamp("Video publish time"),
            DurationSeconds: row.Duration("Duration"), Permalink: $"https://www.youtube.com/watch?v={id}",
            PeriodStart: meaning == FactMeaning.Period ? periodStart : null));
    });

    internal static Metrics Read(CsvRow row)
    {
        var hours = row.Decimal("Watch time (hours)");
        return new Metrics(
            Impressions: row.Count("Impressions"),
            Views: row.Count("Views"),
            WatchSeconds: hours is null ? null : (long)Math.Round(hours.Value * 3600m),
            Reactions: row.Count("Likes"),
            Comments: row.Count("Comments added", "Comments"),
            Shares: row.Count("Shares"));
    }
}

/// <summary>YouTube Studio "Chart data.csv": one row per video and day.</summary>
public sealed class YouTubeChartFormat : CsvFormat
{
    public override string Name => "youtube_chart";
    public override string Description => "YouTube Studio chart export (Chart data.csv: Date, Content, Video title, Views, …)";

    public override bool Matches(Header header) => header.HasAll("Date", "Content", "Views");

    public override IRowParser Begin(Header header, IReadOnlyList<string> preamble, ImportContext context) => new RowParser(row =>
    {
        var id = row.Text("Content");
        if (id.Length == 0 || id.Equals("Total", StringComparison.OrdinalIgnoreCase)) return [];
        var day = row.Date("Date") ?? throw new CellException("Date", "This column is empty; it is required.");
        return One(new ImportRow(row.Line, "youtube", id, FactMeaning.Daily, day, YouTubeTableFormat.Read(row),
            Title: row.TextOrNull("Video title"), PublishedAt: row.Timestamp("Video publish time"), DurationSeconds: row.Duration("Duration")));
    });
}

/// <summary>The YouTube Studio zip as downloaded: Table data.csv, Chart data.csv and Totals.csv.</summary>
static class YouTubeZip
{
    public static ParsedFile Open(string path, ImportContext context, ReadLimits limits)
    {
        using var zip = System.IO.Compression.ZipFile.OpenRead(path);
        bool Has(string name) => zip.Entries.Any(e => e.FullName.EndsWith(name, StringComparison.OrdinalIgnoreCase));
        var hasChart = Has("Chart data.csv");
        var hasTotals = Has("Totals.csv");

        (DateOnly From, DateOnly To)? period = null;
        if (hasTotals)
        {
            var totals = ExportReader.OpenCsvAs(ExportReader.ZipEntryOpener(path, "Totals.csv"), context, limits, "Totals.csv",
                new TotalsFormat(), (_, _) => new TotalsFormat.DayCollector());
            var days = totals.Read().Where(i => i.Row is not null).Select(i => i.Row!.Day).ToList();
            if (days.Count > 0) period = (days.Min(), days.Max());
        }

        var chartIsPerVideo = false;
        ParsedFile? chart = null;
        if (hasChart)
        {
            try
            {
                chart = ExportReader.OpenCsvAs(ExportReader.ZipEntryOpener(path, "Chart data.csv"), context, limits, "Chart data.csv",
                    new YouTubeChartFormat(), null);
                chartIsPerVideo = true;
            }
            catch (FileRejectedException)
            {
                chartIsPerVideo = false; // a chart of channel totals only: the table's figures are used
            }
        }

        var (meaning, day, start) = chartIsPerVideo ? (FactMeaning.None, context.AsOf, (DateOnly?)null)
            : period is { } p ? (p.From == p.To ? FactMeaning.Daily : FactMeaning.Period, p.To, (DateOnly?)p.From)
            : (FactMeaning.Cumulative, context.AsOf, (DateOnly?)null);
        var table = ExportReader.OpenCsvAs(ExportReader.ZipEntryOpener(path, "Table data.csv"), context, limits, "Table data.csv",
            new YouTubeTableFormat(), (_, _) => YouTubeTableFormat.Parser(meaning, day, start));

        ParsedFile? combined = null;
        combined = new ParsedFile("youtube_zip", "YouTube Studio zip", () => Both(table, chart, () => combined!));
        return combined;
    }

    static IEnumerable<ParseItem> Both(ParsedFile table, ParsedFile? chart, Func<ParsedFile> combined)
    {
        foreach (var item in table.Read()) { combined().RecordsRead = table.RecordsRead; yield return item; }
        if (chart is null) yield break;
        foreach (var item in chart.Read()) { combined().RecordsRead = table.RecordsRead + chart.RecordsRead; yield return item; }
    }

    /// <summary>Totals.csv: Date and the channel's daily views; only its dates are used, for the period of the table.</summary>
    sealed class TotalsFormat : CsvFormat
    {
        public override string Name => "youtube_totals";
        public override string Description => "YouTube Studio Totals.csv";
        public override bool Matches(Header header) => header.Has("Date");
        public override IRowParser Begin(Header header, IReadOnlyList<string> preamble, ImportContext context) => new DayCollector();

        public sealed class DayCollector : IRowParser
        {
            public IEnumerable<ImportRow> Parse(CsvRow row) =>
                row.Date("Date") is { } d ? [new ImportRow(row.Line, "youtube", "totals", FactMeaning.None, d, Metrics.Empty)] : [];
        }
    }
}
