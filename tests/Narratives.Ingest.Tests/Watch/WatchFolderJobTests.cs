using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Narratives.Ingest.Watch;

namespace Narratives.Ingest.Tests.Watch;

public sealed class WatchFolderJobTests
{
    [Fact]
    public async Task Files_in_the_inbox_are_imported_then_archived_or_failed_with_their_report_beside_them()
    {
        await using var db = await IngestTestDatabase.CreateAsync();
        var root = Path.Combine(db.RawDirectory, "watch");
        var inbox = Directory.CreateDirectory(Path.Combine(root, "inbox", db.CampaignId.ToString())).FullName;
        File.Copy(IngestTestDatabase.Sample("instagram-posts.csv"), Path.Combine(inbox, "instagram.csv"));
        await File.WriteAllTextAsync(Path.Combine(inbox, "notes.csv"), "Name,Colour\r\napple,red\r\n");
        await File.WriteAllTextAsync(Path.Combine(inbox, "still-uploading.csv.part"), "platform,");
        var job = new WatchFolderJob(db.Pipeline, root, NullLogger<WatchFolderJob>.Instance, settleTime: TimeSpan.Zero);

        var results = await job.RunOnceAsync(CancellationToken.None);

        Assert.Equal(["instagram.csv", "notes.csv"], results.Select(r => r.File));
        Assert.Equal(["still-uploading.csv.part"], Directory.GetFiles(inbox).Select(Path.GetFileName));
        var archived = results[0].MovedTo;
        Assert.StartsWith(Path.Combine(root, "archive", db.CampaignId.ToString()), archived);
        Assert.True(File.Exists(archived));
        Assert.Equal("imported", JsonDocument.Parse(await File.ReadAllTextAsync(archived + ".report.json")).RootElement.GetProperty("status").GetString());
        Assert.StartsWith(Path.Combine(root, "failed", db.CampaignId.ToString()), results[1].MovedTo);
        Assert.Contains("does not recognise", await File.ReadAllTextAsync(results[1].MovedTo + ".report.json"));
        Assert.Equal(2, await db.ScalarAsync<int>("SELECT count(*) FROM content_items WHERE platform = 'instagram'"));
        Assert.Equal("watch", await db.ScalarAsync<string>("SELECT source FROM imports WHERE status = 'imported'"));
    }
}
