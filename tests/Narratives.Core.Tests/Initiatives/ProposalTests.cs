using Dapper;
using Narratives.Core.Audit;
using Narratives.Core.Initiatives;
using Narratives.Core.Reference;
using Narratives.Testing;

namespace Narratives.Core.Tests.Initiatives;

public sealed class ProposalTests
{
    static readonly Actor Staff = new(null, null, "Staff tester");
    static readonly Actor Partner = new(null, null, "Partner tester");

    static async Task<(TestDatabase Db, InitiativeEditing Editing, InitiativeStore Store, long OrgA, long OrgB, long InitiativeId)> SetUpAsync()
    {
        var server = await PostgresServer.GetAsync();
        var db = await server.CreateDatabaseAsync(withDemoData: true);
        await using var conn = await db.DataSource.OpenConnectionAsync();
        var orgA = await conn.ExecuteScalarAsync<long>("SELECT id FROM organizations WHERE key = 'horizons-youth'");
        var orgB = await conn.ExecuteScalarAsync<long>("SELECT id FROM organizations WHERE key = 'pont-des-cultures'");
        var initiative = await conn.ExecuteScalarAsync<long>("SELECT id FROM initiatives WHERE external_ref = 'horizons-digital-youth'");
        return (db, new InitiativeEditing(db.DataSource, Taxonomy.Load()), new InitiativeStore(db.DataSource), orgA, orgB, initiative);
    }

    static async Task<InitiativeInput> CurrentAsync(InitiativeStore store, long id)
    {
        var d = (await store.GetAsync(id, false, true))!;
        return new InitiativeInput(d.Name, d.ShortDescription, d.Description, d.Scope, d.Countries.Select(c => c.Alpha3).ToArray(),
            d.LeadOrganization, d.LeadType, d.PartnerOrganizations, d.Themes, d.Audiences, d.Languages, d.Channels, d.Status,
            d.StartDate, d.EndDate, d.Website, d.SocialLinks, d.ContactName, d.ContactEmail, d.Notes);
    }

    [Fact]
    public async Task A_proposed_change_waits_for_staff_and_approval_applies_it_with_history()
    {
        var (db, editing, store, orgA, _, id) = await SetUpAsync();
        await using var _ = db;
        var before = await CurrentAsync(store, id);

        var proposed = await editing.ProposeAsync(id, before with { Status = "completed" }, orgA, Partner);
        Assert.Equal("active", (await store.GetAsync(id, false, false))!.Status);
        var approved = await editing.ApproveAsync(proposed.Value, Staff);
        var again = await editing.ApproveAsync(proposed.Value, Staff);

        Assert.Equal(id, approved.Value);
        Assert.Equal("completed", (await store.GetAsync(id, false, false))!.Status);
        Assert.Equal("proposal_applied", (await store.HistoryAsync(id))[0].ChangeKind);
        Assert.False(again.Succeeded);
        Assert.Equal("approved", Assert.Single(await store.ProposalsAsync(null, orgA)).Status);
    }

    [Fact]
    public async Task A_proposed_new_initiative_is_created_on_approval()
    {
        var (db, editing, store, orgA, _, id) = await SetUpAsync();
        await using var _ = db;
        var proposal = await editing.ProposeAsync(null, (await CurrentAsync(store, id)) with { Name = "Sousse Youth Voices" }, orgA, Partner);

        var created = await editing.ApproveAsync(proposal.Value, Staff);

        Assert.Equal("Sousse Youth Voices", (await store.GetAsync(created.Value, false, false))!.Name);
    }

    [Fact]
    public async Task A_rejection_needs_a_reason_which_the_partner_sees_and_partners_see_only_their_own_proposals()
    {
        var (db, editing, store, orgA, orgB, id) = await SetUpAsync();
        await using var _ = db;
        var proposal = await editing.ProposeAsync(id, (await CurrentAsync(store, id)) with { Notes = "New partner joined" }, orgA, Partner);

        var noReason = await editing.RejectAsync(proposal.Value, "  ", Staff);
        await editing.RejectAsync(proposal.Value, "Please send the partnership agreement first.", Staff);

        Assert.True(noReason.Errors.ContainsKey("Reason"));
        var mine = Assert.Single(await store.ProposalsAsync(null, orgA));
        Assert.Equal(("rejected", "Please send the partnership agreement first."), (mine.Status, mine.RejectionReason));
        Assert.Empty(await store.ProposalsAsync(null, orgB));
        Assert.Empty(await store.ProposalsAsync("pending", null));
    }

    [Fact]
    public async Task A_proposal_is_checked_like_an_edit()
    {
        var (db, editing, store, orgA, _, id) = await SetUpAsync();
        await using var _ = db;

        var bad = await editing.ProposeAsync(id, (await CurrentAsync(store, id)) with { Countries = ["ATLANTIS"] }, orgA, Partner);

        Assert.True(bad.Errors.ContainsKey("Countries"));
        Assert.Empty(await store.ProposalsAsync(null, orgA));
    }
}
