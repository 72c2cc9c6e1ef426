using Microsoft.AspNetCore.Components;

namespace Portal.Components;

/// <summary>
/// The base of Portal's pages and components: <see cref="Closing"/> is cancelled when the component
/// is disposed (the user navigates away, closes the tab, or the circuit is dropped), so its queries,
/// polling loops and timers stop with it instead of running on for nobody.
/// </summary>
/// <remarks>
/// Reads pass <see cref="Closing"/>. A write the user asked for (save, approve, revoke, delete)
/// passes <see cref="CompleteEvenIfClosed"/>: a click is carried out whole even if the tab closes
/// while it runs, never cut off halfway by the close. Blazor calls only <c>DisposeAsync</c> on a
/// component that has both disposal interfaces, so derived components put their own clean-up in
/// <see cref="DisposeAsyncCore"/>, never in a <c>Dispose</c> of their own.
/// </remarks>
public abstract class PortalComponentBase : ComponentBase, IAsyncDisposable
{
    // Not disposed: a source without a timer holds nothing, and a token read after disposal still works.
    private readonly CancellationTokenSource _closing = new();

    protected PortalComponentBase() => Closing = _closing.Token;

    /// <summary>Cancelled when the component is disposed.</summary>
    protected CancellationToken Closing { get; }

    /// <summary>For writes the user asked for: they complete even if the component closes meanwhile.</summary>
    protected static CancellationToken CompleteEvenIfClosed => CancellationToken.None;

    public async ValueTask DisposeAsync()
    {
        await _closing.CancelAsync();
        await DisposeAsyncCore();
        GC.SuppressFinalize(this);
    }

    /// <summary>The component's own clean-up; <see cref="Closing"/> is already cancelled when it runs.</summary>
    protected virtual ValueTask DisposeAsyncCore() => ValueTask.CompletedTask;
}
