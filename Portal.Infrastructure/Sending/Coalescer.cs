namespace Portal.Infrastructure.Sending;

/// <summary>
/// Group commit for concurrent callers (issue 19): one operation at a time runs for a whole batch
/// of callers, and every caller that arrives while it runs joins the next batch. Under load that is
/// one round trip (a query, an INSERT, a confirmed publish) for many requests instead of one each,
/// queued on the cores; a lone caller still runs at once. A batch holds at most
/// <c>maxBatch</c> units (<c>size</c> of each input); an input is never split, so one larger
/// than that runs alone. Each caller gets its own output, or the batch's exception.
/// The drain loop belongs to no caller: one that gives up never strands the others.
/// </summary>
public sealed class Coalescer<TIn, TOut>(Func<IReadOnlyList<TIn>, Task<IReadOnlyList<TOut>>> run, int maxBatch, Func<TIn, int> size)
{
    private readonly Lock _lock = new();
    private List<(TIn Input, TaskCompletionSource<TOut> Done)> _pending = [];
    private bool _draining;
    private long _batches;

    /// <summary>Batches run so far (for the bench and tests).</summary>
    public long Batches => Interlocked.Read(ref _batches);

    public Task<TOut> RunAsync(TIn input, CancellationToken ct)
    {
        var done = new TaskCompletionSource<TOut>(TaskCreationOptions.RunContinuationsAsynchronously);
        bool start;
        lock (_lock)
        {
            _pending.Add((input, done));
            start = !_draining;
            _draining = true;
        }
        if (start) _ = Task.Run(DrainAsync, CancellationToken.None);
        return done.Task.WaitAsync(ct);
    }

    private async Task DrainAsync()
    {
        while (true)
        {
            List<(TIn Input, TaskCompletionSource<TOut> Done)> taken;
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
            var group = new List<(TIn Input, TaskCompletionSource<TOut> Done)>();
            var units = 0;
            foreach (var entry in taken)
            {
                var n = size(entry.Input);
                if (group.Count > 0 && units + n > maxBatch)
                {
                    await RunGroupAsync(group);
                    group = [];
                    units = 0;
                }
                group.Add(entry);
                units += n;
            }
            await RunGroupAsync(group);
        }
    }

    private async Task RunGroupAsync(List<(TIn Input, TaskCompletionSource<TOut> Done)> group)
    {
        try
        {
            var outputs = await run(group.Select(g => g.Input).ToList());
            Interlocked.Increment(ref _batches);
            for (var i = 0; i < group.Count; i++) group[i].Done.TrySetResult(outputs[i]);
        }
        catch (Exception e)
        {
            foreach (var g in group) g.Done.TrySetException(e);
        }
    }
}
