using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Portal.Domain.Audit;
using Portal.Domain.Clients;
using Portal.Domain.Imports;
using Portal.Domain.Integrations;
using Portal.Domain.Messages;
using Portal.Infrastructure.Audit;
using Portal.Infrastructure.Bi;
using Portal.Infrastructure.Messaging;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Providers;
using Portal.Infrastructure.Retention;
using Portal.Infrastructure.Sending;
using Portal.Tests.Support;

namespace Portal.Tests.Infrastructure.Retention;

/// <summary>
/// Issue 14: the retention job blanks or deletes what is past its period, in batches, leaves the
/// rest, stores a report of the counts, and purges the audit log from the head of its chain only
/// (the chain still verifies afterwards). Both databases.
/// </summary>
public sealed class DataRetentionTests
{
    public static TheoryData<DatabaseProvider> Providers => [DatabaseProvider.Sqlite, DatabaseProvider.Postgres];

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Run_PurgesWhatIsPastItsPeriod_KeepsTheRest_AndReports(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var now = DateTime.UtcNow;
        await using (var db = database.CreateContext())
        {
            var client = new Client(PhoneNumber.Parse("+79160000555"), "Anna", null, now.AddDays(-800)); // its number now; messages keep the one they went to
            db.Clients.Add(client);
            var job = new ImportJob("old.csv", ImportMode.ValidRowsOnly, ImportMatch.ExternalId, "{}", "t", now.AddDays(-100));
            var recentJob = new ImportJob("new.csv", ImportMode.ValidRowsOnly, ImportMatch.ExternalId, "{}", "t", now.AddDays(-1));
            db.ImportJobs.AddRange(job, recentJob);
            var source = new SyncSource("crm", SyncSourceKind.Postgres, SyncTarget.Clients, "x", "SELECT 1", "u", "0 0 * * * ?", "{}");
            db.SyncSources.Add(source);
            // Several audit entries past the legal period, then recent ones.
            for (var i = 0; i < 3; i++) db.AuditEntries.Add(new AuditEntry(now.AddDays(-1200 + i), "u", "old", "test.old"));
            await db.SaveChangesAsync();
            db.AuditEntries.Add(new AuditEntry(now.AddDays(-1), "u", "recent", "test.recent"));
            for (var i = 0; i < 25; i++) db.Messages.Add(new Message(null, client.Id, "+79160000001", now.AddDays(-400)) { Status = MessageStatus.Delivered });
            db.Messages.Add(new Message(null, client.Id, "+79160000099", now.AddDays(-5)) { Status = MessageStatus.Delivered });
            db.InboundMessages.Add(new InboundMessage("+79160000001", "900", "old reply", now.AddDays(-400), InboundKind.Reply));
            db.InboundMessages.Add(new InboundMessage("+79160000099", "900", "new reply", now.AddDays(-5), InboundKind.Reply));
            db.ImportRowErrors.AddRange(new ImportRowError(job.Id, 2, "phone", "'+79160000001x' bad"), new ImportRowError(job.Id, 3, "phone", "'x' bad"),
                new ImportRowError(recentJob.Id, 2, "phone", "'+79160000099x' bad"));
            var oldRun = new SyncRun(source.Id, now.AddDays(-100));
            oldRun.Finish(1, 0, 1, "row 1: '+79160000001' rejected", now.AddDays(-100));
            db.SyncRuns.Add(oldRun);
            await db.SaveChangesAsync();
        }
        var messaging = new MessagingOptions { MaxDeliveryAttempts = 1 };
        var bus = new InProcessMessageBus(messaging, NullLogger<InProcessMessageBus>.Instance);
        var sending = new SendingOptions { InboundQueue = $"retention-{Guid.NewGuid():N}" };
        await bus.PublishAsync(sending.InboundQueue, new InboundSms(1, "+79160000001", "900", "poison", now, "x"));
        await using (await bus.SubscribeAsync<InboundSms>(sending.InboundQueue, (_, _) => throw new InvalidOperationException()))
        {
            while ((await bus.GetStatsAsync(sending.InboundQueue)).DeadLettered == 0) await Task.Delay(20);
        }
        await Task.Delay(50);
        var exportFiles = new BiExportFiles(database.Factory, Options.Create(new BiOptions()),
            new Microsoft.Extensions.Hosting.Internal.HostingEnvironment { ContentRootPath = Path.GetTempPath() }, TimeProvider.System, NullLogger<BiExportFiles>.Instance);
        var retention = new DataRetention(database.Factory, bus, Options.Create(sending), exportFiles,
            Options.Create(new RetentionOptions { DeadLetterDays = 0, BatchSize = 10 }), TimeProvider.System, NullLogger<DataRetention>.Instance);

        var run = await retention.RunAsync(default);

        Assert.True(run.Succeeded, run.Error);
        Assert.Equal((25L, 1L, 2L, 1L, 1L, 3L), (run.MessagePhones, run.InboundTexts, run.ImportErrors, run.SyncErrors, run.DeadLetters, run.AuditEntries));
        await using var check = database.CreateContext();
        Assert.Empty(await PersonalDataScan.FindAsync(check, "+79160000001", "old reply"));
        Assert.Equal(3, (await PersonalDataScan.FindAsync(check, "+79160000099")).Count); // message, reply, recent import error
        Assert.Equal(26, await check.Messages.CountAsync(m => m.Status == MessageStatus.Delivered));
        var stored = await check.RetentionRuns.SingleAsync();
        Assert.Equal(25, stored.MessagePhones);
        Assert.True(await check.AuditEntries.AnyAsync(a => a.Action == AuditActions.RetentionRun && a.Details!.Contains("messagePhones=25")));
        Assert.False(await check.AuditEntries.AnyAsync(a => a.Action == "test.old"));
        Assert.True(await check.AuditEntries.AnyAsync(a => a.Action == AuditActions.AuditPurged));
        var chain = await AuditChainVerifier.VerifyAsync(check, default);
        Assert.True(chain.Intact, string.Join("; ", chain.Problems));
        Assert.Equal(4L, chain.FirstSeq);

        // Idempotent: a second run finds nothing more.
        var again = await retention.RunAsync(default);
        Assert.Equal((0L, 0L, 0L, 0L), (again.MessagePhones, again.InboundTexts, again.ImportErrors, again.AuditEntries));
    }
}
