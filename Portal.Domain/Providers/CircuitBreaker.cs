namespace Portal.Domain.Providers;

public enum CircuitState
{
    Closed = 0,
    Open = 1,
    /// <summary>The cool-down is over: one probe message may go; its result closes or re-opens the circuit.</summary>
    HalfOpen = 2,
}

/// <summary>
/// Health of one provider on this node: <see cref="Threshold"/> consecutive temporary or uncertain
/// failures open the circuit for <see cref="CoolDown"/>, so messages go to the next provider
/// instead of waiting on a sick one; then one probe decides. Thread-safe.
/// </summary>
public sealed class CircuitBreaker(TimeProvider clock, int threshold = 5, TimeSpan? coolDown = null)
{
    private readonly Lock _lock = new();
    private int _failures;
    private DateTimeOffset _openUntil;
    private bool _open;
    private bool _probing;

    public int Threshold { get; } = threshold < 1 ? throw new ArgumentOutOfRangeException(nameof(threshold)) : threshold;
    public TimeSpan CoolDown { get; } = coolDown ?? TimeSpan.FromSeconds(30);

    public CircuitState State
    {
        get
        {
            lock (_lock)
            {
                return !_open ? CircuitState.Closed : clock.GetUtcNow() < _openUntil ? CircuitState.Open : CircuitState.HalfOpen;
            }
        }
    }

    /// <summary>When an open circuit lets a probe through; null when closed.</summary>
    public DateTimeOffset? OpenUntil
    {
        get
        {
            lock (_lock)
            {
                return _open ? _openUntil : null;
            }
        }
    }

    /// <summary>Whether a message may go now. Half-open lets exactly one probe through until its result is recorded.</summary>
    public bool TryAcquire()
    {
        lock (_lock)
        {
            if (!_open) return true;
            if (clock.GetUtcNow() < _openUntil || _probing) return false;
            _probing = true;
            return true;
        }
    }

    public void RecordSuccess()
    {
        lock (_lock)
        {
            _failures = 0;
            _open = false;
            _probing = false;
        }
    }

    public void RecordFailure()
    {
        lock (_lock)
        {
            _failures++;
            if (_probing || _failures >= Threshold)
            {
                Trip();
            }
        }
    }

    /// <summary>Open at once (the provider cannot even be connected to).</summary>
    public void Open()
    {
        lock (_lock)
        {
            Trip();
        }
    }

    private void Trip()
    {
        _open = true;
        _probing = false;
        _openUntil = clock.GetUtcNow() + CoolDown;
    }
}
