using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Portal.Infrastructure.Sending;

/// <summary>One bus message on the priority lane: messages (no campaign) to submit ahead of campaign chunks (ADR 0010).</summary>
public sealed record PriorityBatch(IReadOnlyList<long> MessageIds);

/// <summary>
/// The node's share of each provider's capacity, split between the priority lane and campaigns
/// (ADR 0010). Every submit on this node passes one gate per provider, holding a slot until the
/// provider answers. A gate has <see cref="SendingOptions.PrioritySlots"/> slots: enough to keep an
/// SMPP window busy, few enough that the connector's own queue (its rate pacing and window, both
/// first-in first-out) never holds more than a fraction of a second of campaign traffic. While
/// priority messages wait or are in flight, campaign submits may hold at most
/// <c>(1 - ReservedShare)</c> of the slots, and a freed slot goes to a waiting priority submit
/// first: the reserved share is capacity the campaign path cannot take while priority traffic waits.
/// With no priority traffic campaigns use every slot.
/// </summary>
public sealed class PriorityLane(IOptions<SendingOptions> options)
{
    private readonly ConcurrentDictionary<int, Gate> _gates = new();

    /// <summary>Priority submits waiting or in flight on this node (all providers).</summary>
    public int PriorityPending => _gates.Values.Sum(g => g.PriorityPending);

    /// <summary>Waits for a slot at the provider; dispose the result when the provider answered.</summary>
    public ValueTask<Slot> EnterAsync(int providerId, bool priority, CancellationToken ct)
    {
        var o = options.Value;
        var gate = _gates.GetOrAdd(providerId, _ => new Gate(o.PrioritySlots, Math.Max(1, (int)Math.Floor(o.PrioritySlots * (1 - o.PriorityReservedShare)))));
        return gate.EnterAsync(priority, ct);
    }

    public readonly struct Slot(Gate? gate, bool priority) : IDisposable
    {
        public void Dispose() => gate?.Release(priority);
    }

    public sealed class Gate(int slots, int campaignCapWhilePriority)
    {
        private readonly Lock _lock = new();
        private readonly LinkedList<TaskCompletionSource> _priorityWaiters = new();
        private readonly LinkedList<TaskCompletionSource> _campaignWaiters = new();
        private int _inUse, _campaignInUse, _priorityInUse;

        public int PriorityPending
        {
            get
            {
                lock (_lock) return _priorityInUse + _priorityWaiters.Count;
            }
        }

        public async ValueTask<Slot> EnterAsync(bool priority, CancellationToken ct)
        {
            TaskCompletionSource waiter;
            LinkedListNode<TaskCompletionSource> node;
            lock (_lock)
            {
                if (CanGrant(priority, queued: false))
                {
                    Take(priority);
                    return new Slot(this, priority);
                }
                waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                node = (priority ? _priorityWaiters : _campaignWaiters).AddLast(waiter);
            }
            await using (ct.Register(() =>
            {
                lock (_lock)
                {
                    if (node.List is null) return; // already granted
                    node.List.Remove(node);
                }
                waiter.TrySetCanceled(ct);
                // A priority waiter leaving may let campaign waiters in.
                Release(null);
            }))
            {
                await waiter.Task.ConfigureAwait(false);
            }
            return new Slot(this, priority);
        }

        /// <summary>Frees a slot (null: only re-checks who may go) and hands slots to waiters, priority first.</summary>
        public void Release(bool? priority)
        {
            var granted = new List<TaskCompletionSource>();
            lock (_lock)
            {
                if (priority is { } p)
                {
                    _inUse--;
                    if (p) _priorityInUse--;
                    else _campaignInUse--;
                }
                while (_priorityWaiters.First is { } first && CanGrant(true, queued: true))
                {
                    _priorityWaiters.RemoveFirst();
                    Take(true);
                    granted.Add(first.Value);
                }
                while (_campaignWaiters.First is { } first && CanGrant(false, queued: true))
                {
                    _campaignWaiters.RemoveFirst();
                    Take(false);
                    granted.Add(first.Value);
                }
            }
            foreach (var w in granted) w.TrySetResult();
        }

        private bool CanGrant(bool priority, bool queued)
        {
            if (_inUse >= slots) return false;
            if (priority) return queued || _priorityWaiters.Count == 0;
            // Campaign submits keep their order behind earlier campaign waiters and never take the
            // reserved share while priority traffic is pending.
            if (!queued && _campaignWaiters.Count > 0) return false;
            var priorityPending = _priorityInUse + _priorityWaiters.Count;
            return priorityPending == 0 || _campaignInUse < campaignCapWhilePriority;
        }

        private void Take(bool priority)
        {
            _inUse++;
            if (priority) _priorityInUse++;
            else _campaignInUse++;
        }
    }
}
