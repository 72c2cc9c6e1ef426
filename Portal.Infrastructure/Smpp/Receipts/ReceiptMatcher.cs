using Portal.Infrastructure.Smpp.Pdus;

namespace Portal.Infrastructure.Smpp.Receipts;

public enum ReceiptMatchKind
{
    /// <summary>The receipt belongs to a known submitted message.</summary>
    Matched,
    /// <summary>The same state was already reported for this message: apply nothing.</summary>
    Duplicate,
    /// <summary>The message id is not known yet (receipt before submit_sm_resp): held until it is.</summary>
    Pending,
}

public readonly record struct ReceiptMatch<TReference>(ReceiptMatchKind Kind, DeliveryReceipt Receipt, TReference? Reference);

/// <summary>
/// Pairs receipts with submitted messages by normalised message id. A receipt may overtake its
/// submit_sm_resp (the SMSC answers on another bind, or delivers very fast): it is kept and released
/// by <see cref="Register"/>. Submitted ids are kept for <c>retention</c>; an unknown receipt is
/// held only for <c>pendingHold</c> (a receipt cannot overtake its response by more than the
/// response timeout), then <see cref="Sweep"/> hands it over unmatched: the caller matches it in its
/// store, which is how a receipt of a message sent before a restart (or by another node) applies.
/// What was handed over is remembered for <c>releasedRetention</c> (the response timeout plus the
/// late-response retention): the SMSC's copies of it are duplicates, and a late submit_sm_resp
/// registering its id later does not make it come out a second time, matched (issue 12: shortening
/// the hold without this let duplicates through). Thread-safe.
/// </summary>
public sealed class ReceiptMatcher<TReference>(MessageIdMatching matching, TimeSpan retention, TimeSpan? pendingHold = null, TimeProvider? clock = null,
    TimeSpan? releasedRetention = null)
{
    private readonly TimeSpan _pendingHold = pendingHold ?? retention;
    private readonly TimeSpan _releasedRetention = releasedRetention ?? pendingHold ?? retention;

    /// <summary>States of an unknown id already handed over unmatched, and when the last one was.</summary>
    private sealed class Released(long at)
    {
        public long At { get; set; } = at;
        public HashSet<MessageState> States { get; } = [];
    }

    private readonly Dictionary<string, Released> _released = new(StringComparer.Ordinal);

    private sealed class Entry(TReference reference, long createdAt)
    {
        public TReference Reference { get; } = reference;
        public long CreatedAt { get; } = createdAt;
        public HashSet<MessageState>? Seen { get; set; }
    }

    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private readonly Dictionary<string, Entry> _known = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<(DeliveryReceipt Receipt, long At)>> _pending = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public int PendingCount
    {
        get { lock (_lock) return _pending.Count; }
    }

    /// <summary>Unknown ids whose receipts were handed over unmatched and are still remembered (for duplicates).</summary>
    public int ReleasedCount
    {
        get { lock (_lock) return _released.Count; }
    }

    /// <summary>Records a submitted message id; returns receipts that were waiting for it, already matched.</summary>
    public IReadOnlyList<ReceiptMatch<TReference>> Register(string submittedMessageId, TReference reference)
    {
        var key = matching.NormalizeSubmitted(submittedMessageId);
        lock (_lock)
        {
            var entry = new Entry(reference, _clock.GetTimestamp());
            // States already handed over unmatched count as seen: a held copy or a redelivery is a duplicate.
            if (_released.Remove(key, out var handedOver)) entry.Seen = [.. handedOver.States];
            _known[key] = entry;
            if (!_pending.Remove(key, out var waiting)) return [];
            var released = new List<ReceiptMatch<TReference>>(waiting.Count);
            foreach (var (receipt, _) in waiting) released.Add(Classify(entry, receipt));
            return released;
        }
    }

    public ReceiptMatch<TReference> Match(DeliveryReceipt receipt)
    {
        var key = matching.NormalizeReceipted(receipt.MessageId);
        lock (_lock)
        {
            if (_known.TryGetValue(key, out var entry)) return Classify(entry, receipt);
            if (_released.TryGetValue(key, out var released) && released.States.Contains(receipt.State))
            {
                return new ReceiptMatch<TReference>(ReceiptMatchKind.Duplicate, receipt, default);
            }
            if (!_pending.TryGetValue(key, out var list)) _pending[key] = list = [];
            list.Add((receipt, _clock.GetTimestamp()));
            return new ReceiptMatch<TReference>(ReceiptMatchKind.Pending, receipt, default);
        }
    }

    /// <summary>Forgets old submitted ids; returns held receipts whose message id did not show up in time.</summary>
    /// <param name="known">Also scan the submitted ids (up to millions): the caller does it less often than the held receipts.</param>
    public IReadOnlyList<DeliveryReceipt> Sweep(bool known = true)
    {
        var now = _clock.GetTimestamp();
        var expired = new List<DeliveryReceipt>();
        lock (_lock)
        {
            if (known)
            {
                foreach (var (key, entry) in _known)
                {
                    if (_clock.GetElapsedTime(entry.CreatedAt, now) > retention) _known.Remove(key);
                }
                foreach (var (key, released) in _released)
                {
                    if (_clock.GetElapsedTime(released.At, now) > _releasedRetention) _released.Remove(key);
                }
            }
            foreach (var (key, list) in _pending)
            {
                list.RemoveAll(item =>
                {
                    if (_clock.GetElapsedTime(item.At, now) <= _pendingHold) return false;
                    if (!_released.TryGetValue(key, out var released)) _released[key] = released = new Released(now);
                    released.At = now;
                    // Copies held together (the SMSC delivered it again while it waited) go out once.
                    if (released.States.Add(item.Receipt.State)) expired.Add(item.Receipt);
                    return true;
                });
                if (list.Count == 0) _pending.Remove(key);
            }
        }
        return expired;
    }

    private static ReceiptMatch<TReference> Classify(Entry entry, DeliveryReceipt receipt)
    {
        entry.Seen ??= [];
        var kind = entry.Seen.Add(receipt.State) ? ReceiptMatchKind.Matched : ReceiptMatchKind.Duplicate;
        return new ReceiptMatch<TReference>(kind, receipt, entry.Reference);
    }
}
