namespace Portal.Cli.Bench;

/// <summary>
/// When <c>bench pipeline</c> may stop waiting. The first version reset its stall clock on every
/// tick, so a campaign with messages that end without a receipt (cancelled, rejected) kept it
/// waiting for ever (issue 20, item 19). The stall clock here restarts only when a counter moves.
/// </summary>
internal sealed class PipelineWatch(long expectedReceipts, TimeSpan stallAfter)
{
    public enum Verdict
    {
        /// <summary>The counters moved since the last reading.</summary>
        Moving,
        /// <summary>Every expected receipt was applied.</summary>
        AllReceipts,
        /// <summary>Nothing moved since the last reading: time to ask whether every message is final.</summary>
        Idle,
        /// <summary>Nothing moved for longer than the stall limit.</summary>
        Stalled,
    }

    private long _submitted;
    private long _applied;
    private TimeSpan _lastMove;
    private TimeSpan _lastReading;

    /// <summary>Submits and receipts per second since the previous reading (not recorded).</summary>
    public (double Submitted, double Applied) Rates(long submitted, long applied, TimeSpan now)
    {
        var seconds = Math.Max((now - _lastReading).TotalSeconds, 0.001);
        return ((submitted - _submitted) / seconds, (applied - _applied) / seconds);
    }

    public Verdict Observe(long submitted, long applied, TimeSpan now)
    {
        var moved = submitted != _submitted || applied != _applied;
        (_submitted, _applied, _lastReading) = (submitted, applied, now);
        if (applied >= expectedReceipts) return Verdict.AllReceipts;
        if (moved)
        {
            _lastMove = now;
            return Verdict.Moving;
        }
        return now - _lastMove > stallAfter ? Verdict.Stalled : Verdict.Idle;
    }
}
