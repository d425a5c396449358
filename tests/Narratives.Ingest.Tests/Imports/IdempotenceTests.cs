using System.Text;
using CsCheck;
using Narratives.Ingest.Imports;

namespace Narratives.Ingest.Tests.Imports;

public sealed class IdempotenceTests
{
    const string Header = "platform,external_id,title,text,permalink,published_at,language,duration_seconds,meaning,date,period_start,impressions,reach,views,watch_seconds,reactions,comments,shares,clicks,saves,follows,spend";

    sealed record GeneratedRow(int Item, int Day, int Views, int? Reach, int Reactions);

    static readonly Gen<GeneratedRow[]> Files =
        Gen.Select(Gen.Int[0, 5], Gen.Int[0, 9], Gen.Int[0, 5000], Gen.Int[-1, 3000].Select(r => r < 0 ? (int?)null : r), Gen.Int[0, 400],
                (item, day, views, reach, reactions) => new GeneratedRow(item, day, views, reach, reactions))
            .Array[1, 40]
            // One row per item and day: with two, the later line wins, so the order of the rows would matter.
            .Select(rows => rows.DistinctBy(r => (r.Item, r.Day)).ToArray());

    static string Render(IEnumerable<GeneratedRow> rows, string prefix)
    {
        var sb = new StringBuilder(Header).Append("\r\n");
        foreach (var r in rows)
        {
            // Even items are daily series, odd items lifetime totals.
            var meaning = r.Item % 2 == 0 ? "daily" : "cumulative";
            sb.Append($"website,{prefix}{r.Item},Item {r.Item},\"Text, {r.Item}\",,,en,,{meaning},{new DateOnly(2026, 11, 1).AddDays(r.Day):yyyy-MM-dd},,,{r.Reach},{r.Views},,{r.Reactions},,,,,,\r\n");
        }
        return sb.ToString();
    }

    [Fact]
    public async Task Importing_the_same_rows_twice_leaves_the_database_as_importing_them_once()
    {
        await Files.SampleAsync(async rows =>
        {
            await using var db = await IngestTestDatabase.CreateAsync();
            var once = await db.ImportTextAsync(Render(rows, "a-"), "once.csv", db.CampaignId);
            await db.ImportTextAsync(Render(rows, "b-"), "twice.csv", db.OtherCampaignId);
            var identical = await db.ImportTextAsync(Render(rows, "b-"), "twice.csv", db.OtherCampaignId);
            // The same rows in another order, with a blank line at the end (a different file, so not recognised by its
            // hash), change nothing either.
            var reordered = await db.ImportTextAsync(Render(rows.Reverse(), "b-") + "\r\n", "twice-reordered.csv", db.OtherCampaignId);

            Assert.True(identical.DuplicateFile);
            Assert.Equal((0, 0, 0), (reordered.ContentItemsCreated, reordered.ContentItemsChanged, reordered.DirtyDays.Count));
            Assert.Equal(once.RowsImported, reordered.RowsImported);
            Assert.Equal(await StateAsync(db, db.CampaignId), await StateAsync(db, db.OtherCampaignId));
        }, iter: 12, threads: 1);
    }

    static async Task<string> StateAsync(IngestTestDatabase db, long campaignId)
    {
        var facts = await db.QueryAsync<string>("""
            SELECT format('%s|%s|%s|%s|%s|%s|%s', substr(c.external_id, 3), f.day, f.platform, f.reach, f.views, f.reactions, f.meaning)
            FROM engagement_facts f JOIN content_items c ON c.id = f.content_item_id
            WHERE c.campaign_id = @campaignId ORDER BY 1
            """, new { campaignId });
        var snapshots = await db.QueryAsync<string>("""
            SELECT format('%s|%s|%s|%s', substr(c.external_id, 3), s.as_of, s.views, s.reach)
            FROM engagement_snapshots s JOIN content_items c ON c.id = s.content_item_id
            WHERE c.campaign_id = @campaignId ORDER BY 1
            """, new { campaignId });
        var items = await db.QueryAsync<string>(
            "SELECT format('%s|%s|%s|%s', substr(external_id, 3), title, text, predicted_at IS NULL) FROM content_items WHERE campaign_id = @campaignId ORDER BY 1",
            new { campaignId });
        var days = await db.QueryAsync<string>("SELECT day::text FROM rollup_dirty_days WHERE campaign_id = @campaignId ORDER BY 1", new { campaignId });
        return string.Join("\n", facts.Concat(snapshots).Concat(items).Concat(days));
    }
}
