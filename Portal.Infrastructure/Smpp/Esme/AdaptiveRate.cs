using System.Diagnostics;

namespace Portal.Infrastructure.Smpp.Esme;

/// <summary>
/// Paces submit_sm PDUs at the rate the SMSC accepts (ADR 0005). Unpaced until the SMSC first says
/// ESME_RTHROTTLED / ESME_RMSGQFUL (then a configured cap alone applies, as <see cref="TpsLimiter"/>
/// did); from then on additive-increase / multiplicative-decrease in ticks of <see cref="Tick"/>:
/// <list type="bullet">
/// <item>Decrease: when the throttle answers since the previous tick began (and since the last
/// decrease's <see cref="CoolDown"/>) are significantly more than <see cref="OverLimitShare"/> of the
/// answers (above share x n + 3 standard deviations, so 1 % random throttling never qualifies), the
/// rate becomes <see cref="Decrease"/> x the rate the SMSC accepted in that window (what it really
/// takes), which is also remembered as the ceiling; at least two throttles are needed and one cut
/// never goes below <see cref="MaxCut"/> of the rate. An isolated throttle changes nothing: the part
/// is simply sent again.</item>
/// <item>Increase, per tick without decrease and only when traffic used the rate: halve the gap to the
/// ceiling, then probe above it by a step that doubles every tick (0.5 %, 1 %, 2 % ... 25 %), so a
/// limit that doubled is found within about two seconds and a stable one is passed only briefly.</item>
/// </list>
/// Never above the configured cap, never below <see cref="MinRate"/>. Callers queue first-in first-out
/// and one pump releases them evenly spaced at the current rate (no burst).
/// </summary>
internal sealed class AdaptiveRate
{
    internal static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(200);
    internal static readonly TimeSpan CoolDown = TimeSpan.FromMilliseconds(100);
    internal const double Decrease = 0.9;
    internal const double MaxCut = 0.5;
    internal const double OverLimitShare = 0.015;
    internal const double FirstProbeStep = 0.005;
    internal const double MaxProbeStep = 0.25;
    internal const double MinRate = 1;
    private const int TicksPerSecond = 5;

    private readonly double _cap;
    private readonly long _tickLength = (long)(Stopwatch.Frequency * Tick.TotalSeconds);
    private readonly Lock _lock = new();
    private readonly long[] _acceptedRing = new long[TicksPerSecond];
    private volatile bool _paced;
    private double _rate;
    private double _ceiling;
    private double _step = FirstProbeStep;
    private long _interval;
    private long _next;
    private readonly System.Collections.Concurrent.ConcurrentQueue<TaskCompletionSource> _waiters = new();
    private readonly SemaphoreSlim _queued = new(0);
    private Task? _pump;
    private long _tickStart = Stopwatch.GetTimestamp();
    private long _ticks;
    private readonly long _coolDownLength = (long)(Stopwatch.Frequency * CoolDown.TotalSeconds);
    // This tick's accepted submits (the one-second ring, for the rate estimate) and the share window:
    // answers since _windowStart (the previous tick's start, or the end of the last cool-down).
    private long _accepted;
    private long _windowAccepted, _windowThrottled, _windowStart = Stopwatch.GetTimestamp();
    private long _tickWindowAccepted, _tickWindowThrottled;
    private long _coolDownUntil;
    private bool _decreasedThisTick;

    public AdaptiveRate(int? cap)
    {
        _cap = cap ?? double.PositiveInfinity;
        _rate = _cap;
        _paced = cap is not null;
        if (_paced) _interval = IntervalOf(_rate);
    }

    /// <summary>Current pacing rate in submit_sm per second; +infinity while unpaced.</summary>
    public double Rate
    {
        get
        {
            lock (_lock) return _paced ? _rate : double.PositiveInfinity;
        }
    }

    /// <summary>Times the rate was cut (statistics, tests).</summary>
    public long Decreases;

    public ValueTask WaitAsync(CancellationToken cancellationToken)
    {
        // The unthrottled path takes no lock: ≥ 50,000 submit_sm/s must stay unchanged.
        if (!_paced) return ValueTask.CompletedTask;
        return WaitPacedAsync(cancellationToken);
    }

    private ValueTask WaitPacedAsync(CancellationToken cancellationToken)
    {
        TaskCompletionSource waiter;
        lock (_lock)
        {
            var now = Stopwatch.GetTimestamp();
            Advance(now);
            // Free slot and nobody queued: go now. Idle time does not bank a burst.
            if (_waiters.Count == 0 && _next <= now)
            {
                _next = Math.Max(_next, now - _interval) + _interval;
                return ValueTask.CompletedTask;
            }
            waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Enqueue(waiter);
            _pump ??= Task.Run(PumpAsync);
        }
        _queued.Release();
        if (!cancellationToken.CanBeCanceled) return new ValueTask(waiter.Task);
        return WaitCancellableAsync(waiter, cancellationToken);
    }

