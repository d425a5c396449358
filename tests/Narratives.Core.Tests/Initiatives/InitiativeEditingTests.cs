using System.Text.Json.Nodes;
using Dapper;
using Narratives.Core.Audit;
using Narratives.Core.Initiatives;
using Narratives.Core.Reference;
using Narratives.Testing;

namespace Narratives.Core.Tests.Initiatives;

public sealed class InitiativeEditingTests
{
    static readonly Actor Staff = new(null, null, "Staff tester");

    static InitiativeInput Valid() => new(
        "Voices Against Hate", "Peer educators answer recruiters online.", "A longer description.", "national", ["tun"],
        "Civic Lab", "civil_society", ["Partner One"], ["literacy"], ["youth"], ["ar", "FR"], ["facebook"], "active",
        new DateOnly(2025, 1, 1), null, "https://voices.example.org", [], "Amal", "amal@example.org", "");

    static async Task<(TestDatabase Db, InitiativeEditing Editing, InitiativeStore Store)> SetUpAsync()
    {
        var server = await PostgresServer.GetAsync();
        var db = await server.CreateDatabaseAsync();
        return (db, new InitiativeEditing(db.DataSource, Taxonomy.Load()), new InitiativeStore(db.DataSource));
    }

    [Fact]
    public async Task An_edit_records_only_the_changed_fields_with_before_and_after_and_who()
    {
        var (db, editing, store) = await SetUpAsync();
        await using var _ = db;

        var id = (await editing.CreateAsync(Valid(), Staff)).Value;
        var updated = await editing.UpdateAsync(id, 1, Valid() with { Status = "completed", Countries = ["TUN"], EndDate = new DateOnly(2026, 6, 30) }, Staff);
        var history = await store.HistoryAsync(id);

        Assert.Equal(2, updated.Value);
        Assert.Equal(["updated", "created"], history.Select(h => h.ChangeKind));
        var changes = JsonNode.Parse(history[0].Changes)!.AsObject();
        Assert.Equal(["endDate", "status"], changes.Select(c => c.Key).Order());
        Assert.Equal("active", changes["status"]!["before"]!.GetValue<string>());
        Assert.Equal("completed", changes["status"]!["after"]!.GetValue<string>());
        Assert.Equal("Staff tester", history[0].ChangedByLabel);
        var detail = await store.GetAsync(id, publicOnly: false, includeContact: true);
        Assert.Equal(["fr", "ar"], detail!.Languages.Order().Reverse());
        Assert.Equal("TUN", Assert.Single(detail.Countries).Alpha3);
        await using var conn = await db.DataSource.OpenConnectionAsync();
        Assert.Equal(2, await conn.ExecuteScalarAsync<int>("SELECT count(*) FROM audit_log WHERE entity_type = 'initiative'"));
    }

    [Fact]
    public async Task A_form_opened_before_someone_elses_change_is_refused_not_overwritten()
    {
        var (db, editing, store) = await SetUpAsync();
        await using var _ = db;
        var id = (await editing.CreateAsync(Valid(), Staff)).Value;
        await editing.UpdateAsync(id, 1, Valid() with { Name = "First edit" }, Staff);

        var stale = await editing.UpdateAsync(id, 1, Valid() with { Name = "Second edit" }, Staff);

        Assert.Contains("Someone else changed", stale.Errors["Version"]);
        Assert.Equal("First edit", (await store.GetAsync(id, false, false))!.Name);
    }

    [Fact]
    public async Task Bad_input_is_refused_field_by_field_and_nothing_is_written()
    {
        var (db, editing, _) = await SetUpAsync();
        await using var __ = db;

        var outcome = await editing.CreateAsync(Valid() with
        {
            Name = "", Countries = ["TUN", "XYZ"], Themes = ["peace"], Languages = ["fra"], StartDate = new DateOnly(2026, 1, 1),
            EndDate = new DateOnly(2025, 1, 1), Website = "voices", ContactEmail = "not an email",
        }, Staff);

        Assert.Equal(["ContactEmail", "Countries", "EndDate", "Languages", "Name", "Themes", "Website"], outcome.Errors.Keys.Order());
        Assert.Contains("XYZ", outcome.Errors["Countries"]);
        await using var conn = await db.DataSource.OpenConnectionAsync();
        Assert.Equal(0, await conn.ExecuteScalarAsync<int>("SELECT count(*) FROM initiatives"));
    }

    [Fact]
    public async Task A_national_initiative_has_exactly_one_country()
    {
        var (db, editing, _) = await SetUpAsync();
        await using var __ = db;

        var outcome = await editing.CreateAsync(Valid() with { Countries = ["TUN", "MAR"] }, Staff);

        Assert.Contains("exactly one country", outcome.Errors["Countries"]);
    }

    [Fact]
    public async Task Archiving_hides_an_initiative_keeps_its_history_and_verifying_dates_it()
    {
        var (db, editing, store) = await SetUpAsync();
        await using var _ = db;
        var id = (await editing.CreateAsync(Valid(), Staff)).Value;

        await editing.VerifyAsync(id, Staff);
        var verified = await store.GetAsync(id, publicOnly: true, includeContact: false);
        await editing.ArchiveAsync(id, Staff);
        await editing.ArchiveAsync(id, Staff); // twice is once

        Assert.NotNull(verified!.LastVerifiedAt);
        Assert.Equal(0, (await store.ListPageAsync(new InitiativeQuery(), publicOnly: false)).Total);
        Assert.Null(await store.GetAsync(id, publicOnly: true, includeContact: false));
        Assert.Equal(["archived", "verified", "created"], (await store.HistoryAsync(id)).Select(h => h.ChangeKind));
    }
}
