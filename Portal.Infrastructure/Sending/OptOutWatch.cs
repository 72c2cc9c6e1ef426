using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Portal.Infrastructure.Persistence;

namespace Portal.Infrastructure.Sending;

/// <summary>
/// Which clients of a claimed batch opted out after it was loaded. A slow campaign (1 SMS/s) spends
/// minutes on one batch of 250, so the check at load time alone would break issue 7's "an opt-out
/// stops that client's messages within 60 s". Re-read at most once per <c>maxAge</c> with one
/// query over the batch's client ids; a batch sent faster than that costs nothing.
/// </summary>
internal sealed class OptOutWatch(IDbContextFactory<PortalDbContext> contexts, IReadOnlyCollection<long> clientIds, TimeSpan maxAge)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private long _readAt = Stopwatch.GetTimestamp();
    private volatile HashSet<long> _optedOut = [];

    public async ValueTask<bool> HasOptedOutAsync(long clientId, CancellationToken ct)
    {
        if (Stopwatch.GetElapsedTime(Interlocked.Read(ref _readAt)) >= maxAge)
        {
            await _gate.WaitAsync(ct);
            try
            {
                if (Stopwatch.GetElapsedTime(Interlocked.Read(ref _readAt)) >= maxAge)
                {
                    await using var db = await contexts.CreateDbContextAsync(ct);
                    _optedOut = [.. await db.Clients.AsNoTracking().Where(c => clientIds.Contains(c.Id) && c.OptedOutAt != null).Select(c => c.Id).ToListAsync(ct)];
                    Interlocked.Exchange(ref _readAt, Stopwatch.GetTimestamp());
                }
            }
            finally
            {
                _gate.Release();
            }
        }
        return _optedOut.Contains(clientId);
    }
}
