using Microsoft.Playwright;
using Narratives.Testing;
using Narratives.Web.Tests.Browser;

namespace Narratives.Web.Tests.Accounts;

[Collection(BrowserCollection.Name)]
public sealed class TwoFactorBrowserTests(BrowserFixture fixture)
{
    static async Task SubmitPasswordAsync(BrowserSession session, DemoUser user)
    {
        await session.GotoAsync("/account/login");
        await session.Page.GetByLabel("Email").FillAsync(user.Email);
        await session.Page.GetByLabel("Password").FillAsync(user.Password);
        await session.Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
    }

    static async Task SignOutAsync(BrowserSession session)
    {
        await session.Page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await session.Page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/account/login");
        await session.CheckAccessibilityAsync();
    }

    [Fact]
    public async Task Staff_must_set_up_an_authenticator_then_sign_in_with_a_code_or_a_recovery_code()
    {
        var server = await PostgresServer.GetAsync();
        await using var db = await server.CreateDatabaseAsync(withDemoData: true);
        await using var app = await WebAppProcess.StartAsync(db.ConnectionString, new Dictionary<string, string>
        {
            ["Narratives:Security:RequireStaffMfa"] = "true",
        });
        await using var session = await fixture.NewSessionAsync(app);
        var page = session.Page;

        // Without an authenticator, staff reach only the page that sets one up.
        await SubmitPasswordAsync(session, DemoUser.Staff);
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/account/two-factor");
        await session.CheckAccessibilityAsync();
        await Assertions.Expect(page.GetByTestId("mfa-required")).ToBeVisibleAsync();
        await session.GotoAsync("/admin/users");
        Assert.Equal("/account/two-factor", new Uri(page.Url).AbsolutePath);

        var key = (await page.GetByTestId("authenticator-key").TextContentAsync())!;
        await page.GetByLabel("Code from your authenticator app").FillAsync("000000");
        await page.GetByRole(AriaRole.Button, new() { Name = "Turn on" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("two-factor-message")).ToContainTextAsync("not right");
        await page.GetByLabel("Code from your authenticator app").FillAsync(Totp.Code(key));
        await page.GetByRole(AriaRole.Button, new() { Name = "Turn on" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("recovery-codes").Locator("li")).ToHaveCountAsync(10);
        await session.CheckAccessibilityAsync();
        var recoveryCode = (await page.GetByTestId("recovery-codes").Locator("code").First.TextContentAsync())!;

        await session.GotoAsync("/admin/users");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Users", Level = 1 })).ToBeVisibleAsync();

        // Next time: password, then the app's code.
        await SignOutAsync(session);
        await SubmitPasswordAsync(session, DemoUser.Staff);
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/account/login-code");
        await session.CheckAccessibilityAsync();
        await page.GetByLabel("Code from your authenticator app").FillAsync(Totp.Code(key));
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/");
        await session.WaitForInteractiveAsync();
        await session.CheckAccessibilityAsync();

        // Or a recovery code, once.
        await SignOutAsync(session);
        await SubmitPasswordAsync(session, DemoUser.Staff);
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/account/login-code");
        await page.GetByRole(AriaRole.Link, new() { Name = "Lost your phone? Use a recovery code." }).ClickAsync();
        // Blazor enhances the link: the address changes without a full page load.
        await page.WaitForURLAsync(url => url.Contains("recovery=true"), new() { WaitUntil = WaitUntilState.Commit });
        await Assertions.Expect(page.GetByLabel("Recovery code")).ToBeVisibleAsync();
        await session.CheckAccessibilityAsync();
        await page.GetByLabel("Recovery code").FillAsync(recoveryCode);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/");
        await session.WaitForInteractiveAsync();
        await session.CheckAccessibilityAsync();
    }
}
