using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Narratives.Core.Audit;
using Narratives.Ml.Evaluation;
using Narratives.Ml.Registry;
using Narratives.Ml.Training;
using Narratives.Testing;

namespace Narratives.Ml.Tests.Registry;

public sealed class ModelRegistryTests
{
    static readonly QualityReport Report = new(false, 21, 3, 0.9, 0.9, 0.9, ["a"], [], null, []);

    [Fact]
    public async Task Activating_a_version_deactivates_the_previous_one_and_rolling_back_restores_it()
    {
        await using var db = await (await PostgresServer.GetAsync()).CreateDatabaseAsync();
        var registry = new ModelRegistry(db.DataSource);
        var first = await registry.SaveAsync(ClassifierTask.Theme, TinyData.ThemeModel, Report, "2026.1", "test", activate: true);
        var second = await registry.SaveAsync(ClassifierTask.Theme, TinyData.ThemeModel, Report, "2026.1", "test", activate: false);

        Assert.Equal(first, (await registry.ActiveIdsAsync())[ClassifierTask.Theme]);
        await registry.ActivateAsync(second, Actor.System("staff"));
        var versions = await registry.ListAsync(ClassifierTask.Theme);
        Assert.Equal([second], versions.Where(v => v.IsActive).Select(v => v.Id));
        Assert.Equal(0.9, versions[0].Report!.MacroF1);
        Assert.True(versions[0].ModelBytes > 1000);

        var rolledBack = await registry.RollBackAsync(ClassifierTask.Theme, Actor.System("staff"));

        Assert.Equal(first, rolledBack!.Id);
        Assert.Equal(first, (await registry.ActiveIdsAsync())[ClassifierTask.Theme]);
        Assert.False((await registry.ActiveIdsAsync()).ContainsKey(ClassifierTask.Audience));
        var audits = await new AuditLog(db.DataSource).ListPageAsync(new AuditFilter(EntityType: "model_version"));
        Assert.Equal(3, audits.Count);
        Assert.Contains(second.ToString(), audits[0].Before);
    }

    [Fact]
    public async Task Active_models_swap_in_a_newly_activated_version_without_a_restart()
    {
        await using var db = await (await PostgresServer.GetAsync()).CreateDatabaseAsync();
        var registry = new ModelRegistry(db.DataSource);
        var active = new ActiveModels(registry, NullLogger<ActiveModels>.Instance);
        var changes = 0;
        active.Changed += () => changes++;
        Assert.False(await active.RefreshAsync());
        Assert.Null(active.Theme);

        var first = await registry.SaveAsync(ClassifierTask.Theme, TinyData.ThemeModel, Report, "2026.1", "test", activate: true);
        await registry.SaveAsync(ClassifierTask.Audience, TinyData.AudienceModel, Report, "2026.1", "test", activate: true);
        Assert.True(await active.RefreshAsync());
        Assert.Equal(first, active.Theme!.VersionId);
        Assert.True(active.Ready);
        Assert.False(await active.RefreshAsync()); // nothing changed, nothing reloaded

        var second = await registry.SaveAsync(ClassifierTask.Theme, TinyData.ThemeModel, Report, "2026.1", "test", activate: true);
        Assert.True(await active.RefreshAsync());
        Assert.Equal(second, active.Theme!.VersionId);
        Assert.Equal(2, changes);
        Assert.Equal("literacy", active.Theme.Classifier.Predict(TinyData.NewTexts[0]).Top);
        // The audience model (its featurizer and its heads stored beside it) comes back from the registry as it went in.
        Assert.Equal(TinyData.AudienceModel.PredictBatch(TinyData.NewTexts).SelectMany(p => p.All.Select(s => (s.Label, s.Confidence))),
            active.Audience!.Classifier.PredictBatch(TinyData.NewTexts).SelectMany(p => p.All.Select(s => (s.Label, s.Confidence))));
    }

    [Fact]
    public async Task Only_one_version_per_task_can_be_active()
    {
        await using var db = await (await PostgresServer.GetAsync()).CreateDatabaseAsync();
        var registry = new ModelRegistry(db.DataSource);
        await registry.SaveAsync(ClassifierTask.Theme, TinyData.ThemeModel, Report, "2026.1", "test", activate: true);
        await registry.SaveAsync(ClassifierTask.Theme, TinyData.ThemeModel, Report, "2026.1", "test", activate: true);

        await using var conn = await db.DataSource.OpenConnectionAsync();
        Assert.Equal(1, await conn.ExecuteScalarAsync<int>("SELECT count(*)::int FROM model_versions WHERE is_active AND task = 'theme'"));
    }
}
