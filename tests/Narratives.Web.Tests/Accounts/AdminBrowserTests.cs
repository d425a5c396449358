using Microsoft.Playwright;
using Narratives.Web.Accounts;
using Narratives.Web.Tests.Browser;

namespace Narratives.Web.Tests.Accounts;

[Collection(BrowserCollection.Name)]
public sealed class AdminBrowserTests(BrowserFixture fixture)
{
    [Fact]
    public async Task Staff_create_an_organization_after_fixing_what_the_form_points_out()
    {
        await using var session = await fixture.NewSessionAsync();
        await session.SignInAsync(DemoUser.Staff);
        await session.GotoAsync("/admin/organizations");
        var page = session.Page;

        await page.GetByLabel("Key").FillAsync("Not a key!");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync();
        await Assertions.Expect(page.GetByText("Give a name of 1 to 200 characters.")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("A key uses lower-case letters")).ToBeVisibleAsync();
        await session.CheckAccessibilityAsync();

        await page.GetByLabel("Name").First.FillAsync("Lake Chad Youth Forum");
        await page.GetByLabel("Key").FillAsync("lake-chad-youth");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync();

        await Assertions.Expect(page.GetByTestId("organizations").GetByText("Lake Chad Youth Forum")).ToBeVisibleAsync();
        await session.GotoAsync("/admin/audit");
        await Assertions.Expect(page.GetByTestId("audit").GetByText("Lake Chad Youth Forum").First).ToBeVisibleAsync();
    }

    [Fact]
    public async Task Staff_see_a_new_api_key_once_and_it_works_until_revoked()
    {
        await using var session = await fixture.NewSessionAsync();
        await session.SignInAsync(DemoUser.Staff);
        await session.GotoAsync("/admin/api-keys");
        var page = session.Page;

        await page.GetByLabel("Organization").ClickAsync();
        await page.GetByText("Pont des Cultures", new() { Exact = true }).Last.ClickAsync();
        await page.GetByLabel("Name").FillAsync("Browser test key");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync();
        var secret = (await page.GetByTestId("new-key").Locator("code").TextContentAsync())!.Trim();
        await session.CheckAccessibilityAsync();

        using var http = new HttpClient { BaseAddress = fixture.App.BaseAddress };
        http.DefaultRequestHeaders.Add("X-Api-Key", secret);
        Assert.Equal(System.Net.HttpStatusCode.OK, (await http.GetAsync("api/v1/me")).StatusCode);

        var row = page.GetByTestId("api-keys").Locator("tr", new() { HasText = "Browser test key" });
        await row.GetByRole(AriaRole.Button, new() { Name = "Revoke" }).ClickAsync();
        await row.GetByRole(AriaRole.Button, new() { Name = "Revoke now" }).ClickAsync();
        await Assertions.Expect(row).ToContainTextAsync("Revoked");
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await http.GetAsync("api/v1/me")).StatusCode);

        await session.GotoAsync("/admin/api-keys");
        Assert.DoesNotContain(secret, await page.ContentAsync());
    }

    [Fact]
    public async Task A_user_disabled_by_staff_is_thrown_out_of_an_open_dashboard_and_cannot_sign_in_again()
    {
        const string email = "to-be-disabled@demo.narratives.example.org";
        const string password = "a long enough password 7";
        var exit = await CreateUserCommand.RunAsync(
            ["--email", email, "--role", "researcher", "--name", "Dee Disabled", "--config", $"ConnectionStrings:Narratives={fixture.ConnectionString}"],
            new StringReader(password + "\n"), new StringWriter(), new StringWriter());
        Assert.Equal(0, exit);
        await using var user = await fixture.NewSessionAsync();
        await user.SignInAsync(new DemoUser(email, password, "researcher", null));

        await using var staff = await fixture.NewSessionAsync();
        await staff.SignInAsync(DemoUser.Staff);
        await staff.GotoAsync("/admin/users");
        var row = staff.Page.GetByTestId("users").Locator("tr", new() { HasText = email });
        await row.GetByRole(AriaRole.Button, new() { Name = "Disable" }).ClickAsync();
        await Assertions.Expect(row).ToContainTextAsync("Disabled");

        await user.Page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/account/login", new() { Timeout = 20_000 });
        await user.CheckAccessibilityAsync();
        await user.Page.GetByLabel("Email").FillAsync(email);
        await user.Page.GetByLabel("Password").FillAsync(password);
        await user.Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(user.Page.GetByTestId("login-error")).ToContainTextAsync("disabled");
    }
}