    private static async ValueTask WaitCancellableAsync(TaskCompletionSource waiter, CancellationToken cancellationToken)
    {
        // A cancelled waiter stays queued but completed: the pump skips it without using a slot.
        await using (cancellationToken.Register(() => waiter.TrySetCanceled(cancellationToken)).ConfigureAwait(false))
        {
            await waiter.Task.ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Releases queued callers first-in first-out at the current rate. Callers never hold a slot
    /// booked at an old rate, so an increase or a cut applies to the very next release (deep
    /// queues of booked slots made low rates lag by seconds).
    /// </summary>
    private async Task PumpAsync()
    {
        while (true)
        {
            await _queued.WaitAsync().ConfigureAwait(false);
            while (true)
            {
                long wait;
                lock (_lock)
                {
                    var now = Stopwatch.GetTimestamp();
                    Advance(now);
                    // Timer waits overshoot by a millisecond or more: slots missed meanwhile are made up
                    // (up to 20 ms of them), or the pump would fall short of the rate at thousands per second.
                    var lag = Math.Max(_interval, Stopwatch.Frequency / 50);
                    if (_next < now - lag) _next = now - lag;
                    while (_next <= now && _waiters.TryDequeue(out var waiter))
                    {
                        if (waiter.TrySetResult()) _next += _interval;
                    }
                    if (_waiters.Count == 0) break;
                    wait = _next - now;
                }
                await Task.Delay(Stopwatch.GetElapsedTime(0, Math.Max(wait, Stopwatch.Frequency / 1000))).ConfigureAwait(false);
            }
            // A count left by a caller released earlier only costs one look at an empty queue.
        }
    }

    public void OnAccepted()
    {
        lock (_lock)
        {
            var now = Stopwatch.GetTimestamp();
            Advance(now);
            _accepted++;
            if (now < _coolDownUntil) return;
            _windowAccepted++;
            _tickWindowAccepted++;
        }
    }

    public void OnThrottled()
    {
        lock (_lock)
        {
            var now = Stopwatch.GetTimestamp();
            Advance(now);
            // Answers to submits sent before the last decrease are not evidence about the new rate.
            if (now < _coolDownUntil) return;
            _windowThrottled++;
            _tickWindowThrottled++;
            double answers = _windowThrottled + _windowAccepted;
            if (_windowThrottled < 2 || _windowThrottled < OverLimitShare * answers + 3 * Math.Sqrt(OverLimitShare * answers)) return;

            // What the SMSC took since the window began (or over the last second when the window is
            // too short to say); one decrease never cuts the rate by more than half, so a noisy
            // estimate at low rates cannot collapse it (a real halving takes two steps).
            var windowSeconds = (double)(now - _windowStart) / Stopwatch.Frequency;
            var acceptedPerSecond = windowSeconds >= 0.15 ? _windowAccepted / windowSeconds : AcceptedPerSecond(now);
            var basis = _paced ? _rate : double.PositiveInfinity;
            if (acceptedPerSecond > 0) basis = Math.Min(basis, acceptedPerSecond);
            else if (double.IsPositiveInfinity(basis)) basis = MinRate * 10;
            if (_paced) basis = Math.Max(basis, _rate * MaxCut / Decrease);
            _ceiling = Math.Min(basis, _cap);
            _rate = Math.Max(MinRate, _ceiling * Decrease);
            _step = FirstProbeStep;
            _interval = IntervalOf(_rate);
            _next = now;
            _paced = true;
            _decreasedThisTick = true;
            _coolDownUntil = now + _coolDownLength;
            _windowStart = _coolDownUntil;
            _windowAccepted = _windowThrottled = _tickWindowAccepted = _tickWindowThrottled = 0;
            Decreases++;
        }
    }

    /// <summary>Accepted submits per second over the last second (completed ticks plus the running one).</summary>
    private double AcceptedPerSecond(long now)
    {
        long sum = _accepted;
        var full = (int)Math.Min(_ticks, TicksPerSecond - 1);
        for (var i = 1; i <= full; i++) sum += _acceptedRing[(int)((_ticks - i) % TicksPerSecond)];
        var seconds = full * Tick.TotalSeconds + (double)(now - _tickStart) / Stopwatch.Frequency;
        return seconds <= 0.01 ? 0 : sum / seconds;
    }

    /// <summary>Closes every tick that ended before <paramref name="now"/> and applies its increase.</summary>
    private void Advance(long now)
    {
        while (now - _tickStart >= _tickLength)
        {
            var usedRate = _paced && _accepted >= 0.8 * _rate * Tick.TotalSeconds;
            if (!_decreasedThisTick && usedRate && _rate < _cap)
            {
                if (_rate < 0.98 * _ceiling)
                {
                    _rate += (_ceiling - _rate) / 2;
                }
                else
                {
                    _rate *= 1 + _step;
                    _step = Math.Min(_step * 2, MaxProbeStep);
                    _ceiling = Math.Max(_ceiling, _rate);
                }
                _rate = Math.Min(_rate, _cap);
                _interval = IntervalOf(_rate);
            }
            _acceptedRing[(int)(_ticks % TicksPerSecond)] = _accepted;
            _ticks++;
            _accepted = 0;
            _decreasedThisTick = false;
            // The share window keeps the tick that just ended and the new one.
            _windowAccepted = _tickWindowAccepted;
            _windowThrottled = _tickWindowThrottled;
            _tickWindowAccepted = _tickWindowThrottled = 0;
            _windowStart = Math.Max(_windowStart, _tickStart);
            // After a long idle gap, start the next tick now instead of replaying empty ones.
            _tickStart = now - _tickStart >= 2 * _tickLength ? now : _tickStart + _tickLength;
        }
    }

    private static long IntervalOf(double rate) => Math.Max(1, (long)(Stopwatch.Frequency / rate));
}
