using Microsoft.Extensions.Options;
using Portal.Infrastructure.Messaging;

namespace Portal.Infrastructure.Sending;

/// <summary>
/// Publishes accepted priority message ids to the priority lane, coalescing concurrent callers
/// (issue 19): while one <see cref="PriorityBatch"/> waits for its publisher confirm, the ids of
/// every request accepted meanwhile gather and go out together as the next batch, up to
/// <see cref="MaxBatch"/> ids. Under load that is one confirmed publish for many requests (instead
/// of one each, all queued on the one publishing channel) and one sender run for many messages;
/// a lone request is published at once, as before. Each caller still waits for the confirm of the
/// batch holding its ids, so a 202 keeps meaning "in the database and on the bus"; a failure
/// reaches every caller of that batch (the priority sweep publishes the committed rows again).
/// </summary>
public sealed class PriorityPublisher(IMessageBus bus, IOptions<SendingOptions> options)
{
    /// <summary>Most ids in one bus message (the size of the largest API batch).</summary>
    public const int MaxBatch = 1000;

    private readonly Lock _lock = new();
    private List<(IReadOnlyList<long> Ids, TaskCompletionSource Done)> _pending = [];
    private bool _draining;

    /// <summary>Batches published so far (for the bench and tests).</summary>
    public long Published => Interlocked.Read(ref _published);
    private long _published;

    public Task PublishAsync(IReadOnlyList<long> ids, CancellationToken ct)
    {
        if (ids.Count == 0) return Task.CompletedTask;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        bool start;
        lock (_lock)
        {
            _pending.Add((ids, done));
            start = !_draining;
            _draining = true;
        }
        // The drain loop belongs to no request: a caller that gives up never strands the others' ids.
        if (start) _ = Task.Run(DrainAsync, CancellationToken.None);
        return done.Task.WaitAsync(ct);
    }

    private async Task DrainAsync()
    {
        while (true)
        {
            List<(IReadOnlyList<long> Ids, TaskCompletionSource Done)> taken;
            lock (_lock)
            {
                if (_pending.Count == 0)
                {
                    _draining = false;
                    return;
                }
                taken = _pending;
                _pending = [];
            }
            // Requests are never split: a batch of 1,000 goes alone, small ones share a bus message.
            var group = new List<(IReadOnlyList<long> Ids, TaskCompletionSource Done)>();
            var size = 0;
            foreach (var entry in taken)
            {
                if (group.Count > 0 && size + entry.Ids.Count > MaxBatch)
                {
                    await PublishGroupAsync(group);
                    group = [];
                    size = 0;
                }
                group.Add(entry);
                size += entry.Ids.Count;
            }
            await PublishGroupAsync(group);
        }
    }

    private async Task PublishGroupAsync(List<(IReadOnlyList<long> Ids, TaskCompletionSource Done)> group)
    {
        try
        {
            var ids = group.SelectMany(g => g.Ids).ToList();
            // A single request over the limit (never from the API, which caps batches at 1,000) is split.
            foreach (var part in ids.Chunk(MaxBatch))
            {
                await bus.PublishAsync(options.Value.PriorityQueue, new PriorityBatch(part), CancellationToken.None);
                Interlocked.Increment(ref _published);
            }
            foreach (var g in group) g.Done.TrySetResult();
        }
        catch (Exception e)
        {
            foreach (var g in group) g.Done.TrySetException(e);
        }
    }
}
