using Microsoft.Playwright;
using Narratives.Web.Tests.Browser;

namespace Narratives.Web.Tests.Accounts;

[Collection(BrowserCollection.Name)]
public sealed class SignInBrowserTests(BrowserFixture fixture)
{
    [Fact]
    public async Task A_visitor_is_sent_to_sign_in_and_comes_back_to_the_page_asked_for_then_signs_out()
    {
        await using var session = await fixture.NewSessionAsync();

        await session.GotoAsync("/campaigns");
        Assert.Equal("/account/login", new Uri(session.Page.Url).AbsolutePath);
        await Assertions.Expect(session.Page.GetByRole(AriaRole.Navigation, new() { Name = "Main navigation" })).ToHaveCountAsync(0);
        await session.Page.GetByLabel("Email").FillAsync(DemoUser.PartnerA.Email);
        await session.Page.GetByLabel("Password").FillAsync(DemoUser.PartnerA.Password);
        await session.Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await session.Page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/campaigns");
        await session.WaitForInteractiveAsync();
        await session.CheckAccessibilityAsync();
        await Assertions.Expect(session.Page.GetByTestId("signed-in-as")).ToHaveTextAsync("Hana Horizons (demo)");

        await session.Page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await session.Page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/account/login");
        await session.CheckAccessibilityAsync();

        await Assertions.Expect(session.Page.GetByTestId("signed-out")).ToBeVisibleAsync();
        await session.GotoAsync("/");
        Assert.Equal("/account/login", new Uri(session.Page.Url).AbsolutePath);
    }

    [Fact]
    public async Task A_wrong_password_says_so_without_saying_which_part_was_wrong()
    {
        await using var session = await fixture.NewSessionAsync();
        await session.GotoAsync("/account/login");

        await session.Page.GetByLabel("Email").FillAsync(DemoUser.Researcher.Email);
        await session.Page.GetByLabel("Password").FillAsync("not-the-password-at-all");
        await session.Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        await Assertions.Expect(session.Page.GetByTestId("login-error")).ToHaveTextAsync("Wrong email or password.");
        await session.CheckAccessibilityAsync();
    }

    [Fact]
    public async Task A_partner_cannot_open_the_staff_pages()
    {
        await using var session = await fixture.NewSessionAsync();
        await session.SignInAsync(DemoUser.PartnerB);

        // The navigation does not offer it, and typing the address is refused on the server.
        await Assertions.Expect(session.Page.GetByRole(AriaRole.Link, new() { Name = "Admin" })).ToHaveCountAsync(0);
        await session.GotoAsync("/admin");

        Assert.Equal("/account/access-denied", new Uri(session.Page.Url).AbsolutePath);
        await Assertions.Expect(session.Page.GetByRole(AriaRole.Heading, new() { Name = "Not allowed" })).ToBeVisibleAsync();
    }
}
