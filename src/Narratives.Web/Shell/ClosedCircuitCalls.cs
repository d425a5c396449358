using System.Collections;
using System.Reflection;
using Microsoft.AspNetCore.Components.Server.Circuits;
using Microsoft.JSInterop;

namespace Narratives.Web.Shell;

/// <summary>
/// When a circuit closes (the browser left the page), cancels the JavaScript calls still waiting for an answer that can
/// no longer come. Calls made with <see cref="CancellationToken.None"/> (Plotly.Blazor draws charts that way, MudBlazor
/// reads the window size that way) have no timeout, and a circuit whose components wait on one never finishes closing:
/// the browser's "page closed" request stays open with it, and after a few quick page changes the browser has no
/// connection left to the server (six per server) and the next page waits for one.
/// </summary>
public sealed class ClosedCircuitCalls(IJSRuntime js, ILogger<ClosedCircuitCalls> logger) : CircuitHandler
{
    // Microsoft.JSInterop keeps its unanswered calls here (id → TaskCompletionSource<T>); there is no public way to end
    // them. A test pins the field, so a framework change that moves it fails the build's tests, not the server.
    static readonly FieldInfo? PendingCalls = typeof(JSRuntime).GetField("_pendingTasks", BindingFlags.Instance | BindingFlags.NonPublic);

    public override Task OnCircuitClosedAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        if (js is JSRuntime runtime && CancelPending(runtime) is var cancelled and > 0)
            logger.LogDebug("Circuit {Circuit} closed with {Count} JavaScript calls unanswered; cancelled them", circuit.Id, cancelled);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Cancels every call still waiting for the browser and returns how many. Cancelled, not failed: Blazor and the
    /// component libraries treat a cancelled call as the quiet end of a page, where an exception would be logged as an
    /// error for every page left while a chart was still being drawn.
    /// </summary>
    public static int CancelPending(JSRuntime runtime)
    {
        if (PendingCalls?.GetValue(runtime) is not IDictionary pending) return 0;
        var cancelled = 0;
        foreach (var id in pending.Keys.Cast<object>().ToList())
        {
            var call = pending[id];
            pending.Remove(id);
            var cancel = call?.GetType().GetMethod(nameof(TaskCompletionSource<object>.TrySetCanceled), Type.EmptyTypes);
            if (cancel?.Invoke(call, null) is true) cancelled++;
        }
        return cancelled;
    }
}
