using Dapper;
using Narratives.Core.Audit;
using Narratives.Core.Organizations;
using Narratives.Testing;

namespace Narratives.Core.Tests.Organizations;

public sealed class OrganizationStoreTests
{
    static readonly Actor Staff = new(null, null, "Staff tester");

    [Fact]
    public async Task Creating_renaming_and_deactivating_an_organization_is_audited_with_before_and_after()
    {
        var server = await PostgresServer.GetAsync();
        await using var db = await server.CreateDatabaseAsync();
        var store = new OrganizationStore(db.DataSource);

        var created = await store.CreateAsync(new OrganizationInput(" Sahel Peace Voices ", "Sahel-Peace", "civil_society", "mli", "https://sahel.example.org", null), Staff);
        var renamed = await store.RenameAsync(created.Value!.Id, "Sahel Voices for Peace", Staff);
        var deactivated = await store.SetActiveAsync(created.Value.Id, false, Staff);

        Assert.Equal(("Sahel Peace Voices", "sahel-peace", "MLI"), (created.Value.Name, created.Value.Key, created.Value.Country));
        Assert.Equal("Sahel Voices for Peace", renamed.Value!.Name);
        Assert.False(deactivated.Value!.IsActive);
        Assert.DoesNotContain(await store.ListAsync(includeInactive: false), o => o.Id == created.Value.Id);
        await using var conn = await db.DataSource.OpenConnectionAsync();
        var audit = (await conn.QueryAsync<(string Action, string? Before, string After, string Actor)>(
            "SELECT action, before::text, after::text, actor_label FROM audit_log WHERE entity_type = 'organization' ORDER BY id")).ToList();
        Assert.Equal(["create", "update", "update"], audit.Select(a => a.Action));
        Assert.Null(audit[0].Before);
        Assert.Contains("Sahel Peace Voices", audit[1].Before);
        Assert.Contains("Sahel Voices for Peace", audit[1].After);
        Assert.All(audit, a => Assert.Equal("Staff tester", a.Actor));
    }

    [Fact]
    public async Task Bad_input_is_refused_field_by_field_and_nothing_is_stored()
    {
        var server = await PostgresServer.GetAsync();
        await using var db = await server.CreateDatabaseAsync();
        var store = new OrganizationStore(db.DataSource);

        var outcome = await store.CreateAsync(new OrganizationInput(" ", "Not A Key!", "club", "France", "ftp://x", null), Staff);

        Assert.Equal(["Country", "Key", "Kind", "Name", "Website"], outcome.Errors.Keys.Order());
        Assert.Empty(await store.ListAsync());
    }

    [Fact]
    public async Task Names_and_keys_stay_unique()
    {
        var server = await PostgresServer.GetAsync();
        await using var db = await server.CreateDatabaseAsync();
        var store = new OrganizationStore(db.DataSource);
        var first = await store.CreateAsync(new OrganizationInput("One", "one", "academia", null, null, null), Staff);
        var other = await store.CreateAsync(new OrganizationInput("Two", "two", "academia", null, null, null), Staff);

        var sameName = await store.CreateAsync(new OrganizationInput("One", null, "academia", null, null, null), Staff);
        var sameKey = await store.CreateAsync(new OrganizationInput("Three", "one", "academia", null, null, null), Staff);
        var renameClash = await store.RenameAsync(other.Value!.Id, "One", Staff);

        Assert.True(first.Succeeded);
        Assert.Contains("already exists", sameName.Errors["Name"]);
        Assert.Contains("already used", sameKey.Errors["Key"]);
        Assert.Contains("already exists", renameClash.Errors["Name"]);
        Assert.Equal(2, (await store.ListAsync()).Count);
    }
}
