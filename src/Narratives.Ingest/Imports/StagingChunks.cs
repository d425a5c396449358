using System.Buffers;
using System.Threading.Channels;
using Narratives.Ingest.Formats;
using FactFigures = Narratives.Core.Analytics.FactFigures;

namespace Narratives.Ingest.Imports;

/// <summary>
/// A run of consecutive good rows encoded for one binary COPY into staging, with what the merge needs to know about
/// them without reading them again.
/// </summary>
sealed class StagingChunk(int number, int firstSeq) : IDisposable
{
    public int Number { get; } = number;
    /// <summary>The file-wide position of the chunk's first row (rows are numbered from 0 in file order).</summary>
    public int FirstSeq { get; } = firstSeq;
    public BinaryCopyBuffer Copy { get; } = new();
    public int Rows { get; set; }
    public int Daily { get; private set; }
    public int Cumulative { get; set; }
    public int Period { get; set; }
    /// <summary>The first and last day of the rows: the months (of the facts and the rollups) they need.</summary>
    public DateOnly? FirstDay { get; set; }
    public DateOnly? LastDay { get; set; }
    /// <summary>No item and day of this chunk occurred earlier in the file, nor twice in the chunk.</summary>
    public bool FreshKeys { get; set; }
    /// <summary>Some item of this chunk may have rows in an earlier chunk.</summary>
    public bool Revisits { get; set; }
    /// <summary>The chunk's distinct items (platform, external id), in the order they first occur.</summary>
    public List<(string Platform, string ExternalId)> Items { get; } = [];
    /// <summary>
    /// The figures of the daily rows, by their item's place in <see cref="Items"/>: what their facts add to the rollups.
    /// Copied out of the parsed rows (into a pooled array) so that those die young.
    /// </summary>
    public ReadOnlySpan<(int Item, DateOnly Day, FactFigures Figures)> DailyRows => dailyRows.AsSpan(0, Daily);
    (int Item, DateOnly Day, FactFigures Figures)[] dailyRows = DailyPool.Rent(1024);
    static readonly ArrayPool<(int, DateOnly, FactFigures)> DailyPool = ArrayPool<(int, DateOnly, FactFigures)>.Create(1 << 20, 4);

    public void AddDaily(int item, DateOnly day, Metrics m)
    {
        if (Daily == dailyRows.Length)
        {
            var larger = DailyPool.Rent(dailyRows.Length * 2);
            dailyRows.AsSpan().CopyTo(larger);
            DailyPool.Return(dailyRows);
            dailyRows = larger;
        }
        dailyRows[Daily++] = (item, day, new FactFigures(m.Impressions, m.Reach, m.Views, m.WatchSeconds, m.Reactions, m.Comments,
            m.Shares, m.Clicks, m.Saves, m.Follows, m.Spend));
    }
    readonly Dictionary<(string Platform, string ExternalId), int> itemIndex = [];

    public int ItemIndex(string platform, string externalId)
    {
        if (!itemIndex.TryGetValue((platform, externalId), out var i))
        {
            itemIndex[(platform, externalId)] = i = Items.Count;
            Items.Add((platform, externalId));
        }
        return i;
    }

    public void Dispose()
    {
        Copy.Dispose();
        DailyPool.Return(dailyRows);
        dailyRows = [];
    }
}

/// <summary>
/// Encodes good rows for the staging table, chunk by chunk. A chunk ends at the first change of item once it holds
/// its <see cref="ChunkTarget"/> of rows (or at four times that in any case), so an item's daily series is seldom split
/// between chunks. The first row of a chunk always carries its item's columns.
/// </summary>
static class StagingChunks
{
    public const string Columns = """
        seq, line, platform, external_id, meaning, day, period_start, item_row, title, body, permalink, published_at,
        duration_seconds, language, impressions, reach, views, watch_seconds, reactions, comments, shares, clicks, saves,
        follows, spend
        """;
    const short ColumnCount = 25;

    /// <summary>
    /// Encodes <paramref name="rows"/> (parsed on the calling thread) into <paramref name="chunks"/>, which it completes.
    /// <paramref name="fractionRead"/> tells how far through the file reading is (0 when it cannot tell).
    /// </summary>
    public static async Task WriteAsync(IEnumerable<ImportRow> rows, ChannelWriter<StagingChunk> chunks, int chunkRows, CancellationToken ct,
        Func<double>? fractionRead = null)
    {
        StagingChunk? chunk = null;
        try
        {
            var keys = new DistinctKeyCheck();
            ImportRow? previous = null;
            var seq = 0;
            var number = 0;
            var target = 0;
            foreach (var r in rows)
            {
                var newItem = previous is null || r.ExternalId != previous.ExternalId || r.Platform != previous.Platform;
                var continues = false;
                if (chunk is not null && (chunk.Rows >= 4 * target || (newItem && chunk.Rows >= target)))
                {
                    await CompleteAsync(chunk, keys, chunks, ct);
                    chunk = null;
                    continues = !newItem;
                }
                if (chunk is null)
                {
                    target = ChunkTarget(number, seq, fractionRead?.Invoke() ?? 0, chunkRows);
                    chunk = new StagingChunk(number++, seq) { Revisits = continues };
                    previous = null;
                }
                keys.Add(r);
                Encode(chunk, seq, r, itemRow: previous is null || !SameItem(previous, r));
                previous = r;
                seq++;
            }
            if (chunk is not null) await CompleteAsync(chunk, keys, chunks, ct);
            chunks.Complete();
        }
        catch (Exception ex)
        {
            chunk?.Dispose();
            chunks.Complete(ex);
            throw;
        }
    }

