using Microsoft.AspNetCore.Components;
using MudBlazor;
using Narratives.Core.Audit;
using Narratives.Web.Security;

namespace Narratives.Web.Admin;

/// <summary>
/// What every staff page's actions share: check on the server, at the moment of acting, that the person is still
/// staff; act as them; reload what the page shows; say "not allowed" instead of failing.
/// </summary>
public abstract class StaffPage : ComponentBase
{
    [Inject] protected ActionGuard Guard { get; set; } = default!;
    [Inject] protected ISnackbar Snackbar { get; set; } = default!;

    protected abstract Task ReloadAsync();

    protected async Task ActAsync(Func<Actor, Task> action)
    {
        try
        {
            await action(await Guard.RequireAsync(Policies.Staff));
            await ReloadAsync();
        }
        catch (NotAllowedException ex)
        {
            Snackbar.Add(ex.Message, Severity.Error);
        }
    }
}
