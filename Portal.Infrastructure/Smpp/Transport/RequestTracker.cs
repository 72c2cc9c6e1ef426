using System.Collections.Concurrent;
using Portal.Infrastructure.Smpp.Pdus;

namespace Portal.Infrastructure.Smpp.Transport;

/// <summary>Why a request got no usable response.</summary>
public enum RequestFailure
{
    None,
    /// <summary>The request never reached the socket (connection already closed): safe to send elsewhere.</summary>
    NotSent,
    /// <summary>No response within the response timeout.</summary>
    Timeout,
    /// <summary>The connection closed while the request was outstanding (or before it was written).</summary>
    ConnectionLost,
    /// <summary>The response arrived but its body did not parse.</summary>
    MalformedResponse,
}

/// <summary>The response to a request, or why there is none.</summary>
public readonly record struct RequestResult(Pdu? Response, RequestFailure Failure)
{
    public bool IsResponse => Response is not null;
    public CommandStatus Status => Response?.Status ?? CommandStatus.UnknownError;
}

/// <summary>
/// Outstanding requests keyed by sequence number (spec 2.6: responses may come in any order).
/// A periodic sweep fails requests older than the response timeout.
/// </summary>
internal sealed class RequestTracker
{
    private sealed class PendingRequest() : TaskCompletionSource<RequestResult>(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        public long SentAt;
        public object? State;
    }

    private readonly ConcurrentDictionary<uint, PendingRequest> _pending = new();
    // Timed-out requests that carry state, kept a while so a late response can still be attributed.
    private readonly ConcurrentDictionary<uint, (object State, long ExpiredAt)> _expired = new();
    private int _sequence;

    public int Count => _pending.Count;

    /// <summary>1..0x7FFFFFFF, wrapping (spec 5.1.4).</summary>
    public uint NextSequence()
    {
        while (true)
        {
            var next = Interlocked.Increment(ref _sequence);
            if (next is > 0 and <= 0x7FFF_FFFF) return (uint)next;
            Interlocked.CompareExchange(ref _sequence, 0, next);
        }
    }

    public Task<RequestResult> Register(uint sequence, object? state = null)
    {
        var pending = new PendingRequest { SentAt = Environment.TickCount64, State = state };
        _pending[sequence] = pending;
        return pending.Task;
    }

    /// <summary>Completes the request with this sequence number; false when none is outstanding (late or unknown).</summary>
    public bool Complete(uint sequence, RequestResult result)
    {
        return _pending.TryRemove(sequence, out var pending) && pending.TrySetResult(result);
    }

    public int ExpireOlderThan(TimeSpan timeout, TimeSpan keepForLateResponses = default)
    {
        var now = Environment.TickCount64;
        var limit = (long)timeout.TotalMilliseconds;
        var expired = 0;
        foreach (var (sequence, pending) in _pending)
        {
            if (now - pending.SentAt < limit) continue;
            if (pending.State is { } state && keepForLateResponses > TimeSpan.Zero) _expired[sequence] = (state, now);
            if (Complete(sequence, new RequestResult(null, RequestFailure.Timeout))) expired++;
        }
        if (!_expired.IsEmpty)
        {
            var keep = (long)keepForLateResponses.TotalMilliseconds;
            foreach (var (sequence, entry) in _expired)
            {
                if (now - entry.ExpiredAt > keep) _expired.TryRemove(sequence, out _);
            }
        }
        return expired;
    }

    /// <summary>The state of a request that timed out recently, for a response that came late.</summary>
    public bool TryTakeExpired(uint sequence, out object? state)
    {
        var found = _expired.TryRemove(sequence, out var entry);
        state = entry.State;
        return found;
    }

    public void FailAll(RequestFailure failure)
    {
        foreach (var sequence in _pending.Keys) Complete(sequence, new RequestResult(null, failure));
    }
}
