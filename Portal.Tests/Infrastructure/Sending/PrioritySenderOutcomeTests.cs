using Microsoft.EntityFrameworkCore;
using Portal.Domain.Campaigns;
using Portal.Domain.Messages;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Sending;

namespace Portal.Tests.Infrastructure.Sending;

/// <summary>
/// Issue 21 (coverage): the priority lane's sender on a batch that mixes what can be sent with
/// what must not be (opted out, inactive, expired, stranded by a dead sender, still held by a live
/// one), and on a batch no provider can take. The host's own sender is off; the test hands the
/// batch over itself, against the SMSC simulator over TCP.
/// </summary>
public sealed class PrioritySenderOutcomeTests
{
    private static readonly DateTime Now = DateTime.UtcNow;

    private static async Task<long> AddAsync(DispatchHarness h, int clientNumber, DateTime expiresAt, Action<Message>? shape = null,
        PrioritySource source = PrioritySource.Api, MessagePurpose purpose = MessagePurpose.Service)
    {
        await using var db = h.Database.CreateContext();
        var client = await db.Clients.AsNoTracking().SingleAsync(c => c.Phone == $"+7900{clientNumber:D7}");
        var message = new Message(null, client.Id, client.Phone, Now);
        shape?.Invoke(message);
        db.Messages.Add(message);
        await db.SaveChangesAsync();
        db.PriorityMessages.Add(new PriorityMessage(message.Id, source, null, "Code 1234", "Portal", null, purpose, expiresAt, null, Now));
        await db.SaveChangesAsync();
        return message.Id;
    }

    [Fact]
    public async Task Process_MixedBatch_SendsTheSendable_ClosesTheRest_AndTakesOverOnlyStrandedOnes()
    {
        // A grace far longer than the test: the message claimed just now is a live sender's, never taken over.
        await using var h = await DispatchHarness.CreateAsync(DatabaseProvider.Sqlite, rabbit: false,
            settings: new() { ["Sending:Enabled"] = "false", ["Sending:InFlightGrace"] = "00:02:00" });
        await h.SeedClientsAsync(7, (c, i) =>
        {
            if (i == 1) c.OptOut(Now, "STOP");
            if (i == 2) c.Deactivate(Now);
            if (i == 3) c.SetConsent(Portal.Domain.Clients.ConsentPurpose.Advertising, false, Now, "test", null);
        });
        await h.StartAsync();
        var later = Now.AddHours(1);
        var ok = await AddAsync(h, 1, later);
        var optedOut = await AddAsync(h, 2, later);
        var inactive = await AddAsync(h, 3, later);
        var noConsent = await AddAsync(h, 4, later, purpose: MessagePurpose.Advertising);
        var expired = await AddAsync(h, 5, Now.AddMinutes(-1));
        var stranded = await AddAsync(h, 6, later, m =>
        {
            m.Status = MessageStatus.Submitting;
            m.SubmittedAt = Now.AddMinutes(-30);
        });
        var held = await AddAsync(h, 7, later, m =>
        {
            m.Status = MessageStatus.Submitting;
            m.SubmittedAt = DateTime.UtcNow;
        });

        await h.Get<PrioritySender>().ProcessAsync(new PriorityBatch([ok, optedOut, inactive, noConsent, expired, stranded, held]), default);

        await using var db = h.Database.CreateContext();
        var rows = await db.Messages.Where(m => m.CampaignId == null).ToDictionaryAsync(m => m.Id);
        Assert.Contains(rows[ok].Status, new[] { MessageStatus.Submitted, MessageStatus.Delivered });
        Assert.False(rows[ok].Resubmitted);
        Assert.Equal((MessageStatus.Cancelled, "opted-out"), (rows[optedOut].Status, rows[optedOut].ErrorCode));
        Assert.Equal((MessageStatus.Cancelled, "inactive"), (rows[inactive].Status, rows[inactive].ErrorCode));
        Assert.Equal((MessageStatus.Cancelled, "no-consent"), (rows[noConsent].Status, rows[noConsent].ErrorCode));
        Assert.Equal((MessageStatus.Expired, "validity"), (rows[expired].Status, rows[expired].ErrorCode));
        Assert.Contains(rows[stranded].Status, new[] { MessageStatus.Submitted, MessageStatus.Delivered });
        Assert.True(rows[stranded].Resubmitted);
        Assert.Equal(MessageStatus.Submitting, rows[held].Status);
        Assert.False(rows[held].Resubmitted);
        Assert.Equal(["79000000001", "79000000006"], h.Smsc.Messages.Select(m => m.To.Value).Order());
    }

    [Fact]
    public async Task Process_NoProviderTakesThem_QueuesThemAgainAndThrowsForARetry()
    {
        await using var h = await DispatchHarness.CreateAsync(DatabaseProvider.Sqlite, rabbit: false, settings: new() { ["Sending:Enabled"] = "false" });
        await h.SeedClientsAsync(2);
        await using (var db = h.Database.CreateContext())
        {
            await db.Providers.ExecuteUpdateAsync(s => s.SetProperty(p => p.Enabled, false));
        }
        await h.StartAsync();
        var first = await AddAsync(h, 1, Now.AddHours(1));
        var second = await AddAsync(h, 2, Now.AddHours(1));

        await Assert.ThrowsAsync<SendingUnavailableException>(() => h.Get<PrioritySender>().ProcessAsync(new PriorityBatch([first, second]), default));

        await using var check = h.Database.CreateContext();
        var rows = await check.Messages.Where(m => m.CampaignId == null).Select(m => new { m.Status, m.SubmittedAt }).ToListAsync();
        Assert.Equal(2, rows.Count);
        Assert.All(rows, r => Assert.Equal((MessageStatus.Queued, (DateTime?)null), (r.Status, r.SubmittedAt)));
        Assert.Empty(h.Smsc.Messages);
    }
}
