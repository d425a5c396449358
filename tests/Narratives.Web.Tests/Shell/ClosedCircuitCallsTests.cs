using Microsoft.JSInterop;
using Microsoft.JSInterop.Infrastructure;
using Narratives.Web.Shell;

namespace Narratives.Web.Tests.Shell;

public sealed class ClosedCircuitCallsTests
{
    /// <summary>A browser that has gone: calls reach it and are never answered.</summary>
    sealed class SilentBrowser : JSRuntime
    {
        public int Calls { get; private set; }
        protected override void BeginInvokeJS(long taskId, string identifier, string? argsJson, JSCallResultType resultType, long targetInstanceId) => Calls++;
        protected override void EndInvokeDotNet(DotNetInvocationInfo invocationInfo, in DotNetInvocationResult invocationResult) { }
    }

    [Fact]
    public async Task Calls_without_a_timeout_that_the_browser_never_answers_are_cancelled_when_the_circuit_closes()
    {
        var browser = new SilentBrowser();
        // As Plotly.Blazor draws: an explicit CancellationToken.None, so no default timeout applies.
        var drawing = browser.InvokeVoidAsync("newPlot", CancellationToken.None, "chart").AsTask();
        var size = browser.InvokeAsync<int>("getBrowserWindowSize", CancellationToken.None).AsTask();
        await Task.Delay(50);
        Assert.Equal(2, browser.Calls);
        Assert.False(drawing.IsCompleted);

        Assert.Equal(2, ClosedCircuitCalls.CancelPending(browser));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => drawing);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => size);
        Assert.Equal(0, ClosedCircuitCalls.CancelPending(browser));
    }

    [Fact]
    public async Task A_call_answered_before_the_circuit_closes_is_left_alone()
    {
        var browser = new SilentBrowser();
        Assert.Equal(0, ClosedCircuitCalls.CancelPending(browser));
        var later = browser.InvokeVoidAsync("subscribeClickEvent", CancellationToken.None).AsTask();
        Assert.Equal(1, ClosedCircuitCalls.CancelPending(browser));
        Assert.True(later.IsCanceled);
    }
}
