using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Narratives.Ingest.Cli;

namespace Narratives.Ingest.Tests.Cli;

public sealed class ImportCommandTests
{
    static IConfiguration ConfigurationFor(IngestTestDatabase db) => new ConfigurationBuilder()
        .AddInMemoryCollection([
            new("ConnectionStrings:Narratives", db.Database.ConnectionString),
            new("Narratives:Ingest:RawFileDirectory", db.RawDirectory),
        ])
        .Build();

    static async Task<(int Exit, string Out, string Err)> RunAsync(IngestTestDatabase db, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = await IngestCommandLine.RunAsync(args, stdout, stderr, ConfigurationFor(db));
        return (exit, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task Import_with_json_prints_the_report_and_exits_0()
    {
        await using var db = await IngestTestDatabase.CreateAsync();

        var (exit, output, _) = await RunAsync(db, "import", IngestTestDatabase.Sample("google-ads-campaigns.csv"), "--campaign", db.CampaignId.ToString(), "--json");

        Assert.Equal(IngestCommandLine.Ok, exit);
        using var json = JsonDocument.Parse(output);
        var r = json.RootElement;
        Assert.Equal("google_ads", r.GetProperty("format").GetString());
        Assert.Equal(3, r.GetProperty("rows_read").GetInt32());
        Assert.Equal(3, r.GetProperty("rows_imported").GetInt32());
        Assert.Equal(0, r.GetProperty("rows_quarantined").GetInt32());
        Assert.False(r.GetProperty("duplicate_file").GetBoolean());
        Assert.Equal(0, r.GetProperty("errors").GetArrayLength());
        Assert.Equal(165_691, r.GetProperty("totals").GetProperty("impressions").GetInt64());
        Assert.Equal(1689.07m, r.GetProperty("totals").GetProperty("spend").GetDecimal());
        foreach (var key in new[] { "reach", "views", "reactions", "comments", "shares", "clicks" })
            Assert.True(r.GetProperty("totals").TryGetProperty(key, out _), key);
    }

    [Fact]
    public async Task Quarantined_rows_exit_3_with_each_error_in_the_json_and_a_second_import_is_a_duplicate()
    {
        await using var db = await IngestTestDatabase.CreateAsync();
        var file = IngestTestDatabase.Sample("narratives-template-with-bad-rows.csv");

        var (exit, output, _) = await RunAsync(db, "import", file, "--campaign", db.CampaignId.ToString(), "--json");
        var (again, againOutput, _) = await RunAsync(db, "import", file, "--campaign", db.CampaignId.ToString(), "--json");

        Assert.Equal(IngestCommandLine.Quarantined, exit);
        using var json = JsonDocument.Parse(output);
        var first = json.RootElement.GetProperty("errors")[0];
        Assert.Equal((3, "views"), (first.GetProperty("line").GetInt32(), first.GetProperty("column").GetString()));
        Assert.Equal(IngestCommandLine.Ok, again);
        Assert.True(JsonDocument.Parse(againOutput).RootElement.GetProperty("duplicate_file").GetBoolean());
    }

    [Fact]
    public async Task Replay_imports_the_kept_file_again_and_supersedes_the_earlier_import()
    {
        await using var db = await IngestTestDatabase.CreateAsync();
        var (_, output, _) = await RunAsync(db, "import", IngestTestDatabase.Sample("instagram-posts.csv"), "--campaign", db.CampaignId.ToString(), "--json");
        var first = JsonDocument.Parse(output).RootElement.GetProperty("import_id").GetInt64();

        var (exit, replayed, _) = await RunAsync(db, "replay", first.ToString(), "--json");

        Assert.Equal(IngestCommandLine.Ok, exit);
        Assert.Equal("imported", JsonDocument.Parse(replayed).RootElement.GetProperty("status").GetString());
        Assert.Equal("replayed", await db.ScalarAsync<string>("SELECT status FROM imports WHERE id = @first", new { first }));
        Assert.Equal(2, await db.ScalarAsync<int>("SELECT count(*) FROM content_items"));
    }

    [Fact]
    public async Task A_rejected_file_exits_2_and_text_output_says_why()
    {
        await using var db = await IngestTestDatabase.CreateAsync();
        var path = Path.Combine(db.RawDirectory, "..", $"unknown-{Guid.NewGuid():N}.csv");
        await File.WriteAllTextAsync(path, "Name,Colour\r\napple,red\r\n");
        try
        {
            var (exit, output, _) = await RunAsync(db, "import", path, "--campaign", db.CampaignId.ToString());

            Assert.Equal(IngestCommandLine.BadInput, exit);
            Assert.Contains("does not recognise this file", output);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task An_unknown_campaign_exits_2()
    {
        await using var db = await IngestTestDatabase.CreateAsync();

        var (exit, _, error) = await RunAsync(db, "import", IngestTestDatabase.Sample("x-posts.csv"), "--campaign", "424242");

        Assert.Equal(IngestCommandLine.BadInput, exit);
        Assert.Contains("There is no campaign 424242", error);
    }

    [Fact]
    public async Task Campaigns_list_prints_the_campaigns_as_json()
    {
        await using var db = await IngestTestDatabase.CreateAsync();

        var (exit, output, _) = await RunAsync(db, "campaigns", "list", "--json");

        Assert.Equal(IngestCommandLine.Ok, exit);
        var ids = JsonDocument.Parse(output).RootElement.EnumerateArray().Select(c => c.GetProperty("id").GetInt64()).ToList();
        Assert.Equal([db.CampaignId, db.OtherCampaignId], ids);
    }
}
