using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Narratives.Core.Audit;
using Narratives.Core.Reference;
using Narratives.Ml.Classification;
using Narratives.Ml.Evaluation;
using Narratives.Ml.Registry;
using Narratives.Ml.Training;
using Narratives.Testing;
using Npgsql;

namespace Narratives.Ml.Tests.Classification;

public sealed class ReviewLoopTests
{
    static readonly QualityReport Report = new(false, 21, 3, 0.9, 0.9, 0.9, ["a"], [], null, []);

    static async Task<(ClassificationJob Job, ActiveModels Models)> JobWithModelsAsync(NpgsqlDataSource db)
    {
        var registry = new ModelRegistry(db);
        await registry.SaveAsync(ClassifierTask.Theme, TinyData.ThemeModel, Report, "2026.1", "test", activate: true);
        await registry.SaveAsync(ClassifierTask.Audience, TinyData.AudienceModel, Report, "2026.1", "test", activate: true);
        var models = new ActiveModels(registry, NullLogger<ActiveModels>.Instance);
        await models.RefreshAsync();
        var options = Options.Create(new ClassifierOptions { BatchSize = 50, ReviewThreshold = 0.99f });
        return (new ClassificationJob(db, models, options, NullLogger<ClassificationJob>.Instance), models);
    }

    [Fact]
    public async Task The_job_classifies_every_waiting_item_in_batches_and_stores_model_versions()
    {
        await using var db = await (await PostgresServer.GetAsync()).CreateDatabaseAsync(withDemoData: true);
        var (job, models) = await JobWithModelsAsync(db.DataSource);

        var classified = await job.ClassifyPendingAsync();

        await using var conn = await db.DataSource.OpenConnectionAsync();
        var total = await conn.ExecuteScalarAsync<int>("SELECT count(*)::int FROM content_items");
        Assert.Equal(total, classified);
        Assert.Equal(0, await conn.ExecuteScalarAsync<int>("SELECT count(*)::int FROM content_items WHERE predicted_at IS NULL"));
        Assert.Equal(total, await conn.ExecuteScalarAsync<int>("""
            SELECT count(*)::int FROM content_items
            WHERE predicted_theme IN ('victims', 'literacy', 'dialogue') AND predicted_theme_confidence BETWEEN 0 AND 1
              AND cardinality(predicted_audiences) >= 1 AND cardinality(predicted_audiences) = cardinality(predicted_audience_confidences)
              AND theme_model_version_id = @theme AND audience_model_version_id = @audience
            """, new { theme = models.Theme!.VersionId, audience = models.Audience!.VersionId }));
        Assert.Equal(0, await job.ClassifyPendingAsync());
    }

