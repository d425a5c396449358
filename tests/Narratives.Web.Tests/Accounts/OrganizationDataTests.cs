using System.Security.Claims;
using Dapper;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Narratives.Core;
using Narratives.Core.Accounts;
using Narratives.Core.Database;
using Narratives.Testing;
using Narratives.Web.Accounts;
using Narratives.Web.Security;

namespace Narratives.Web.Tests.Accounts;

public sealed class OrganizationDataTests
{
    static ClaimsPrincipal Person(string role, long? organization)
    {
        var id = new ClaimsIdentity("test");
        id.AddClaim(new Claim("name", $"{role} of {organization}"));
        id.AddClaim(new Claim(ClaimTypes.Role, role));
        if (organization is { } org) id.AddClaim(new Claim(Policies.OrganizationClaim, org.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        return new ClaimsPrincipal(id);
    }

    [Fact]
    public async Task Only_staff_and_the_owning_partner_may_change_an_organizations_data_and_refusals_are_audited()
    {
        var server = await PostgresServer.GetAsync();
        await using var db = await server.CreateDatabaseAsync();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddNarrativesCore(new DatabaseConnection(db.ConnectionString, null, new MigrationResult(1, []), null));
        services.AddNarrativesAccounts();
        await using var provider = services.BuildServiceProvider();
        var authorization = provider.GetRequiredService<IAuthorizationService>();
        var campaign = new OrganizationOwned(7, "campaign", "42");

        async Task<bool> Allowed(ClaimsPrincipal user) =>
            (await authorization.AuthorizeAsync(user, campaign, Policies.ChangeOrganizationData)).Succeeded;

        Assert.True(await Allowed(Person(Roles.Staff, null)));
        Assert.True(await Allowed(Person(Roles.Partner, 7)));
        Assert.False(await Allowed(Person(Roles.Partner, 8)));
        Assert.False(await Allowed(Person(Roles.Researcher, 7)));
        Assert.False(await Allowed(new ClaimsPrincipal(new ClaimsIdentity())));

        await using var conn = await db.DataSource.OpenConnectionAsync();
        var denied = (await conn.QueryAsync<string>(
            "SELECT actor_label FROM audit_log WHERE action = 'access_denied' AND entity_type = 'campaign' AND entity_id = '42' ORDER BY id")).ToList();
        Assert.Equal(["partner of 8", "researcher of 7", "anonymous"], denied);
    }
}
