using Microsoft.AspNetCore.Components;
using MudBlazor;
using Narratives.Core;
using Narratives.Core.Audit;
using Narratives.Web.Security;

namespace Narratives.Web.Shell;

/// <summary>
/// What every page with staff actions shares: check on the server, at the moment of acting, that the person is still
/// staff; act as them; reload what the page shows; say "not allowed" instead of failing.
/// </summary>
public abstract class StaffActionsPage : ComponentBase
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

    /// <summary>The same, for actions that answer with an outcome: its problems are shown to the person.</summary>
    protected Task ActAsync<T>(Func<Actor, Task<Outcome<T>>> action) => ActAsync(async actor =>
    {
        var outcome = await action(actor);
        if (!outcome.Succeeded) Snackbar.Add(string.Join(" ", outcome.Errors.Values), Severity.Error);
    });
}
