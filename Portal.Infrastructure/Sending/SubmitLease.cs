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
/// A renewal that was merely late does not cost the batch: before a submit with the lease lapsed,
/// <see cref="TryReacquireAsync"/> renews that one message only if its LeaseRenewedAt is still the
/// value this lease last wrote (a take-over always writes a new one), so exactly one of the sender
/// and a peer wins it. Before, a late renewal under a loaded database made the sender drop the
/// message and a peer send it, flagged Resubmitted, after the sweeper's 3 × grace.
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
    /// <summary>
    /// UTC ticks of the LeaseRenewedAt values this lease may have left on its messages: the last one
    /// confirmed and any attempted since (an attempt that failed on this side may still have been applied).
    /// </summary>
    private readonly List<long> _written = [];
    private Task _loop = Task.CompletedTask;

    private SubmitLease(IDbContextFactory<PortalDbContext> contexts, IReadOnlyCollection<long> ids, TimeSpan grace, TimeProvider clock, ILogger logger)
    {
        _contexts = contexts;
        _ids = DispatchSql.IdList(ids);
        _grace = grace;
        _clock = clock;
        _logger = logger;
    }

    /// <param name="claimedAt">The LeaseRenewedAt values the claims wrote (from <see cref="Now"/>).</param>
    public static SubmitLease Start(IDbContextFactory<PortalDbContext> contexts, IReadOnlyCollection<long> ids, IEnumerable<DateTime> claimedAt,
        TimeSpan grace, TimeProvider clock, ILogger logger)
    {
        var lease = new SubmitLease(contexts, ids, grace, clock, logger);
        lease._written.AddRange(claimedAt.Select(t => t.Ticks).Distinct());
        lease._loop = Task.Run(lease.RenewLoopAsync);
        return lease;
    }

    /// <summary>The condition "carries a value of this lease".</summary>
    private static string OursSql(int count) =>
        $" AND \"LeaseRenewedAt\" IN ({string.Join(", ", Enumerable.Range(0, count).Select(i => "@w" + i))})";

    private static void AddOurs(System.Data.Common.DbCommand command, long[] values)
    {
        for (var i = 0; i < values.Length; i++) command.AddTime("@w" + i, new DateTime(values[i], DateTimeKind.Utc));
    }

    /// <summary>
    /// Now to the microsecond, what PostgreSQL keeps of a timestamp, so a lease value read back
    /// equals the one written. Claims write LeaseRenewedAt with it too.
    /// </summary>
    public static DateTime Now(TimeProvider clock)
    {
        var t = clock.GetUtcNow().UtcDateTime;
        return new DateTime(t.Ticks - t.Ticks % 10, DateTimeKind.Utc);
    }

    private DateTime Now() => Now(_clock);

    /// <summary>Renews the messages still carrying a value of this lease, never one a peer has taken over meanwhile.</summary>
    private async Task RenewAsync(CancellationToken ct)
    {
        var started = Environment.TickCount64;
        var at = Now();
        long[] before;
        lock (_written)
        {
            before = [.. _written];
            _written.Add(at.Ticks);
        }
        await using var db = await _contexts.CreateDbContextAsync(ct);
        await db.Database.OpenConnectionAsync(ct);
        await using var command = DispatchSql.Command(db.Database.GetDbConnection(), $"""
            UPDATE "Messages" SET "LeaseRenewedAt" = @now
            WHERE "Id" IN ({_ids}) AND "Status" = {DispatchSql.Submitting}{OursSql(before.Length)}
            """);
        AddOurs(command, before);
        command.CommandTimeout = Math.Max(1, (int)(_grace / 3).TotalSeconds);
        command.AddTime("@now", at);
        await DispatchSql.RetryOnConflictAsync(() => command.ExecuteNonQueryAsync(ct), ct, attempts: 3);
        lock (_written)
        {
            // Every message that carried a value of ours now carries this one; keep what was added meanwhile.
            _written.RemoveAll(w => Array.IndexOf(before, w) >= 0);
        }
        // Counted from before the statement: a renewal that took long protects for less.
        Interlocked.Exchange(ref _renewedAt, started);
    }

    /// <summary>
    /// The lease lapsed (renewals late): keeps this one message if no peer has taken it over, i.e. its
    /// LeaseRenewedAt is still a value this lease wrote; one statement, atomic against the take-over.
    /// </summary>
    public async Task<bool> TryReacquireAsync(long id, CancellationToken ct)
    {
        long[] written;
        lock (_written) written = [.. _written];
        if (written.Length == 0) return false;
        try
        {
            await using var db = await _contexts.CreateDbContextAsync(ct);
            await db.Database.OpenConnectionAsync(ct);
            await using var command = DispatchSql.Command(db.Database.GetDbConnection(), $"""
                UPDATE "Messages" SET "LeaseRenewedAt" = @now
                WHERE "Id" = @id AND "Status" = {DispatchSql.Submitting}{OursSql(written.Length)}
                """);
            AddOurs(command, written);
            command.Add("@id", id);
            var at = Now();
            command.AddTime("@now", at);
            lock (_written) _written.Add(at.Ticks);
            return await DispatchSql.RetryOnConflictAsync(() => command.ExecuteNonQueryAsync(ct), ct, attempts: 3) == 1;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _logger.LogWarning("Could not re-acquire the lease on a message in flight: {Error}", e.Message);
            return false;
        }
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
                await RenewAsync(_stop.Token);
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
