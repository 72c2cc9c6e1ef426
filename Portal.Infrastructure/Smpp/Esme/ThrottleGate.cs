namespace Portal.Infrastructure.Smpp.Esme;

/// <summary>
/// Connector-wide pause after ESME_RTHROTTLED / ESME_RMSGQFUL. The pause doubles while throttling
/// continues and resets after an accepted submit. Throttle responses that arrive during a pause
/// (the rest of the window answering) do not escalate it again.
/// </summary>
internal sealed class ThrottleGate(TimeSpan initial, TimeSpan maximum)
{
    private readonly Lock _lock = new();
    private long _resumeAt;
    private TimeSpan _pause;

    public bool IsPaused => Environment.TickCount64 < Volatile.Read(ref _resumeAt);

    public ValueTask WaitAsync(CancellationToken cancellationToken)
    {
        var wait = Volatile.Read(ref _resumeAt) - Environment.TickCount64;
        return wait <= 0 ? ValueTask.CompletedTask : new ValueTask(Task.Delay(TimeSpan.FromMilliseconds(wait), cancellationToken));
    }

    public void OnThrottled()
    {
        lock (_lock)
        {
            var now = Environment.TickCount64;
            if (now < _resumeAt) return;
            _pause = _pause == TimeSpan.Zero ? initial : TimeSpan.FromTicks(Math.Min(_pause.Ticks * 2, maximum.Ticks));
            Volatile.Write(ref _resumeAt, now + (long)_pause.TotalMilliseconds);
        }
    }

    public void OnAccepted()
    {
        if (_pause == TimeSpan.Zero) return;
        lock (_lock) _pause = TimeSpan.Zero;
    }
}
