using System.Diagnostics;

namespace Portal.Infrastructure.Smpp.Esme;

/// <summary>
/// Spaces submit_sm PDUs evenly at most <c>perSecond</c> per second. Each caller reserves the next
/// time slot, so concurrent callers queue without a shared timer; no burst is allowed, which keeps
/// any one-second window within the cap providers bill and throttle by.
/// </summary>
internal sealed class TpsLimiter(int perSecond)
{
    private readonly long _interval = Stopwatch.Frequency / perSecond;
    private readonly Lock _lock = new();
    private long _next;

    public ValueTask WaitAsync(CancellationToken cancellationToken)
    {
        var now = Stopwatch.GetTimestamp();
        long slot;
        lock (_lock)
        {
            slot = Math.Max(_next, now);
            _next = slot + _interval;
        }
        if (slot <= now) return ValueTask.CompletedTask;
        return new ValueTask(Task.Delay(Stopwatch.GetElapsedTime(now, slot), cancellationToken));
    }
}