    /// <summary>
    /// The rows the chunk starting now should hold. The first three are an eighth, a quarter and a half of
    /// <paramref name="chunkRows"/>, so that the database starts merging soon after reading starts; near the end of the
    /// file a chunk takes half of the rows left (estimated from <paramref name="fractionRead"/>, at least an eighth), so
    /// that little is left to copy and merge once reading ends.
    /// </summary>
    internal static int ChunkTarget(int number, int rowsSoFar, double fractionRead, int chunkRows)
    {
        var smallest = Math.Max(1, chunkRows / 8);
        var target = number >= 3 ? chunkRows : Math.Max(smallest, chunkRows >> (3 - number));
        if (fractionRead is > 0 and < 1 && rowsSoFar > 0)
            target = (int)Math.Clamp(rowsSoFar * (1 - fractionRead) / fractionRead / 2, smallest, target);
        return target;
    }

    static async Task CompleteAsync(StagingChunk chunk, DistinctKeyCheck keys, ChannelWriter<StagingChunk> chunks, CancellationToken ct)
    {
        chunk.Copy.Finish();
        chunk.FreshKeys = keys.Distinct;
        // While every item's rows come together, an item can only be in an earlier chunk when a chunk ends in its rows.
        chunk.Revisits |= !keys.Distinct;
        await chunks.WriteAsync(chunk, ct);
    }

    // A row repeats its item when the row before it is about the same item with the same title, text and other item
    // columns (a daily series of one post): it is staged without them (item_row false), which makes staging about a
    // third smaller. The last row of an item that carries them has the values of the item's last row in the file.
    static void Encode(StagingChunk chunk, int seq, ImportRow r, bool itemRow)
    {
        var w = chunk.Copy;
        var externalId = Clean(r.ExternalId)!;
        var item = chunk.ItemIndex(r.Platform, externalId);
        w.StartRow(ColumnCount);
        w.Write(seq);
        w.Write(r.Line);
        w.Write(r.Platform);
        w.Write(externalId);
        w.Write(MeaningName(r.Meaning));
        w.Write(r.Day);
        w.Write(r.PeriodStart);
        w.Write(itemRow);
        if (itemRow)
        {
            w.WriteOrNull(Clean(r.Title));
            w.WriteOrNull(Clean(r.Text));
            w.WriteOrNull(Clean(r.Permalink));
            w.Write(r.PublishedAt);
            w.Write(r.DurationSeconds);
            w.WriteOrNull(r.Language);
        }
        else
        {
            for (var i = 0; i < 6; i++) w.WriteNull();
        }
        var m = r.Metrics;
        w.Write(m.Impressions);
        w.Write(m.Reach);
        w.Write(m.Views);
        w.Write(m.WatchSeconds);
        w.Write(m.Reactions);
        w.Write(m.Comments);
        w.Write(m.Shares);
        w.Write(m.Clicks);
        w.Write(m.Saves);
        w.Write(m.Follows);
        w.Write(m.Spend);

        chunk.Rows++;
        switch (r.Meaning)
        {
            case FactMeaning.Daily: chunk.AddDaily(item, r.Day, r.Metrics); break;
            case FactMeaning.Cumulative: chunk.Cumulative++; break;
            case FactMeaning.Period: chunk.Period++; break;
        }
        // Every meaning: a period's total is rolled up on its last day, so that month must exist in the rollups.
        if (chunk.FirstDay is not { } first || r.Day < first) chunk.FirstDay = r.Day;
        if (chunk.LastDay is not { } last || r.Day > last) chunk.LastDay = r.Day;
    }

    static string MeaningName(FactMeaning meaning) => meaning switch
    {
        FactMeaning.Daily => "daily",
        FactMeaning.Cumulative => "cumulative",
        FactMeaning.Period => "period",
        _ => "none",
    };

    /// <summary>PostgreSQL text cannot hold NUL characters.</summary>
    public static string? Clean(string? s) => s is null || s.IndexOf('\0') < 0 ? s : s.Replace("\0", "");

    static bool SameItem(ImportRow a, ImportRow b) =>
        a.ExternalId == b.ExternalId && a.Platform == b.Platform && a.Title == b.Title && a.Text == b.Text &&
        a.Permalink == b.Permalink && a.PublishedAt == b.PublishedAt && a.DurationSeconds == b.DurationSeconds && a.Language == b.Language;

    /// <summary>
    /// Tells, in bounded memory, that no item and day occurs twice: each item's rows come together, with days
    /// strictly rising or strictly falling (how exports list a series), and no item comes back later. Past
    /// <see cref="MaxItems"/> items it stops looking and says it cannot tell.
    /// </summary>
    sealed class DistinctKeyCheck
    {
        const int MaxItems = 200_000;
        readonly HashSet<(string Platform, string ExternalId)> finished = [];
        ImportRow? last;
        int direction;

        public bool Distinct { get; private set; } = true;

        /// <summary>Takes the next row of the file.</summary>
        public void Add(ImportRow row)
        {
            var previous = last;
            last = row;
            if (!Distinct || previous is null) return;
            if (previous.ExternalId == row.ExternalId && previous.Platform == row.Platform)
            {
                var step = row.Day.CompareTo(previous.Day);
                if (step == 0 || (direction != 0 && step != direction)) Distinct = false;
                direction = step;
                return;
            }
            direction = 0;
            if (finished.Count >= MaxItems || !finished.Add((previous.Platform, previous.ExternalId)) ||
                finished.Contains((row.Platform, row.ExternalId)))
                Distinct = false;
        }
    }
}
