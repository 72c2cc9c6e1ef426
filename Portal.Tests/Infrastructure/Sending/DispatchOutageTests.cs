using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Portal.Domain.Campaigns;
using Portal.Domain.Messages;
using Portal.Infrastructure.Campaigns;
using Portal.Infrastructure.Messaging;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Sending;
using Portal.Tests.Support;

namespace Portal.Tests.Infrastructure.Sending;

/// <summary>
/// Issue 21 (coverage): the dispatch path when what it stands on fails: a broker that cannot be
/// reached at launch, a database whose tables the sweeper or a submit lease cannot use.
/// </summary>
public sealed class DispatchOutageTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The launch's snapshot is committed, but the chunks cannot be published: the caller sees the
    /// publish error and the chunks' claim is given back (PublishedAt cleared), so the next sweep
    /// publishes them at once instead of waiting for the publish lease to run out.
    /// </summary>
    [Fact]
    public async Task Launch_BrokerUnreachable_FailsAndGivesTheChunksClaimBack()
    {
        await using var h = await DispatchHarness.CreateAsync(DatabaseProvider.Sqlite, rabbit: true, settings: new()
        {
            ["Sending:Enabled"] = "false",
            ["Messaging:RabbitMq:Uri"] = "amqp://guest:guest@127.0.0.1:1/", // nothing listens on port 1
        });
        await h.SeedClientsAsync(3);
        await h.StartAsync();
        var campaignId = await h.CreateCampaignAsync();

        await Assert.ThrowsAsync<MessagePublishException>(() => h.Get<CampaignLauncher>().LaunchAsync(campaignId, default));

        await using var db = h.Database.CreateContext();
        var chunk = await db.MessageChunks.SingleAsync(c => c.CampaignId == campaignId);
        Assert.Equal(MessageChunkStatus.Created, chunk.Status);
        Assert.Null(chunk.PublishedAt);
        Assert.Equal(3, await db.Messages.CountAsync(m => m.CampaignId == campaignId && m.Status == MessageStatus.Queued));
        Assert.Equal(CampaignStatus.Sending, await h.CampaignStatusAsync(campaignId));
    }

    /// <summary>A sweep that fails (its table gone) is logged and retried on the next tick; the node keeps running.</summary>
    [Fact]
    public async Task Sweep_DatabaseFails_IsLoggedAndRetriedOnTheNextTick()
    {
        await using var h = await DispatchHarness.CreateAsync(DatabaseProvider.Sqlite, rabbit: false);
        h.CaptureLogs = true;
        await h.StartAsync();
        await using (var db = h.Database.CreateContext())
        {
            await db.Database.ExecuteSqlRawAsync("""ALTER TABLE "Campaigns" RENAME TO "CampaignsGone" """);
        }

        var deadline = DateTime.UtcNow + Patience;
        while (h.Logs.Count(l => l.Contains("Dispatch sweep failed; retried on the next tick")) < 2)
        {
            Assert.True(DateTime.UtcNow < deadline, "no failed sweep was logged twice");
            await Task.Delay(50);
        }
        Assert.Contains(h.Logs, l => l.StartsWith("Error ") && l.Contains("Dispatch sweep failed") && l.Contains("no such table: Campaigns"));
    }

    /// <summary>The scheduler's reconciliation fails (its table gone): logged, and tried again every interval.</summary>
    [Fact]
    public async Task Reconcile_DatabaseFails_IsLoggedAndRetried()
    {
        await using var h = await DispatchHarness.CreateAsync(DatabaseProvider.Sqlite, rabbit: false, settings: new()
        {
            ["Sending:Enabled"] = "false",
            ["Scheduling:Enabled"] = "true",
            ["Scheduling:ReconcileInterval"] = "00:00:00.200",
        });
        h.CaptureLogs = true;
        await using (var db = h.Database.CreateContext())
        {
            await db.Database.ExecuteSqlRawAsync("""ALTER TABLE "Campaigns" RENAME TO "CampaignsGone" """);
        }

        await h.StartAsync();

        var deadline = DateTime.UtcNow + Patience;
        while (h.Logs.Count(l => l.Contains("Scheduled campaigns could not be reconciled with the scheduler; retrying")) < 2)
        {
            Assert.True(DateTime.UtcNow < deadline, "no failed reconciliation was logged twice");
            await Task.Delay(50);
        }
        Assert.Contains(h.Logs, l => l.StartsWith("Error ") && l.Contains("could not be reconciled") && l.Contains("no such table: Campaigns"));
    }

    /// <summary>
    /// Renewals that fail (the database refuses the statement) are logged and tried again; once the
    /// lease is no longer held, a re-acquire that fails the same way answers "not yours", so the
    /// sender leaves the message to whoever takes it over.
    /// </summary>
    [Fact]
    public async Task Lease_RenewalsAndReacquireFail_AreLoggedAndTheMessageIsNotClaimed()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using (var db = database.CreateContext())
        {
            await db.Database.ExecuteSqlRawAsync("""ALTER TABLE "Messages" RENAME TO "MessagesGone" """);
        }
        var logs = new ConcurrentQueue<string>();
        var logger = new CapturingLoggerProvider(logs).CreateLogger("lease");
        var lease = SubmitLease.Start(database.Factory, [1, 2], [SubmitLease.Now(TimeProvider.System)], TimeSpan.FromMilliseconds(300), TimeProvider.System, logger);
        try
        {
            var deadline = DateTime.UtcNow + Patience;
            while (lease.IsHeld || logs.Count(l => l.Contains("Could not renew the lease on a batch in flight")) < 2)
            {
                Assert.True(DateTime.UtcNow < deadline, "the failing renewals were not logged");
                await Task.Delay(20);
            }

            Assert.False(await lease.TryReacquireAsync(1, default));
            Assert.Contains(logs, l => l.Contains("Could not re-acquire the lease on a message in flight"));
        }
        finally
        {
            await lease.StopAsync();
        }
    }
}
