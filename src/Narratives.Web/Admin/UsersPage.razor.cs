using Microsoft.AspNetCore.Components;
using MudBlazor;
using Narratives.Core.Accounts;
using Narratives.Core.Organizations;
using Narratives.Web.Security;

namespace Narratives.Web.Admin;

public sealed partial class UsersPage
{
    [Inject] IServiceScopeFactory Scopes { get; set; } = default!;
    [Inject] OrganizationStore Organizations { get; set; } = default!;

    IReadOnlyList<UserSummary>? users;
    IReadOnlyList<Organization> organizations = [];
    UserForm input = new();
    IReadOnlyList<string> createErrors = [];
    Guid? editingId;
    string editRole = Roles.Researcher;
    string? editOrganization;

    protected override async Task OnInitializedAsync()
    {
        organizations = await Organizations.ListAsync(includeInactive: false);
        users = await WithAccountsAsync(a => a.ListAsync());
    }

    // UserManager is not thread-safe and a circuit lives long: a scope per operation.
    async Task<T> WithAccountsAsync<T>(Func<AccountService, Task<T>> work)
    {
        await using var scope = Scopes.CreateAsyncScope();
        return await work(scope.ServiceProvider.GetRequiredService<AccountService>());
    }

    async Task CreateAsync()
    {
        await ActAsync(async actor =>
        {
            var result = await WithAccountsAsync(a => a.CreateUserAsync(
                new NewUser(input.Email, input.DisplayName, input.Role, input.OrganizationKey, input.Password), actor));
            createErrors = result.Errors;
            if (!result.Succeeded) return;
            Snackbar.Add(L["Users.Created", result.User!.Email], Severity.Success);
            input = new UserForm();
        });
    }

    void StartEdit(UserSummary user)
    {
        editingId = user.Id;
        editRole = user.Role ?? Roles.Researcher;
        editOrganization = organizations.FirstOrDefault(o => o.Id == user.OrganizationId)?.Key ?? organizations.FirstOrDefault(o => o.Id == user.OrganizationId)?.Name;
    }

    async Task AssignAsync(Guid id)
    {
        await ActAsync(async actor =>
        {
            var result = await WithAccountsAsync(a => a.AssignAsync(id, editRole, editOrganization, actor));
            if (result.Succeeded) editingId = null;
            else Snackbar.Add(string.Join(" ", result.Errors), Severity.Error);
        });
    }

    async Task SetDisabledAsync(UserSummary user, bool disabled)
    {
        await ActAsync(async actor =>
        {
            var result = await WithAccountsAsync(a => a.SetDisabledAsync(user.Id, disabled, actor));
            if (!result.Succeeded) Snackbar.Add(string.Join(" ", result.Errors), Severity.Error);
            else Snackbar.Add(disabled ? L["Users.DisabledNotice", user.Email] : L["Users.EnabledNotice", user.Email], Severity.Info);
        });
    }

    protected override async Task ReloadAsync() => users = await WithAccountsAsync(a => a.ListAsync());

    sealed class UserForm
    {
        public string Email { get; set; } = "";
        public string DisplayName { get; set; } = "";
        public string Role { get; set; } = Roles.Partner;
        public string? OrganizationKey { get; set; }
        public string Password { get; set; } = "";
    }
}
