using System.Globalization;
using System.Text;
using CsCheck;
using Narratives.Core.Analytics;
using Narratives.Ingest.Imports;

namespace Narratives.Ingest.Tests.Imports;

public sealed class ChunkedMergeTests
{
    const string Header = "platform,external_id,title,text,permalink,published_at,language,duration_seconds,meaning,date,period_start,impressions,reach,views,watch_seconds,reactions,comments,shares,clicks,saves,follows,spend";

    sealed record GeneratedRow(int Item, int Meaning, int Day, int Title, int Language, int? Views, int? Reach, int Reactions, int? Spend);

    static readonly Gen<GeneratedRow> Rows =
        Gen.Select(Gen.Int[0, 7], Gen.Int[0, 9], Gen.Int[0, 5], Gen.Int[0, 2], Gen.Int[0, 2], Gen.Int[-300, 900], Gen.Int[-300, 900],
            Gen.Int[0, 50], Gen.Int[-1000, 2000],
            (item, meaning, day, title, language, views, reach, reactions, spend) => new GeneratedRow(item, meaning, day, title, language,
                views < 0 ? null : views, reach < 0 ? null : reach, reactions, spend < 0 ? null : spend));

    /// <summary>
    /// The rows of a file, in the generated order (some items and days repeated), or as exports list them: grouped by
    /// item, one row per day, days rising.
    /// </summary>
    static readonly Gen<GeneratedRow[]> Files =
        Gen.Select(Rows.Array[1, 30], Gen.Bool, (rows, grouped) =>
            grouped ? rows.DistinctBy(r => (r.Item, r.Day)).OrderBy(r => r.Item).ThenBy(r => r.Day).ToArray() : rows);

    static string Render(IEnumerable<GeneratedRow> rows)
    {
        var sb = new StringBuilder(Header).Append("\r\n");
        foreach (var r in rows)
        {
            // Items 0 and 1 already exist in the campaign, item 7 belongs to the other campaign; even items are ads.
            var platform = r.Item % 2 == 0 ? "meta_ads" : "website";
            var meaning = r.Meaning switch { < 7 => "daily", < 9 => "cumulative", _ => "period" };
            // Days over four months, so that an item can have months without figures between two with.
            var day = new DateOnly(2026, 11, 1).AddDays(r.Day * 23);
            var periodStart = meaning == "period" ? day.AddDays(-2).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : "";
            var title = r.Title switch { 0 => "", 1 => "First title", _ => "Second title" };
            var language = r.Language switch { 0 => "", 1 => "en", _ => "fr" };
            var duration = r.Item % 3 == 0 ? "30" : "";
            // Amounts with more decimals than the database keeps, some rounding to nothing.
            var spend = r.Spend is { } s ? (s % 2 == 0 ? s / 1000m : s / 200_000m).ToString(CultureInfo.InvariantCulture) : "";
            sb.Append(CultureInfo.InvariantCulture,
                $"{platform},item-{r.Item},{title},Text,,,{language},{duration},{meaning},{day:yyyy-MM-dd},{periodStart},{r.Views * 3},{r.Reach},{r.Views},{r.Views * 2},{r.Reactions},1,,,,,{spend}\r\n");
        }
        return sb.ToString();
    }

    static async Task<(string State, string Reports)> ImportAllAsync(int chunkRows, string before, string file)
    {
        await using var db = await IngestTestDatabase.CreateAsync(chunkRows);
        var reports = new List<ImportReport>
        {
            await db.ImportTextAsync(Render([new GeneratedRow(7, 0, 0, 1, 1, 5, 5, 5, null)]), "theirs.csv", db.OtherCampaignId),
            await db.ImportTextAsync(before, "before.csv"),
            await db.ImportTextAsync(file, "file.csv"),
        };
        var state = await StateAsync(db);
        // The rollups the imports left are the ones a full rebuild from the facts gives.
        await new RollupStore(db.DataSource).RebuildAsync();
        Assert.Equal(state, await StateAsync(db));
        return (string.Join("\n", state), string.Join("\n", reports.Select(r =>
            $"{r.Status} {r.RowsImported} {r.RowsQuarantined} {r.ContentItemsCreated} {r.ContentItemsChanged} {r.DirtyDays} {string.Join("; ", r.Errors)}")));
    }

    static async Task<List<string>> StateAsync(IngestTestDatabase db) =>
        await db.QueryAsync<string>("""
            SELECT format('item %s %s %s %s %s %s %s', campaign_id, platform, external_id, title, language, duration_seconds, predicted_at IS NULL)
            FROM content_items
            UNION ALL
            SELECT format('fact %s %s %s', c.external_id, f.day, row(f.platform, f.impressions, f.reach, f.views, f.watch_seconds, f.reactions,
                          f.comments, f.shares, f.clicks, f.saves, f.follows, f.spend, f.meaning))
            FROM engagement_facts f JOIN content_items c ON c.id = f.content_item_id
            UNION ALL
            SELECT format('snapshot %s %s %s', c.external_id, s.as_of, row(s.impressions, s.reach, s.views, s.reactions, s.spend))
            FROM engagement_snapshots s JOIN content_items c ON c.id = s.content_item_id
            UNION ALL
            SELECT format('period %s %s %s %s', c.external_id, p.period_start, p.period_end, row(p.impressions, p.reach, p.views, p.reactions, p.spend))
            FROM engagement_period_totals p JOIN content_items c ON c.id = p.content_item_id
            UNION ALL SELECT format('daily %s', d::text) FROM rollup_daily d
            UNION ALL SELECT format('audience %s', a::text) FROM rollup_audience a
            UNION ALL
            SELECT format('monthly %s %s', c.external_id, row(m.month, m.campaign_id, m.platform, m.impressions, m.reach, m.views, m.engagements))
            FROM rollup_content_monthly m JOIN content_items c ON c.id = m.content_item_id
            UNION ALL
            SELECT format('running %s %s', c.external_id, row(r.platform, r.campaign_id, r.first_month, r.impressions, r.engagements, r.months))
            FROM rollup_content_running r JOIN content_items c ON c.id = r.content_item_id
            UNION ALL SELECT format('dirty %s %s', campaign_id, day) FROM rollup_dirty_days
            UNION ALL SELECT format('error %s %s %s', i.file_name, e.line_number, e.message) FROM import_errors e JOIN imports i ON i.id = e.import_id
            ORDER BY 1
            """);

    [Fact]
    public async Task Merging_a_file_chunk_by_chunk_gives_the_same_database_as_merging_it_at_once()
    {
        var cases = Gen.Select(Files, Gen.Int[1, 4], (file, chunkRows) => (Before: file.Where(r => r.Item is 0 or 1).Take(3).ToArray(), File: file, chunkRows));
        await cases.SampleAsync(async c =>
        {
            var before = Render(c.Before.Length > 0 ? c.Before : [new GeneratedRow(0, 0, 3, 1, 1, 1, 1, 1, 1)]);
            var file = Render(c.File);
            var whole = await ImportAllAsync(1_000_000, before, file);
            var chunked = await ImportAllAsync(c.chunkRows, before, file);
            Assert.Equal(whole.Reports, chunked.Reports);
            Assert.Equal(whole.State, chunked.State);
        }, iter: 30, threads: 1);
    }
}
