using Dapper;
using Microsoft.Playwright;
using Narratives.Core.Audit;
using Narratives.Core.Database;
using Narratives.Core.Reference;
using Narratives.Ml.Evaluation;
using Narratives.Ml.Registry;
using Narratives.Ml.Scoring;
using Narratives.Ml.Training;
using Narratives.Web.Tests.Browser;

namespace Narratives.Web.Tests.Classification;

[Collection(BrowserCollection.Name)]
public sealed class ClassificationBrowserTests(BrowserFixture fixture)
{
    static readonly SemaphoreSlim Gate = new(1, 1);
    static (long Theme1, long Theme2)? registered;

    /// <summary>
    /// Two small theme versions (the second active) and one audience version, trained on every tenth corpus row so
    /// that it takes seconds; the running app picks them up and classifies the demo items.
    /// </summary>
    async Task<(long Theme1, long Theme2)> RegisterModelsAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (registered is { } done) return done;
            var taxonomy = Taxonomy.Load();
            await using var db = NarrativesDatabase.CreateDataSource(fixture.ConnectionString);
            var registry = new ModelRegistry(db);
            var theme = ProjectTrainingData.Corpus(ClassifierTask.Theme, taxonomy).Where((_, i) => i % 10 == 0).ToList();
            var audience = ProjectTrainingData.Corpus(ClassifierTask.Audience, taxonomy).Where((_, i) => i % 10 == 0).ToList();
            var themeModel = TextClassifierTrainer.Train(theme, multiLabel: false);
            var audienceModel = TextClassifierTrainer.Train(audience, multiLabel: true);
            var first = await registry.SaveAsync(ClassifierTask.Theme, themeModel, Report(themeModel, theme), taxonomy.Version, "test", activate: true);
            await registry.SaveAsync(ClassifierTask.Audience, audienceModel, Report(audienceModel, audience), taxonomy.Version, "test", activate: true);
            var second = await registry.SaveAsync(ClassifierTask.Theme, themeModel, Report(themeModel, theme), taxonomy.Version, "test", activate: true);
            registered = (first, second);
            return (first, second);
        }
        finally
        {
            Gate.Release();
        }
    }

    static QualityReport Report(TextClassifier model, IReadOnlyList<LabelledText> rows) =>
        Metrics.Compute(rows.Select(r => r.Labels).ToList(),
            model.PredictBatch(rows.Select(r => r.Text).ToList()).Select(p => (IReadOnlyList<string>)p.Chosen.Select(c => c.Label).ToList()).ToList(),
            model.Labels, model.MultiLabel, rows.Select(r => r.Language).ToList(), folds: 3);

    async Task WaitUntilClassifiedAsync()
    {
        await using var conn = new Npgsql.NpgsqlConnection(fixture.ConnectionString);
        await conn.OpenAsync();
        for (var i = 0; i < 120; i++)
        {
            if (await conn.ExecuteScalarAsync<int>("SELECT count(*)::int FROM content_items WHERE predicted_at IS NULL") == 0) return;
            await Task.Delay(500);
        }
        Assert.Fail("The app did not classify the demo items within a minute.\n" + fixture.App.Output);
    }

    [Fact]
    public async Task A_partner_sees_only_its_organizations_items_and_a_correction_is_stored_as_the_reviewed_label()
    {
        await RegisterModelsAsync();
        await WaitUntilClassifiedAsync();
        await using var session = await fixture.NewSessionAsync();
        await session.SignInAsync(DemoUser.PartnerA);

        await session.GotoAsync("/content-review");
        await Assertions.Expect(session.Page.GetByRole(AriaRole.Heading, new() { Name = "Content review", Level = 1 })).ToBeVisibleAsync();
        await session.Page.GetByTestId("filter-all").ClickAsync();
        var cards = session.Page.GetByTestId("review-item");
        await Assertions.Expect(cards.First).ToBeVisibleAsync();
        var shown = new List<long>();
        foreach (var card in await cards.AllAsync())
            shown.Add(long.Parse((await card.GetAttributeAsync("data-item-id"))!));

        await using var conn = new Npgsql.NpgsqlConnection(fixture.ConnectionString);
        await conn.OpenAsync();
        var own = (await conn.QueryAsync<long>("""
            SELECT ci.id FROM content_items ci JOIN campaigns c ON c.id = ci.campaign_id JOIN organizations o ON o.id = c.organization_id
            WHERE o.key = @key
            """, new { key = DemoUser.PartnerA.Organization })).ToHashSet();
        Assert.NotEmpty(shown);
        Assert.All(shown, id => Assert.Contains(id, own));
        await Assertions.Expect(cards.First.GetByTestId("predicted")).Not.ToContainTextAsync("not classified yet");

        var itemId = shown[0];
        var card0 = session.Page.Locator($"[data-testid='review-item'][data-item-id='{itemId}']");
        await card0.GetByTestId("edit-review").ClickAsync();
        await Assertions.Expect(card0.GetByTestId("explanation")).ToBeVisibleAsync();
        var current = await conn.ExecuteScalarAsync<string?>("SELECT coalesce(reviewed_theme, predicted_theme) FROM content_items WHERE id = @itemId", new { itemId });
        var target = current == "formers" ? "Dialogue and coexistence" : "Former extremists";
        var targetId = current == "formers" ? "dialogue" : "formers";
        await card0.GetByTestId("theme-select").ClickAsync();
        await session.Page.Locator(".mud-popover-open").GetByText(target, new() { Exact = true }).ClickAsync();
        await card0.GetByTestId("save-review").ClickAsync();

        await Assertions.Expect(card0.GetByTestId("reviewed")).ToContainTextAsync(target);
        Assert.Equal(targetId, await conn.ExecuteScalarAsync<string?>("SELECT reviewed_theme FROM content_items WHERE id = @itemId", new { itemId }));
        Assert.NotNull(await conn.ExecuteScalarAsync<Guid?>("SELECT reviewed_by FROM content_items WHERE id = @itemId", new { itemId }));
        var audit = await new AuditLog(NarrativesDatabase.CreateDataSource(fixture.ConnectionString))
            .ListPageAsync(new AuditFilter(EntityType: "content_item", EntityId: itemId.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Contains(targetId, audit[0].After);
    }

    [Fact]
    public async Task Staff_see_the_model_quality_and_roll_back_to_the_previous_version()
    {
        var (first, second) = await RegisterModelsAsync();
        await using var session = await fixture.NewSessionAsync();
        await session.SignInAsync(DemoUser.Staff);

        await session.GotoAsync("/model");

        await Assertions.Expect(session.Page.GetByTestId("metrics-theme")).ToBeVisibleAsync();
        await Assertions.Expect(session.Page.GetByTestId("metrics-audience")).ToBeVisibleAsync();
        await Assertions.Expect(session.Page.Locator("#theme-confusion.js-plotly-plot .main-svg").First).ToBeAttachedAsync();
        await Assertions.Expect(session.Page.Locator("#theme-per-class.js-plotly-plot .main-svg").First).ToBeAttachedAsync();
        await Assertions.Expect(session.Page.Locator($"[data-testid='version-row'][data-version-id='{second}']")).ToContainTextAsync("Active");
        await Assertions.Expect(session.Page.GetByTestId("retrain")).ToBeVisibleAsync();

        await session.Page.GetByTestId("rollback-theme").ClickAsync();

        await Assertions.Expect(session.Page.Locator($"[data-testid='version-row'][data-version-id='{first}']")).ToContainTextAsync("Active");
        await using var conn = new Npgsql.NpgsqlConnection(fixture.ConnectionString);
        await conn.OpenAsync();
        Assert.Equal(first, await conn.ExecuteScalarAsync<long>("SELECT id FROM model_versions WHERE task = 'theme' AND is_active"));
        var audits = await conn.ExecuteScalarAsync<int>("SELECT count(*)::int FROM audit_log WHERE entity_type = 'model_version' AND entity_id = @id AND actor_label <> 'test'",
            new { id = first.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        Assert.Equal(1, audits);
    }
}
