using Dapper;
using Narratives.Core.Accounts;
using Narratives.Core.Audit;
using Narratives.Core.Organizations;
using Narratives.Testing;

namespace Narratives.Core.Tests.Accounts;

public sealed class ApiKeyStoreTests
{
    static readonly Actor Staff = new(null, null, "Staff tester");

    static async Task<(TestDatabase Db, ApiKeyStore Keys, long OrganizationId)> SetUpAsync()
    {
        var server = await PostgresServer.GetAsync();
        var db = await server.CreateDatabaseAsync();
        var org = await new OrganizationStore(db.DataSource).CreateAsync(new OrganizationInput("Org", "org", "civil_society", null, null, null), Staff);
        return (db, new ApiKeyStore(db.DataSource), org.Value!.Id);
    }

    [Fact]
    public async Task A_new_key_works_once_shown_is_stored_only_as_a_hash_and_notes_its_last_use()
    {
        var (db, keys, org) = await SetUpAsync();
        await using var _ = db;

        var created = await keys.CreateAsync(org, "Upload script", null, Staff);
        var check = await keys.CheckAsync(created.Value.Secret);

        Assert.StartsWith("nar_", created.Value.Secret);
        Assert.Equal(org, check.Caller!.OrganizationId);
        await using var conn = await db.DataSource.OpenConnectionAsync();
        var stored = await conn.QuerySingleAsync<(byte[] Hash, DateTime? LastUsed)>("SELECT key_hash, last_used_at FROM api_keys");
        Assert.Equal(32, stored.Hash.Length);
        Assert.NotNull(stored.LastUsed);
        Assert.Equal(0, await conn.ExecuteScalarAsync<int>("SELECT count(*) FROM audit_log WHERE after::text LIKE '%' || @s || '%'", new { s = created.Value.Secret[15..] }));
    }

    [Fact]
    public async Task Revoked_expired_unknown_and_malformed_keys_are_refused_with_the_reason()
    {
        var (db, keys, org) = await SetUpAsync();
        await using var _ = db;
        var revoked = await keys.CreateAsync(org, "Old", null, Staff);
        await keys.RevokeAsync(revoked.Value.Key.Id, Staff);
        var expiring = await keys.CreateAsync(org, "Short", DateTimeOffset.UtcNow.AddMinutes(1), Staff);
        await using (var conn = await db.DataSource.OpenConnectionAsync())
            await conn.ExecuteAsync("UPDATE api_keys SET expires_at = now() - interval '1 day' WHERE id = @id", new { id = expiring.Value.Key.Id });
        var valid = await keys.CreateAsync(org, "Valid", null, Staff);
        var forged = valid.Value.Secret[..^4] + "0000";

        Assert.Contains("revoked", (await keys.CheckAsync(revoked.Value.Secret)).Problem);
        Assert.Contains("expired", (await keys.CheckAsync(expiring.Value.Secret)).Problem);
        Assert.Equal("Unknown API key.", (await keys.CheckAsync(forged)).Problem);
        Assert.Contains("not a Narratives API key", (await keys.CheckAsync("hello")).Problem);
        Assert.False(await keys.RevokeAsync(revoked.Value.Key.Id, Staff)); // already revoked
    }

    [Fact]
    public async Task Keys_need_a_name_an_active_organization_and_a_future_expiry()
    {
        var (db, keys, org) = await SetUpAsync();
        await using var _ = db;

        Assert.True((await keys.CreateAsync(org, " ", null, Staff)).Errors.ContainsKey("Name"));
        Assert.True((await keys.CreateAsync(org, "Past", DateTimeOffset.UtcNow.AddDays(-1), Staff)).Errors.ContainsKey("ExpiresAt"));
        Assert.True((await keys.CreateAsync(org + 999, "Nowhere", null, Staff)).Errors.ContainsKey("OrganizationId"));
        Assert.Empty(await keys.ListAsync());
    }
}