    [Fact]
    public async Task A_correction_changes_the_stored_label_is_audited_and_reaches_the_next_training_set()
    {
        await using var db = await (await PostgresServer.GetAsync()).CreateDatabaseAsync(withDemoData: true);
        var (job, _) = await JobWithModelsAsync(db.DataSource);
        await using (var conn = await db.DataSource.OpenConnectionAsync())
            await conn.ExecuteAsync("UPDATE content_items SET reviewed_theme = NULL, reviewed_audiences = NULL, reviewed_at = NULL");
        await job.ClassifyPendingAsync();
        var taxonomy = Taxonomy.Load();
        var store = new ContentReviewStore(db.DataSource, taxonomy);
        var queue = await store.ListPageAsync(ReviewScope.Everything, ReviewFilter.NeedsReview, 0.99f, 0, 10);
        Assert.NotEmpty(queue);
        Assert.Equal(queue.OrderBy(i => i.PredictedThemeConfidence).Select(i => i.Id), queue.Select(i => i.Id)); // least confident first
        var item = queue[0];
        Assert.Empty(await store.ReviewedForTrainingAsync(ClassifierTask.Theme));

        var outcome = await store.ReviewAsync(ReviewScope.Everything, item.Id, "formers", ["returnees", "prisons"], Actor.System("reviewer"));

        Assert.True(outcome.Succeeded);
        Assert.Equal("formers", outcome.Value!.ReviewedTheme);
        Assert.Equal(["prisons", "returnees"], outcome.Value.ReviewedAudiences!); // taxonomy order
        Assert.Equal(item.PredictedTheme, outcome.Value.PredictedTheme); // the prediction stays, shown apart
        Assert.Equal("formers", outcome.Value.Theme);
        var audit = (await new AuditLog(db.DataSource).ListPageAsync(new AuditFilter(EntityType: "content_item", EntityId: item.Id.ToString()))).Single();
        Assert.Equal("update", audit.Action);
        Assert.Contains(item.PredictedTheme!, audit.Before);
        Assert.Contains("formers", audit.After);
        await using (var conn = await db.DataSource.OpenConnectionAsync())
        {
            Assert.Equal("formers", await conn.ExecuteScalarAsync<string>("SELECT theme FROM content_item_labels WHERE content_item_id = @id", new { id = item.Id }));
            var other = queue.First(i => i.Id != item.Id);
            Assert.Equal(other.PredictedTheme, await conn.ExecuteScalarAsync<string>("SELECT theme FROM content_item_labels WHERE content_item_id = @id", new { id = other.Id }));
        }
        var training = await store.ReviewedForTrainingAsync(ClassifierTask.Theme);
        Assert.Equal(["formers"], training.Single().Labels);
        Assert.Equal(["prisons", "returnees"], (await store.ReviewedForTrainingAsync(ClassifierTask.Audience)).Single().Labels);
        Assert.DoesNotContain(item.Id, (await store.ListPageAsync(ReviewScope.Everything, ReviewFilter.NeedsReview, 0.99f, 0, 200)).Select(i => i.Id));
    }

    [Fact]
    public async Task A_partner_cannot_see_or_correct_another_organizations_item()
    {
        await using var db = await (await PostgresServer.GetAsync()).CreateDatabaseAsync(withDemoData: true);
        await using var conn = await db.DataSource.OpenConnectionAsync();
        var (itemId, ownerOrg) = await conn.QueryFirstAsync<(long, long)>("""
            SELECT ci.id, c.organization_id FROM content_items ci JOIN campaigns c ON c.id = ci.campaign_id ORDER BY ci.id LIMIT 1
            """);
        var otherOrg = await conn.ExecuteScalarAsync<long>("SELECT id FROM organizations WHERE id <> @ownerOrg ORDER BY id LIMIT 1", new { ownerOrg });
        var store = new ContentReviewStore(db.DataSource, Taxonomy.Load());

        Assert.Null(await store.GetAsync(ReviewScope.Organization(otherOrg), itemId));
        Assert.DoesNotContain(itemId, (await store.ListPageAsync(ReviewScope.Organization(otherOrg), ReviewFilter.All, 0.5f, 0, 200)).Select(i => i.Id));
        var refused = await store.ReviewAsync(ReviewScope.Organization(otherOrg), itemId, "formers", ["youth"], Actor.System("partner"));
        Assert.False(refused.Succeeded);
        Assert.NotEqual("formers", await conn.ExecuteScalarAsync<string?>("SELECT reviewed_theme FROM content_items WHERE id = @itemId", new { itemId }));

        var own = await store.ReviewAsync(ReviewScope.Organization(ownerOrg), itemId, "formers", ["youth"], Actor.System("partner"));
        Assert.True(own.Succeeded);
    }

    [Theory]
    [InlineData("not-a-theme", "youth", "theme")]
    [InlineData("formers", "", "audiences")]
    [InlineData("formers", "martians", "audiences")]
    public async Task Labels_outside_the_taxonomy_are_refused(string theme, string audience, string field)
    {
        await using var db = await (await PostgresServer.GetAsync()).CreateDatabaseAsync(withDemoData: true);
        var store = new ContentReviewStore(db.DataSource, Taxonomy.Load());

        var outcome = await store.ReviewAsync(ReviewScope.Everything, 1, theme, audience.Length == 0 ? [] : [audience], Actor.System("x"));

        Assert.False(outcome.Succeeded);
        Assert.True(outcome.Errors.ContainsKey(field));
    }
}
