using System.Globalization;
using ClosedXML.Excel;
using CsvHelper;
using CsvHelper.Configuration;
using Narratives.Core.Initiatives;

namespace Narratives.Core.Analytics;

/// <summary>The numbers behind a chart as a table: one row per key, every summed figure and every rate.</summary>
public static class AnalyticsFiles
{
    static readonly string[] Figures =
        ["items", "impressions", "reach", "views", "watch_hours", "reactions", "comments", "shares", "clicks", "saves", "follows", "spend", "engagements"];
    static readonly string[] Rates = ["frequency", "engagement_rate_impressions", "engagement_rate_reach", "ctr", "earned_share", "watch_through", "cpm", "cpc"];

    public static string[] Header(string first, string? second) =>
        [first, .. second is null ? Array.Empty<string>() : [second], .. Figures, .. Rates];

    public static object?[] Row(BreakdownRow row, bool withSecond)
    {
        var t = row.Totals;
        object?[] keys = withSecond ? [row.Label, row.Key2] : [row.Label];
        object?[] figures = [t.Items, t.Impressions, t.Reach, t.Views, Math.Round(t.WatchSeconds / 3600.0, 2), t.Reactions, t.Comments, t.Shares, t.Clicks,
            t.Saves, t.Follows, t.Spend, t.Engagements];
        return [.. keys, .. figures, .. Rates.Select(r => (object?)Metrics.Get(r).Compute(t))];
    }

    public static async Task WriteCsvAsync(IReadOnlyList<string> header, IEnumerable<object?[]> rows, Stream output, CancellationToken ct = default)
    {
        await using var writer = new StreamWriter(output, new System.Text.UTF8Encoding(true), leaveOpen: true);
        await using var csv = new CsvWriter(writer, new CsvConfiguration(CultureInfo.InvariantCulture));
        foreach (var h in header) csv.WriteField(h);
        await csv.NextRecordAsync();
        foreach (var row in rows)
        {
            foreach (var value in row)
                csv.WriteField(value switch
                {
                    null => "",
                    string s => InitiativeFiles.DefuseFormula(s),
                    IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                    var other => other.ToString(),
                });
            await csv.NextRecordAsync();
        }
        await writer.FlushAsync(ct);
    }

    public static void WriteXlsx(IReadOnlyList<string> header, IEnumerable<object?[]> rows, Stream output)
    {
        using var book = new XLWorkbook();
        var sheet = book.AddWorksheet("Narratives");
        for (var c = 0; c < header.Count; c++) sheet.Cell(1, c + 1).Value = header[c];
        var r = 2;
        foreach (var row in rows)
        {
            for (var c = 0; c < row.Length; c++)
            {
                var cell = sheet.Cell(r, c + 1);
                switch (row[c])
                {
                    case null: break;
                    case string s: cell.Value = s; break;
                    case long l: cell.Value = l; break;
                    case int i: cell.Value = i; break;
                    case decimal d: cell.Value = d; break;
                    case double d: cell.Value = d; break;
                    default: cell.Value = row[c]!.ToString(); break;
                }
            }
            r++;
        }
        sheet.Row(1).Style.Font.Bold = true;
        book.SaveAs(output);
    }
}
