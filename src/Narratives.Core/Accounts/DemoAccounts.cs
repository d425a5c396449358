using Microsoft.Extensions.Logging;
using Narratives.Core.Audit;
using Narratives.Core.Demo;

namespace Narratives.Core.Accounts;

/// <summary>
/// In demo mode (demo data present, no users yet) one account per role, with the passwords printed in the README.
/// Never used outside demo mode: a real installation's first account comes from the create-user command.
/// </summary>
public sealed class DemoAccounts(AccountService accounts, DemoSeeder demo, ILogger<DemoAccounts> logger)
{
    public static readonly IReadOnlyList<NewUser> Users =
    [
        new("staff@demo.narratives.example.org", "Sam Staff (demo)", Roles.Staff, null, "staff-demo-2354"),
        new("partner.horizons@demo.narratives.example.org", "Hana Horizons (demo)", Roles.Partner, "horizons-youth", "partner-horizons-2354"),
        new("partner.resilience@demo.narratives.example.org", "Ruth Resilience (demo)", Roles.Partner, "voices-of-resilience", "partner-resilience-2354"),
        new("researcher@demo.narratives.example.org", "Rami Researcher (demo)", Roles.Researcher, null, "researcher-demo-2354"),
    ];

    public async Task<bool> EnsureAsync(CancellationToken ct = default)
    {
        if (!await demo.HasDemoDataAsync(ct) || await accounts.AnyUsersAsync(ct)) return false;
        foreach (var user in Users)
        {
            var result = await accounts.CreateUserAsync(user, Actor.System("Demo data"), ct);
            if (!result.Succeeded)
                throw new InvalidOperationException($"Could not create demo user {user.Email}: {string.Join(" ", result.Errors)}");
        }
        logger.LogInformation("Created the demo accounts (one per role); their passwords are in the README.");
        return true;
    }
}
