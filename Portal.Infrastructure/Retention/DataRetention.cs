using System.ComponentModel.DataAnnotations;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Domain.Audit;
using Portal.Domain.Retention;
using Portal.Infrastructure.Audit;
using Portal.Infrastructure.Bi;
using Portal.Infrastructure.Messaging;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Sending;
using Quartz;

namespace Portal.Infrastructure.Retention;

/// <summary>Configuration section "Retention" (issue 14, 152-FZ art. 5 part 7): how long each kind of personal data is kept.</summary>
public sealed class RetentionOptions
{
    public const string Section = "Retention";

    /// <summary>Run the job on this node's scheduler (Quartz cron, default 03:30 every night).</summary>
    public bool Enabled { get; set; } = true;
    [Required]
    public string Cron { get; set; } = "0 30 3 * * ?";
    /// <summary>After this many days a sent message keeps its status and cost, not the number it went to.</summary>
    [Range(1, 36500)]
    public int MessageDays { get; set; } = 365;
    /// <summary>After this many days a reply keeps its kind and campaign, not its sender and text.</summary>
    [Range(1, 36500)]
    public int InboundDays { get; set; } = 365;
    /// <summary>Import row errors and sync run errors (they may quote raw cells).</summary>
    [Range(1, 36500)]
    public int ImportErrorDays { get; set; } = 90;
    [Range(1, 36500)]
    public int DeadLetterDays { get; set; } = 30;
    /// <summary>The audit log's legal period; never below <see cref="AuditChain.MinRetentionDays"/>, which the database enforces.</summary>
    [Range(1, 36500)]
    public int AuditDays { get; set; } = AuditChain.MinRetentionDays;
    /// <summary>Rows changed per statement: short transactions, no long lock on a 1.9 M-row table.</summary>
    [Range(1, 1000000)]
    public int BatchSize { get; set; } = 10_000;
}

