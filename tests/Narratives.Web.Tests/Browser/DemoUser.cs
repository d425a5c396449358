using Narratives.Core.Accounts;

namespace Narratives.Web.Tests.Browser;

/// <summary>The demo accounts the dashboard creates on a demo database (one per role, two partners).</summary>
public sealed record DemoUser(string Email, string Password, string Role, string? Organization)
{
    static DemoUser From(int index)
    {
        var u = DemoAccounts.Users[index];
        return new DemoUser(u.Email, u.Password, u.Role, u.OrganizationKey);
    }

    public static DemoUser Staff => From(0);
    public static DemoUser PartnerA => From(1);
    public static DemoUser PartnerB => From(2);
    public static DemoUser Researcher => From(3);
}
