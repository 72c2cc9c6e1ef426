using Microsoft.Extensions.Options;
using Portal.Infrastructure.Messaging;

namespace Portal.Infrastructure.Sending;

/// <summary>
/// Publishes accepted priority message ids to the priority lane, coalescing concurrent callers
/// (issue 19, a <see cref="Coalescer{TIn,TOut}"/>): while one <see cref="PriorityBatch"/> waits for
/// its publisher confirm, the ids of every request accepted meanwhile gather and go out together as
/// the next batch, up to <see cref="MaxBatch"/> ids. Under load that is one confirmed publish for
/// many requests and one sender run for many messages; a lone request is published at once. Each
/// caller still waits for the confirm of the batch holding its ids, so a 202 keeps meaning "in the
/// database and on the bus"; a failure reaches every caller of that batch (the priority sweep
/// publishes the committed rows again).
/// </summary>
public sealed class PriorityPublisher
{
    /// <summary>Most ids in one bus message (the size of the largest API batch).</summary>
    public const int MaxBatch = 1000;

    private readonly IMessageBus _bus;
    private readonly IOptions<SendingOptions> _options;
    private readonly Coalescer<IReadOnlyList<long>, bool> _coalescer;

    public PriorityPublisher(IMessageBus bus, IOptions<SendingOptions> options)
    {
        _bus = bus;
        _options = options;
        _coalescer = new Coalescer<IReadOnlyList<long>, bool>(PublishGroupAsync, MaxBatch, ids => ids.Count);
    }

    /// <summary>Batches published so far (for the bench and tests).</summary>
    public long Published => Interlocked.Read(ref _published);
    private long _published;

    public Task PublishAsync(IReadOnlyList<long> ids, CancellationToken ct) =>
        ids.Count == 0 ? Task.CompletedTask : _coalescer.RunAsync(ids, ct);

    private async Task<IReadOnlyList<bool>> PublishGroupAsync(IReadOnlyList<IReadOnlyList<long>> group)
    {
        // A single request over the limit (never from the API, which caps batches at 1,000) is split.
        foreach (var part in group.SelectMany(ids => ids).Chunk(MaxBatch))
        {
            await _bus.PublishAsync(_options.Value.PriorityQueue, new PriorityBatch(part), CancellationToken.None);
            Interlocked.Increment(ref _published);
        }
        return group.Select(_ => true).ToList();
    }
}
