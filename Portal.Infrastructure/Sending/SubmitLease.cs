using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Portal.Infrastructure.Persistence;

namespace Portal.Infrastructure.Sending;

/// <summary>
/// A sender's hold on the messages of the batch it claimed (issue 13). A message in Submitting is
/// taken over by a peer once its LeaseRenewedAt is older than <see cref="SendingOptions.InFlightGrace"/>
/// (ChunkSender) or three times that (DispatchSweeper). A batch paced at a slow speed can take far
/// longer than that, so while it runs its unrecorded messages' LeaseRenewedAt is renewed every third
/// of the grace, and a live sender is never overtaken. The heartbeat has its own column (issue 12):
/// renewing SubmittedAt moved it past receipts already received, so a message could read as
/// delivered before it was submitted. A
/// sender whose renewals keep failing (database unreachable, process frozen) stops submitting
/// before a peer could take over, so a lapse never makes two senders submit the same message.
/// </summary>
internal sealed class SubmitLease : IAsyncDisposable
{
    /// <summary>Error code of an outcome not submitted because the lease lapsed (never recorded).</summary>
    public const string Lapsed = "lease-lapsed";

    private readonly IDbContextFactory<PortalDbContext> _contexts;
    private readonly string _ids;
    private readonly TimeSpan _grace;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private long _renewedAt = Environment.TickCount64;
    private Task _loop = Task.CompletedTask;

    private SubmitLease(IDbContextFactory<PortalDbContext> contexts, IReadOnlyCollection<long> ids, TimeSpan grace, TimeProvider clock, ILogger logger)
    {
        _contexts = contexts;
        _ids = DispatchSql.IdList(ids);
        _grace = grace;
        _clock = clock;
        _logger = logger;
    }

    public static SubmitLease Start(IDbContextFactory<PortalDbContext> contexts, IReadOnlyCollection<long> ids, TimeSpan grace, TimeProvider clock, ILogger logger)
    {
        var lease = new SubmitLease(contexts, ids, grace, clock, logger);
        lease._loop = Task.Run(lease.RenewLoopAsync);
        return lease;
    }

    /// <summary>
    /// Held while the last renewal (or the claim) is younger than two thirds of the grace: a peer
    /// needs the whole grace to pass, so the margin covers one submit in progress.
    /// </summary>
    public bool IsHeld => Environment.TickCount64 - Interlocked.Read(ref _renewedAt) < _grace.TotalMilliseconds * 2 / 3;

    private async Task RenewLoopAsync()
    {
        var every = _grace / 3;
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(every, _stop.Token);
                var started = Environment.TickCount64;
                await using var db = await _contexts.CreateDbContextAsync(_stop.Token);
                await db.Database.OpenConnectionAsync(_stop.Token);
                await using var command = DispatchSql.Command(db.Database.GetDbConnection(), $"""
                    UPDATE "Messages" SET "LeaseRenewedAt" = @now
                    WHERE "Id" IN ({_ids}) AND "Status" = {DispatchSql.Submitting}
                    """);
                command.CommandTimeout = Math.Max(1, (int)every.TotalSeconds);
                command.AddTime("@now", _clock.GetUtcNow().UtcDateTime);
                await DispatchSql.RetryOnConflictAsync(() => command.ExecuteNonQueryAsync(_stop.Token), _stop.Token, attempts: 3);
                // Counted from before the statement: a renewal that took long protects for less.
                Interlocked.Exchange(ref _renewedAt, started);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                _logger.LogWarning("Could not renew the lease on a batch in flight: {Error}", e.Message);
            }
        }
    }

    public async Task StopAsync()
    {
        if (!_stop.IsCancellationRequested) await _stop.CancelAsync();
        await _loop;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
    }
}
