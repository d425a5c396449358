using Narratives.Ingest.Imports;

namespace Narratives.Ingest.Tests.Imports;

public sealed class ImportNotifierTests
{
    [Fact]
    public async Task Every_finished_import_is_announced_to_subscribers_until_they_unsubscribe()
    {
        await using var db = await IngestTestDatabase.CreateAsync();
        var notifier = new ImportNotifier();
        var pipeline = new ImportPipeline(db.Store, new RawFileStore(db.Options), db.Options, TimeProvider.System, notifier);
        var heard = new List<ImportReport>();
        Task Listen(ImportReport r)
        {
            heard.Add(r);
            return Task.CompletedTask;
        }
        notifier.Finished += Listen;

        await using (var file = File.OpenRead(IngestTestDatabase.Sample("x-posts.csv")))
            await pipeline.ImportAsync(new ImportRequest(db.CampaignId, "x-posts.csv", ImportSource.Api), file, null, CancellationToken.None);
        notifier.Finished -= Listen;
        await using (var file = File.OpenRead(IngestTestDatabase.Sample("instagram-posts.csv")))
            await pipeline.ImportAsync(new ImportRequest(db.CampaignId, "instagram-posts.csv", ImportSource.Api), file, null, CancellationToken.None);

        Assert.Equal(["x-posts.csv"], heard.Select(r => r.File));
        Assert.Equal(db.CampaignId, heard[0].CampaignId);
    }
}
