using Dapper;
using Narratives.Core.Audit;
using Narratives.Core.Campaigns;
using Narratives.Core.Reference;
using Narratives.Testing;

namespace Narratives.Core.Tests.Campaigns;

public sealed class CampaignEditingTests
{
    static readonly Actor Partner = new(null, null, "Partner tester");

    sealed record Setup(TestDatabase Db, CampaignEditing Editing, CampaignStore Store, long OrgA, long OrgB, long InitiativeId) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Db.DisposeAsync();
    }

    static async Task<Setup> SetUpAsync()
    {
        var db = await (await PostgresServer.GetAsync()).CreateDatabaseAsync(withDemoData: true);
        await using var conn = await db.DataSource.OpenConnectionAsync();
        var orgA = await conn.ExecuteScalarAsync<long>("SELECT id FROM organizations WHERE key = 'horizons-youth'");
        var orgB = await conn.ExecuteScalarAsync<long>("SELECT id FROM organizations WHERE key = 'voices-of-resilience'");
        var initiative = await conn.ExecuteScalarAsync<long>("SELECT min(id) FROM initiatives WHERE archived_at IS NULL");
        return new Setup(db, new CampaignEditing(db.DataSource, Taxonomy.Load(), TimeProvider.System), new CampaignStore(db.DataSource), orgA, orgB, initiative);
    }

    [Fact]
    public async Task A_draft_saved_at_the_first_step_becomes_a_published_campaign_and_every_change_is_audited()
    {
        await using var s = await SetUpAsync();
        var draft = await s.Editing.CreateAsync(s.OrgA, CampaignInput.Draft(s.InitiativeId, "Spot the hook"), Partner);
        Assert.True(draft.Succeeded, string.Join(" ", draft.Errors.Values));

        var published = await s.Editing.UpdateAsync(draft.Value, 1, CampaignInputTests.Complete(s.InitiativeId), Partner);
        Assert.True(published.Succeeded, string.Join(" ", published.Errors.Values));

        var (access, campaign) = await s.Store.FindAsync(draft.Value, CampaignViewer.Public);
        Assert.Equal(CampaignAccess.Visible, access);
        Assert.Equal(2, campaign!.Version);
        Assert.Equal(["clicks", "reach"], campaign.Kpis.Select(k => k.Metric).Order());
        Assert.Equal("TND", campaign.Currency);
        await using var conn = await s.Db.DataSource.OpenConnectionAsync();
        var audit = (await conn.QueryAsync<(string Action, string? Before, string? After)>(
            "SELECT action, before::text, after::text FROM audit_log WHERE entity_type = 'campaign' AND entity_id = @id ORDER BY id",
            new { id = draft.Value.ToString() })).AsList();
        Assert.Equal(["create", "update"], audit.Select(a => a.Action));
        Assert.Contains("\"status\": \"draft\"", audit[1].Before);
        Assert.Contains("\"status\": \"running\"", audit[1].After);
    }

    [Fact]
    public async Task A_stale_form_is_refused_and_invalid_input_stores_nothing()
    {
        await using var s = await SetUpAsync();
        var id = (await s.Editing.CreateAsync(s.OrgA, CampaignInput.Draft(s.InitiativeId, "First"), Partner)).Value;
        await s.Editing.UpdateAsync(id, 1, CampaignInput.Draft(s.InitiativeId, "Second"), Partner);

        var stale = await s.Editing.UpdateAsync(id, 1, CampaignInput.Draft(s.InitiativeId, "Third"), Partner);
        var invalid = await s.Editing.UpdateAsync(id, 2, CampaignInput.Draft(s.InitiativeId, "Fourth") with { Currency = "XYZ", Budget = 10 }, Partner);
        var noInitiative = await s.Editing.CreateAsync(s.OrgA, CampaignInput.Draft(987654, "Nowhere"), Partner);

        Assert.Contains("Someone else changed", stale.Errors["Version"]);
        Assert.Contains("ISO 4217", invalid.Errors["Currency"]);
        Assert.Contains("no open initiative", noInitiative.Errors["InitiativeId"]);
        var (_, campaign) = await s.Store.FindAsync(id, new CampaignViewer(true, null));
        Assert.Equal("Second", campaign!.Name);
    }

    [Fact]
    public async Task Drafts_are_private_to_their_organization_and_staff()
    {
        await using var s = await SetUpAsync();
        var id = (await s.Editing.CreateAsync(s.OrgA, CampaignInput.Draft(s.InitiativeId, "Private draft"), Partner)).Value;

        Assert.Equal(CampaignAccess.Visible, (await s.Store.FindAsync(id, new CampaignViewer(false, s.OrgA))).Access);
        Assert.Equal(CampaignAccess.Visible, (await s.Store.FindAsync(id, new CampaignViewer(true, null))).Access);
        Assert.Equal(CampaignAccess.Hidden, (await s.Store.FindAsync(id, new CampaignViewer(false, s.OrgB))).Access);
        Assert.Equal(CampaignAccess.Hidden, (await s.Store.FindAsync(id, CampaignViewer.Public)).Access);
        Assert.Equal(CampaignAccess.Missing, (await s.Store.FindAsync(id + 1000, CampaignViewer.Public)).Access);

        var listB = await s.Store.ListAsync(new CampaignListQuery(PageSize: 500), new CampaignViewer(false, s.OrgB));
        var listA = await s.Store.ListAsync(new CampaignListQuery(PageSize: 500), new CampaignViewer(false, s.OrgA));
        Assert.DoesNotContain(listB.Items, c => c.Id == id);
        Assert.DoesNotContain(listB.Items, c => !c.IsPublished && c.OrganizationId != s.OrgB);
        Assert.Contains(listA.Items, c => c.Id == id);
        Assert.Equal(listA.Items.Count, listA.Total);
    }

    [Fact]
    public async Task Archiving_a_campaign_with_data_needs_confirmation_and_keeps_everything()
    {
        await using var s = await SetUpAsync();
        await using var conn = await s.Db.DataSource.OpenConnectionAsync();
        var id = await conn.ExecuteScalarAsync<long>(
            "SELECT c.id FROM campaigns c WHERE c.organization_id = @OrgA AND EXISTS (SELECT 1 FROM content_items ci WHERE ci.campaign_id = c.id) ORDER BY c.id LIMIT 1", new { s.OrgA });
        var items = await conn.ExecuteScalarAsync<int>("SELECT count(*) FROM content_items WHERE campaign_id = @id", new { id });

        var unconfirmed = await s.Editing.ArchiveAsync(id, confirmed: false, Partner);
        Assert.Contains("Confirm", unconfirmed.Errors["Confirm"]);
        Assert.Null(await conn.ExecuteScalarAsync<DateTimeOffset?>("SELECT archived_at FROM campaigns WHERE id = @id", new { id }));

        Assert.True((await s.Editing.ArchiveAsync(id, confirmed: true, Partner)).Value);
        Assert.Equal(items, await conn.ExecuteScalarAsync<int>("SELECT count(*) FROM content_items WHERE campaign_id = @id", new { id }));
        Assert.Equal(CampaignAccess.Hidden, (await s.Store.FindAsync(id, CampaignViewer.Public)).Access);
        Assert.True((await s.Editing.RestoreAsync(id, Partner)).Value);
        Assert.Equal(["archive", "restore"], await conn.QueryAsync<string>(
            "SELECT action FROM audit_log WHERE entity_type = 'campaign' AND entity_id = @id ORDER BY id", new { id = id.ToString() }));
    }

    [Fact]
    public async Task Variants_content_and_outcomes_attach_to_their_campaign_only()
    {
        await using var s = await SetUpAsync();
        var id = (await s.Editing.CreateAsync(s.OrgA, CampaignInput.Draft(s.InitiativeId, "A/B test"), Partner)).Value;
        var other = (await s.Editing.CreateAsync(s.OrgA, CampaignInput.Draft(s.InitiativeId, "Other"), Partner)).Value;
        var a = (await s.Editing.AddVariantAsync(id, new VariantInput("A", false, "Testimony first"), Partner)).Value;
        var control = (await s.Editing.AddVariantAsync(id, new VariantInput("Control", true, ""), Partner)).Value;
        var otherVariant = (await s.Editing.AddVariantAsync(other, new VariantInput("A", false, ""), Partner)).Value;

        Assert.Contains("already has a variant", (await s.Editing.AddVariantAsync(id, new VariantInput("A", false, ""), Partner)).Errors["Name"]);
        Assert.Contains("already has a control", (await s.Editing.AddVariantAsync(id, new VariantInput("Control 2", true, ""), Partner)).Errors["IsControl"]);

        var content = await s.Editing.AddContentAsync(id, new ContentInput("facebook", "https://facebook.com/posts/1", "", "Spot the hook #quiz", "en", new DateOnly(2026, 10, 1), a), Partner);
        Assert.True(content.Succeeded, string.Join(" ", content.Errors.Values));
        Assert.Contains("already recorded", (await s.Editing.AddContentAsync(id, new ContentInput("facebook", "https://facebook.com/posts/1", "", "Again", "en", null, null), Partner)).Errors["Permalink"]);
        Assert.Contains("variant of this campaign", (await s.Editing.AddContentAsync(id, new ContentInput("x", null, "", "Post", "en", null, otherVariant), Partner)).Errors["VariantId"]);

        var pre = await s.Editing.RecordOutcomeAsync(id, new OutcomeInput("survey", control, new DateOnly(2026, 10, 1), "I check sources", "pre_post", "pre", 200, 62), Partner);
        var post = await s.Editing.RecordOutcomeAsync(id, new OutcomeInput("survey", control, new DateOnly(2026, 11, 1), "I check sources", "pre_post", "post", 180, 95), Partner);
        var calls = await s.Editing.RecordOutcomeAsync(id, new OutcomeInput("conversion", null, new DateOnly(2026, 11, 2), ConversionType: "helpline_call", Count: 14, Question: "ignored"), Partner);
        Assert.True(pre.Succeeded && post.Succeeded && calls.Succeeded);

        var outcomes = await s.Store.OutcomesAsync(id);
        Assert.Equal(3, outcomes.Count);
        Assert.Null(outcomes.Single(o => o.Kind == "conversion").Question);
        Assert.Equal((200, 62), (outcomes.Single(o => o.Arm == "pre").SampleSize!.Value, outcomes.Single(o => o.Arm == "pre").Agreeing!.Value));
        var days = await s.Store.DaysAsync(id);
        Assert.Equal(14, days.Single(d => d.Day == new DateOnly(2026, 11, 2)).Conversions);
        var item = Assert.Single(await s.Store.ContentAsync(id));
        Assert.Equal("A", item.VariantName);
        Assert.Null(item.PredictedTheme);

        Assert.True((await s.Editing.DeleteOutcomeAsync(id, calls.Value, Partner)).Succeeded);
        Assert.False((await s.Editing.DeleteOutcomeAsync(other, pre.Value, Partner)).Succeeded);
        await using var conn = await s.Db.DataSource.OpenConnectionAsync();
        var deleted = await conn.ExecuteScalarAsync<string>("SELECT before::text FROM audit_log WHERE action = 'delete' AND entity_type = 'outcome_measurement'");
        Assert.Contains("helpline_call", deleted);
    }

    [Fact]
    public async Task Kpi_progress_counts_engagement_of_the_campaigns_content()
    {
        await using var s = await SetUpAsync();
        await using var conn = await s.Db.DataSource.OpenConnectionAsync();
        var id = await conn.ExecuteScalarAsync<long>(
            "SELECT c.id FROM campaigns c WHERE EXISTS (SELECT 1 FROM content_items ci JOIN engagement_facts f ON f.content_item_id = ci.id WHERE ci.campaign_id = c.id) ORDER BY c.id LIMIT 1");
        var expectedReach = await conn.ExecuteScalarAsync<long>(
            "SELECT sum(f.reach) FROM engagement_facts f JOIN content_items ci ON ci.id = f.content_item_id WHERE ci.campaign_id = @id", new { id });

        var days = await s.Store.DaysAsync(id);
        Assert.Equal(expectedReach, KpiProgress.CurrentValue("reach", days));
    }

    [Fact]
    public async Task Demo_data_has_variants_with_content_and_survey_arms_stored_as_counts()
    {
        await using var s = await SetUpAsync();
        await using var conn = await s.Db.DataSource.OpenConnectionAsync();
        var id = await conn.ExecuteScalarAsync<long>("SELECT id FROM campaigns WHERE external_ref = 'hd-fakker-qbal-matpartagi'");

        var variants = await s.Store.VariantsAsync(id);
        var outcomes = await s.Store.OutcomesAsync(id);

        Assert.Equal(["A", "B"], variants.Select(v => v.Name));
        Assert.All(variants, v => Assert.True(v.ContentItems > 0));
        Assert.Equal((await s.Store.ContentAsync(id)).Count, variants.Sum(v => v.ContentItems));
        var pre = outcomes.Single(o => o.Arm == "pre");
        Assert.Equal((600, 186), (pre.SampleSize!.Value, pre.Agreeing!.Value));
        Assert.Equal(412, outcomes.Single(o => o.VariantName == "A").Count);
    }
}