/// <summary>
/// The retention job: set-based updates and deletes in batches, each its own short transaction,
/// then a <see cref="RetentionRun"/> row (the report administrators and auditors read) and an
/// audit entry with the same counts. Idempotent: two nodes running it at once blank nothing twice.
/// Audit entries past their legal period are deleted from the head of the chain only, after an
/// <c>audit.purged</c> entry that names the last purged entry's hash (the new anchor).
/// </summary>
public sealed class DataRetention(IDbContextFactory<PortalDbContext> contexts, IDeadLetterStore deadLetters, IOptions<SendingOptions> sending,
    BiExportFiles exportFiles, IOptions<RetentionOptions> options, TimeProvider clock, ILogger<DataRetention> logger)
{
    public async Task<RetentionRun> RunAsync(CancellationToken ct)
    {
        var o = options.Value;
        var now = clock.GetUtcNow().UtcDateTime;
        var run = new RetentionRun(now);
        string? error = null;
        try
        {
            run.MessagePhones = await BlankMessagePhonesAsync(now.AddDays(-o.MessageDays), o.BatchSize, ct);
            var inboundBefore = now.AddDays(-o.InboundDays);
            run.InboundTexts = await BatchesAsync(db => db.InboundMessages.Where(m => m.ReceivedAt < inboundBefore && (m.Text != "" || m.From != "erased"))
                .OrderBy(m => m.Id).Take(o.BatchSize)
                .ExecuteUpdateAsync(s => s.SetProperty(m => m.From, "erased").SetProperty(m => m.Text, "").SetProperty(m => m.AutoReply, (string?)null), ct), ct);
            var importBefore = now.AddDays(-o.ImportErrorDays);
            run.ImportErrors = await BatchesAsync(db => db.ImportRowErrors.Where(e => db.ImportJobs.Any(j => j.Id == e.ImportJobId && j.CreatedAt < importBefore))
                .OrderBy(e => e.Id).Take(o.BatchSize).ExecuteDeleteAsync(ct), ct);
            run.SyncErrors = await BatchesAsync(db => db.SyncRuns.Where(r => r.StartedAt < importBefore && r.Error != null)
                .OrderBy(r => r.Id).Take(o.BatchSize).ExecuteUpdateAsync(s => s.SetProperty(r => r.Error, (string?)null), ct), ct);
            var deadBefore = new DateTimeOffset(now.AddDays(-o.DeadLetterDays), TimeSpan.Zero);
            foreach (var queue in new[] { sending.Value.InboundQueue, sending.Value.ReceiptQueue, sending.Value.ChunkQueue }.Distinct())
            {
                run.DeadLetters += await deadLetters.RemoveDeadLettersAsync(queue, d => d.DeadAt is { } at && at < deadBefore, ct);
            }
            var nonceBefore = now - ProviderCallbacksWindow;
            await BatchesAsync(db => db.CallbackNonces.Where(n => n.ReceivedAt < nonceBefore).OrderBy(n => n.ReceivedAt).Take(o.BatchSize).ExecuteDeleteAsync(ct), ct);
            run.ExportFiles = await exportFiles.PurgeAsync(everyPersonal: false, ct);
            run.AuditEntries = await PurgeAuditAsync(now.AddDays(-Math.Max(o.AuditDays, AuditChain.MinRetentionDays)), o.BatchSize, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The counts so far are true; the report says where it stopped. No personal data in it.
            error = e.GetType().Name + ": " + e.Message;
            logger.LogError(e, "Retention run stopped");
        }
        run.Finish(clock.GetUtcNow().UtcDateTime, error);
        await using var save = await contexts.CreateDbContextAsync(CancellationToken.None);
        save.RetentionRuns.Add(run);
        save.AuditEntries.Add(new AuditEntry(run.FinishedAt!.Value, null, "retention", AuditActions.RetentionRun, nameof(RetentionRun), null,
            $"messagePhones={run.MessagePhones} inboundTexts={run.InboundTexts} importErrors={run.ImportErrors} syncErrors={run.SyncErrors} " +
            $"deadLetters={run.DeadLetters} exportFiles={run.ExportFiles} auditEntries={run.AuditEntries}{(error is null ? "" : " failed")}"));
        await save.SaveChangesAsync(CancellationToken.None);
        logger.LogInformation("Retention: {MessagePhones} message numbers, {InboundTexts} replies, {ImportErrors} import errors, {SyncErrors} sync errors, " +
            "{DeadLetters} dead letters, {ExportFiles} export files, {AuditEntries} audit entries", run.MessagePhones, run.InboundTexts, run.ImportErrors, run.SyncErrors, run.DeadLetters,
            run.ExportFiles, run.AuditEntries);
        return run;
    }

    /// <summary>Signed callbacks' ids are needed while their timestamp could still be accepted.</summary>
    private static readonly TimeSpan ProviderCallbacksWindow = TimeSpan.FromHours(1);

    /// <summary>Runs a batch statement until it changes nothing; each batch in its own context and transaction.</summary>
    private async Task<long> BatchesAsync(Func<PortalDbContext, Task<int>> batch, CancellationToken ct)
    {
        long total = 0;
        while (true)
        {
            await using var db = await contexts.CreateDbContextAsync(ct);
            db.Database.SetCommandTimeout(TimeSpan.FromMinutes(5));
            var n = await batch(db);
            total += n;
            if (n == 0) return total;
        }
    }

    /// <summary>
    /// Messages have no index on their creation time (a 1.9 M-client base sends tens of millions):
    /// ids grow with time, so the job walks primary-key ranges from the oldest and stops at the
    /// first range with nothing old enough.
    /// </summary>
    private async Task<long> BlankMessagePhonesAsync(DateTime before, int batch, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        db.Database.SetCommandTimeout(TimeSpan.FromMinutes(5));
        var lo = await db.Messages.MinAsync(m => (long?)m.Id, ct);
        long total = 0;
        while (lo is { } from)
        {
            var to = from + batch;
            if (!await db.Messages.AnyAsync(m => m.Id >= from && m.Id < to && m.CreatedAt < before, ct))
            {
                // Nothing old in this range: done, unless the range was a hole in the ids.
                if (await db.Messages.AnyAsync(m => m.Id >= from && m.Id < to, ct)) break;
                lo = await db.Messages.Where(m => m.Id >= to).MinAsync(m => (long?)m.Id, ct);
                continue;
            }
            total += await db.Messages.Where(m => m.Id >= from && m.Id < to && m.CreatedAt < before && m.Phone != "")
                .ExecuteUpdateAsync(s => s.SetProperty(m => m.Phone, ""), ct);
            lo = to;
        }
        return total;
    }

    private async Task<long> PurgeAuditAsync(DateTime before, int batch, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var last = await db.AuditEntries.Where(a => a.At < before && a.ChainSeq != null).OrderByDescending(a => a.ChainSeq)
            .Select(a => new { a.ChainSeq, a.Hash }).FirstOrDefaultAsync(ct);
        if (last is null) return 0;
        // The anchor first, in the chain itself: what was purged and the hash the chain now starts from.
        db.AuditEntries.Add(new AuditEntry(clock.GetUtcNow().UtcDateTime, null, "retention", AuditActions.AuditPurged, nameof(AuditEntry), null,
            $"through seq {last.ChainSeq}, hash {last.Hash}"));
        await db.SaveChangesAsync(ct);
        var through = last.ChainSeq!.Value;
        // From the head of the chain only: an old entry after a younger one stays until its turn.
        return await BatchesAsync(d => d.AuditEntries.Where(a => a.ChainSeq <= through && a.At < before)
            .OrderBy(a => a.ChainSeq).Take(batch).ExecuteDeleteAsync(ct), ct);
    }
}

/// <summary>The Quartz job around <see cref="DataRetention"/>; one run at a time on a node.</summary>
[DisallowConcurrentExecution]
internal sealed class DataRetentionJob(DataRetention retention) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) => await retention.RunAsync(cancellationToken);
}
