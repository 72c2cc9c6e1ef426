using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Portal.Domain.Campaigns;
using Portal.Domain.Clients;
using Portal.Domain.Messages;
using Portal.Domain.Providers;
using Portal.Infrastructure.Messaging;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Providers;
using Portal.Infrastructure.Sending;
using Portal.Tests.Support;

namespace Portal.Tests.Infrastructure.Sending;

/// <summary>
/// Issue 7 item 4: <see cref="ReceiptProcessor"/> with crafted batches on both databases (its SQL
/// uses bit operators, CASE over VALUES columns, DELETE ... RETURNING and INSERT ... SELECT).
/// </summary>
public sealed class ReceiptProcessorTests
{
    private static readonly DateTime Done = new(2026, 11, 20, 10, 0, 0, DateTimeKind.Utc);

    [Theory]
    [InlineData(DatabaseProvider.Postgres)]
    [InlineData(DatabaseProvider.Sqlite)]
    public async Task FirstPart_FirstPartsReceiptDecides_WhateverTheArrivalOrder_EveryDeliveredPartCounts(DatabaseProvider provider)
    {
        // Issue 12: "the first part's receipt decides" means part 1's, also when part 2's arrives first;
        // DeliveredParts counts every delivered part, also after the message became final.
        await using var rig = await Rig.CreateAsync(provider, ReceiptPolicy.FirstPart);
        var id = await rig.AddMessageAsync("A1", parts: 3);

        await rig.ApplyAsync(rig.Part(id, "A2", 1, 3, MessageStatus.Undeliverable, "011"));
        Assert.Equal(MessageStatus.Submitted, (await rig.MessageAsync(id)).Status);
        await rig.ApplyAsync(rig.Part(id, "A1", 0, 3, MessageStatus.Delivered));
        await rig.ApplyAsync(rig.Part(id, "A3", 2, 3, MessageStatus.Delivered));

        var m = await rig.MessageAsync(id);
        Assert.Equal(MessageStatus.Delivered, m.Status);
        Assert.Null(m.ErrorCode);
        Assert.Equal(Done, m.DoneAt);
        Assert.Equal(0b101, m.DeliveredParts);
    }

    [Theory]
    [InlineData(DatabaseProvider.Postgres)]
    [InlineData(DatabaseProvider.Sqlite)]
    public async Task PartsByProviderId_NoInMemoryMatch_MessagePartsSayWhichPart(DatabaseProvider provider)
    {
        // After a restart (or on another node) receipts carry only the provider's id. Before issue 12
        // only part 1's id was stored: part 2's receipt became an orphan and LastPart never decided.
        await using var rig = await Rig.CreateAsync(provider, ReceiptPolicy.LastPart);
        var id = await rig.AddMessageAsync("Q1", parts: 2);
        await using (var db = rig.Database.CreateContext())
        {
            db.MessageParts.AddRange(new MessagePart(id, 0, rig.ProviderId, "Q1"), new MessagePart(id, 1, rig.ProviderId, "Q2"));
            await db.SaveChangesAsync();
        }

        await rig.ApplyAsync(new ReceiptItem(null, rig.ProviderId, "Q1", MessageStatus.Delivered, null, Done));
        var half = await rig.MessageAsync(id);
        Assert.Equal(MessageStatus.Submitted, half.Status);
        Assert.Equal(0b01, half.DeliveredParts);

        var smsc = Done.AddHours(-3);
        await rig.ApplyAsync(new ReceiptItem(null, rig.ProviderId, "Q2", MessageStatus.Undeliverable, "001", Done.AddSeconds(1), SmscDoneAt: smsc));
        var m = await rig.MessageAsync(id);
        Assert.Equal(MessageStatus.Undeliverable, m.Status);
        Assert.Equal(Done.AddSeconds(1), m.DoneAt);
        Assert.Equal(smsc, m.SmscDoneAt);
        Assert.Equal(0, await rig.OrphanCountAsync());
        Assert.Empty(rig.Bus.Published);
    }

    [Theory]
    [InlineData(DatabaseProvider.Postgres)]
    [InlineData(DatabaseProvider.Sqlite)]
    public async Task ReceiptById_FromAnotherProvider_ChangesNothing(DatabaseProvider provider)
    {
        // An authenticated HTTP provider's callback names our message id: it must not finalise a
        // message another provider carries.
        await using var rig = await Rig.CreateAsync(provider, ReceiptPolicy.FirstPart);
        var id = await rig.AddMessageAsync("P1");
        int other;
        await using (var db = rig.Database.CreateContext())
        {
            var row = new SmsProvider("Other gateway", ProviderKind.Http, "{}");
            db.Providers.Add(row);
            await db.SaveChangesAsync();
            other = row.Id;
        }

        await rig.ApplyAsync(new ReceiptItem(id, other, "X1", MessageStatus.Undeliverable, "001", Done));
        Assert.Equal(MessageStatus.Submitted, (await rig.MessageAsync(id)).Status);

        await rig.ApplyAsync(rig.Part(id, "P1", 0, 1, MessageStatus.Delivered));
        Assert.Equal(MessageStatus.Delivered, (await rig.MessageAsync(id)).Status);
    }

    [Theory]
    [InlineData(DatabaseProvider.Postgres)]
    [InlineData(DatabaseProvider.Sqlite)]
    public async Task ReceiptOvertakingTheSendersRecord_NamesTheProvider(DatabaseProvider provider)
    {
        // Found by CI (a sandbox campaign read Delivered rows with no provider): the SMSC's receipt,
        // matched in memory, arrived before the sender wrote its batch (or after the sender died
        // without writing it). A final message must say which provider carried it.
        await using var rig = await Rig.CreateAsync(provider, ReceiptPolicy.FirstPart);
        var id = await rig.AddMessageAsync(null, status: MessageStatus.Submitting);
        await using (var db = rig.Database.CreateContext())
        {
            await db.Messages.Where(m => m.Id == id).ExecuteUpdateAsync(s => s.SetProperty(m => m.ProviderId, (int?)null));
        }

        await rig.ApplyAsync(rig.Part(id, "R1", 0, 1, MessageStatus.Delivered));

        var m = await rig.MessageAsync(id);
        Assert.Equal(MessageStatus.Delivered, m.Status);
        Assert.Equal(rig.ProviderId, m.ProviderId);
    }

    [Theory]
    [InlineData(DatabaseProvider.Postgres)]
    [InlineData(DatabaseProvider.Sqlite)]
    public async Task SenderDiedBeforeItsRecord_ReceiptMatchedInMemory_CountsEveryPartAndItsCost(DatabaseProvider provider)
    {
        // Issue 12: a sender that died between the submit_sm_resp and its record left the message
        // Parts 0 / Cost 0 for good once the receipt (matched by the connector that lives on) made it
        // final. The receipt now carries the route's part price: parts and cost come from it.
        await using var rig = await Rig.CreateAsync(provider, ReceiptPolicy.FirstPart);
        var died = await rig.AddMessageAsync(null, parts: 0, status: MessageStatus.Submitting);
        var recorded = await rig.AddMessageAsync("K1", parts: 2);
        var undecided = await rig.AddMessageAsync(null, parts: 0, status: MessageStatus.Submitting);
        var unpriced = await rig.AddMessageAsync(null, parts: 0, status: MessageStatus.Submitting);
        await using (var db = rig.Database.CreateContext())
        {
            await db.Messages.Where(m => m.Id == died || m.Id == undecided || m.Id == unpriced)
                .ExecuteUpdateAsync(s => s.SetProperty(m => m.ProviderId, (int?)null).SetProperty(m => m.Cost, 0m));
            await db.Messages.Where(m => m.Id == recorded).ExecuteUpdateAsync(s => s.SetProperty(m => m.Cost, 0.50m));
        }

        await rig.ApplyAsync(
            rig.Part(died, "D1", 0, 2, MessageStatus.Delivered) with { PartPrice = 0.35m },
            // Recorded by its sender already: the sender's figures stand.
            rig.Part(recorded, "K1", 0, 2, MessageStatus.Delivered) with { PartPrice = 0.35m },
            // Part 2 under "first part" decides nothing: nothing to account yet.
            rig.Part(undecided, "U2", 1, 2, MessageStatus.Delivered) with { PartPrice = 0.35m },
            // No price (not matched in memory): parts unknown, left as they are.
            rig.Part(unpriced, "N1", 0, 1, MessageStatus.Delivered));

        var m = await rig.MessageAsync(died);
        Assert.Equal(MessageStatus.Delivered, m.Status);
        Assert.Equal(rig.ProviderId, m.ProviderId);
        Assert.Equal(2, m.Parts);
        Assert.Equal(0.70m, m.Cost);
        var r = await rig.MessageAsync(recorded);
        Assert.Equal((MessageStatus.Delivered, 2, 0.50m), (r.Status, r.Parts, r.Cost));
        var u = await rig.MessageAsync(undecided);
        Assert.Equal((MessageStatus.Submitting, 0, 0m), (u.Status, u.Parts, u.Cost));
        var n = await rig.MessageAsync(unpriced);
        Assert.Equal((MessageStatus.Delivered, 0, 0m), (n.Status, n.Parts, n.Cost));
    }

    [Theory]
    [InlineData(DatabaseProvider.Postgres)]
    [InlineData(DatabaseProvider.Sqlite)]
    public async Task FinalByReceiptButUnrecorded_HoldsTheCampaignOpen_UntilItsSenderIsTakenForDead(DatabaseProvider provider)
    {
        // Issue 12: part 1's receipt can make a message final while its live sender still sends part 2
        // (the campaign must not complete then); a dead sender never records (the campaign must not stay
        // open for good). Now that such a receipt fills in parts and cost, "unrecorded" is the missing
        // provider message id, and "dead" is a lease silent for three times the grace (the sweeper's rule).
        await using var rig = await Rig.CreateAsync(provider, ReceiptPolicy.FirstPart);
        var grace = TimeSpan.FromSeconds(30);
        var now = DateTime.UtcNow;
        int campaignId;
        await using (var db = rig.Database.CreateContext())
        {
            var campaign = new Campaign("Receipts", null, MessagePurpose.Service, "test", now);
            db.Campaigns.Add(campaign);
            await db.SaveChangesAsync();
            campaignId = campaign.Id;
            await db.Campaigns.Where(c => c.Id == campaignId).ExecuteUpdateAsync(s => s.SetProperty(c => c.Status, CampaignStatus.Sending));
        }
        var id = await rig.AddMessageAsync(null, parts: 0, status: MessageStatus.Submitting);
        await using (var db = rig.Database.CreateContext())
        {
            await db.Messages.Where(m => m.Id == id).ExecuteUpdateAsync(s => s.SetProperty(m => m.CampaignId, campaignId)
                .SetProperty(m => m.LeaseRenewedAt, now.AddSeconds(-5)));
            db.MessageChunks.Add(new MessageChunk(campaignId, id, id, 1) { Status = MessageChunkStatus.Done });
            await db.SaveChangesAsync();
        }
        await rig.ApplyAsync(rig.Part(id, "H1", 0, 2, MessageStatus.Delivered) with { PartPrice = 0.35m });
        Assert.Equal(2, (await rig.MessageAsync(id)).Parts);

        // Its sender renewed the lease 5 s ago: alive, its record is coming.
        Assert.False(await ChunkSender.TryCompleteAsync(rig.Database.Factory, campaignId, TimeProvider.System, grace, default));

        // Silent for more than 3 x grace: dead. The receipt's figures stand and the campaign completes.
        await using (var db = rig.Database.CreateContext())
        {
            await db.Messages.Where(m => m.Id == id).ExecuteUpdateAsync(s => s.SetProperty(m => m.LeaseRenewedAt, now - 3 * grace - TimeSpan.FromSeconds(1)));
        }
        Assert.True(await ChunkSender.TryCompleteAsync(rig.Database.Factory, campaignId, TimeProvider.System, grace, default));
        await using (var db = rig.Database.CreateContext())
        {
            Assert.Equal(CampaignStatus.Completed, (await db.Campaigns.SingleAsync(c => c.Id == campaignId)).Status);
        }
    }

    [Theory]
    [InlineData(DatabaseProvider.Postgres)]
    [InlineData(DatabaseProvider.Sqlite)]
    public async Task LastPart_OnlyTheLastPartsReceiptDecides(DatabaseProvider provider)
    {
        await using var rig = await Rig.CreateAsync(provider, ReceiptPolicy.LastPart);
        var id = await rig.AddMessageAsync("B1", parts: 3);

        await rig.ApplyAsync(rig.Part(id, "B1", 0, 3, MessageStatus.Undeliverable, "001"), rig.Part(id, "B2", 1, 3, MessageStatus.Expired, "003"));
        Assert.Equal(MessageStatus.Submitted, (await rig.MessageAsync(id)).Status);

        await rig.ApplyAsync(rig.Part(id, "B3", 2, 3, MessageStatus.Delivered));
        var m = await rig.MessageAsync(id);
        Assert.Equal(MessageStatus.Delivered, m.Status);
        Assert.Null(m.ErrorCode);
        Assert.Equal(0b100, m.DeliveredParts);
    }

    [Theory]
    [InlineData(DatabaseProvider.Postgres)]
    [InlineData(DatabaseProvider.Sqlite)]
    public async Task AllParts_DeliveredOnceEveryBitIsSet_AcrossBatches(DatabaseProvider provider)
    {
        await using var rig = await Rig.CreateAsync(provider, ReceiptPolicy.AllParts);
        var id = await rig.AddMessageAsync("C1", parts: 3);

        await rig.ApplyAsync(rig.Part(id, "C3", 2, 3, MessageStatus.Delivered, at: Done.AddSeconds(2)), rig.Part(id, "C1", 0, 3, MessageStatus.Delivered));
        var half = await rig.MessageAsync(id);
        Assert.Equal(MessageStatus.Submitted, half.Status);
        Assert.Equal(0b101, half.DeliveredParts);
        Assert.Null(half.DoneAt);

        await rig.ApplyAsync(rig.Part(id, "C2", 1, 3, MessageStatus.Delivered, at: Done.AddSeconds(5)));
        var m = await rig.MessageAsync(id);
        Assert.Equal(MessageStatus.Delivered, m.Status);
        Assert.Equal(0b111, m.DeliveredParts);
        Assert.Equal(Done.AddSeconds(5), m.DoneAt);
    }

    [Theory]
    [InlineData(DatabaseProvider.Postgres)]
    [InlineData(DatabaseProvider.Sqlite)]
    public async Task AllParts_OneFailedPart_FinalAtOnce_AndAllPartsInOneBatchDeliver(DatabaseProvider provider)
    {
        await using var rig = await Rig.CreateAsync(provider, ReceiptPolicy.AllParts);
        var failed = await rig.AddMessageAsync("D1", parts: 3);
        var whole = await rig.AddMessageAsync("E1", parts: 2);
        var single = await rig.AddMessageAsync("F1", parts: 1);

        await rig.ApplyAsync(
            rig.Part(failed, "D1", 0, 3, MessageStatus.Delivered),
            rig.Part(failed, "D2", 1, 3, MessageStatus.Rejected, "002"),
            rig.Part(whole, "E1", 0, 2, MessageStatus.Delivered),
            rig.Part(whole, "E2", 1, 2, MessageStatus.Delivered),
            rig.Part(single, "F1", 0, 1, MessageStatus.Delivered));
        // The last part of the failed message arriving delivered later changes nothing.
        await rig.ApplyAsync(rig.Part(failed, "D3", 2, 3, MessageStatus.Delivered));

        var f = await rig.MessageAsync(failed);
        Assert.Equal(MessageStatus.Rejected, f.Status);
        Assert.Equal("002", f.ErrorCode);
        // Every delivered part counts (issue 12), also one arriving after the message failed.
        Assert.Equal(0b101, f.DeliveredParts);
        Assert.Equal(MessageStatus.Delivered, (await rig.MessageAsync(whole)).Status);
        Assert.Equal(0b11, (await rig.MessageAsync(whole)).DeliveredParts);
        Assert.Equal(MessageStatus.Delivered, (await rig.MessageAsync(single)).Status);
    }

    [Theory]
    [InlineData(DatabaseProvider.Postgres)]
    [InlineData(DatabaseProvider.Sqlite)]
    public async Task Duplicates_AndUnknown_AndLongErrorCodes(DatabaseProvider provider)
    {
        await using var rig = await Rig.CreateAsync(provider, ReceiptPolicy.FirstPart);
        var delivered = await rig.AddMessageAsync("G1");
        var unknown = await rig.AddMessageAsync("H1");
        var longError = await rig.AddMessageAsync("I1");
        var code = new string('e', 31) + "😀tail"; // a surrogate pair across the 32-character cut

        await rig.ApplyAsync(rig.Part(delivered, "G1", 0, 1, MessageStatus.Delivered), rig.Part(delivered, "G1", 0, 1, MessageStatus.Delivered));
        // A late copy with another state, by message id and by provider id, after the message is final.
        await rig.ApplyAsync(rig.Part(delivered, "G1", 0, 1, MessageStatus.Undeliverable, "001", Done.AddHours(1)),
            new ReceiptItem(null, rig.ProviderId, "G1", MessageStatus.Expired, "003", Done.AddHours(1)),
            rig.Part(unknown, "H1", 0, 1, MessageStatus.Unknown, "Unknown"),
            new ReceiptItem(null, rig.ProviderId, "I1", MessageStatus.Undeliverable, code, Done));

        var d = await rig.MessageAsync(delivered);
        Assert.Equal(MessageStatus.Delivered, d.Status);
        Assert.Null(d.ErrorCode);
        Assert.Equal(Done, d.DoneAt);
        var u = await rig.MessageAsync(unknown);
        Assert.Equal(MessageStatus.Unknown, u.Status);
        Assert.Equal("Unknown", u.ErrorCode);
        var e = await rig.MessageAsync(longError);
        Assert.Equal(MessageStatus.Undeliverable, e.Status);
        Assert.Equal(new string('e', 31), e.ErrorCode);
        Assert.Equal(32, ReceiptProcessor.Cut(new string('x', 40), 32).Length);
        // Only the duplicate-for-a-final-message went back for a retry; it never becomes an orphan.
        Assert.Single(rig.Bus.Published);
        await rig.ApplyAsync(rig.Bus.Published[0] with { Attempt = 99 });
        Assert.Equal(0, await rig.OrphanCountAsync());
    }

    [Theory]
    [InlineData(DatabaseProvider.Postgres)]
    [InlineData(DatabaseProvider.Sqlite)]
    public async Task ReceiptBeforeSubmitRecorded_RetriedThenApplied(DatabaseProvider provider)
    {
        await using var rig = await Rig.CreateAsync(provider, ReceiptPolicy.FirstPart);
        var id = await rig.AddMessageAsync(null, status: MessageStatus.Submitting);

        await rig.ApplyAsync(new ReceiptItem(null, rig.ProviderId, "J1", MessageStatus.Delivered, null, Done));
        Assert.Equal(MessageStatus.Submitting, (await rig.MessageAsync(id)).Status);
        var retry = Assert.Single(rig.Bus.Published);
        Assert.Equal(1, retry.Attempt);

        await rig.RecordSubmitAsync(id, "J1");
        await rig.ApplyAsync(retry);
        Assert.Equal(MessageStatus.Delivered, (await rig.MessageAsync(id)).Status);
        Assert.Single(rig.Bus.Published);
    }

    [Theory]
    [InlineData(DatabaseProvider.Postgres)]
    [InlineData(DatabaseProvider.Sqlite)]
    public async Task UnmatchedAfterRetries_KeptAsOrphans_ReappliedWhenTheMessageShowsUp_OldOnesPurged(DatabaseProvider provider)
    {
        await using var rig = await Rig.CreateAsync(provider, ReceiptPolicy.FirstPart);
        var late = await rig.AddMessageAsync(null, status: MessageStatus.Submitting);
        var final = await rig.AddMessageAsync("K0", status: MessageStatus.Delivered);

        var last = rig.Options.Value.ReceiptRetries;
        await rig.ApplyAsync(last,
            new ReceiptItem(null, rig.ProviderId, "K1", MessageStatus.Expired, "003", Done),
            new ReceiptItem(null, rig.ProviderId, "K2", MessageStatus.Delivered, null, Done),
            new ReceiptItem(null, rig.ProviderId, "K0", MessageStatus.Undeliverable, "001", Done));
        // The same unknown receipt again (the SMSC redelivered it): still one orphan.
        await rig.ApplyAsync(last, new ReceiptItem(null, rig.ProviderId, "K1", MessageStatus.Expired, "003", Done));

        Assert.Empty(rig.Bus.Published);
        Assert.Equal(2, await rig.OrphanCountAsync());
        Assert.Equal(2, rig.Processor.Orphaned);
        Assert.Equal(MessageStatus.Delivered, (await rig.MessageAsync(final)).Status);

        Assert.Equal(0, await rig.Processor.ReapplyOrphansAsync(default));
        await rig.RecordSubmitAsync(late, "K1");
        Assert.Equal(1, await rig.Processor.ReapplyOrphansAsync(default));

        var m = await rig.MessageAsync(late);
        Assert.Equal(MessageStatus.Expired, m.Status);
        Assert.Equal("003", m.ErrorCode);
        await using (var db = rig.Database.CreateContext())
        {
            var left = Assert.Single(await db.ReceiptOrphans.ToListAsync());
            Assert.Equal("K2", left.ProviderMessageId);
            Assert.Equal(MessageStatus.Delivered, left.Status);
            // Received eight days ago: past the seven-day retention.
            await db.Database.ExecuteSqlRawAsync("UPDATE \"ReceiptOrphans\" SET \"ReceivedAt\" = {0}", DateTime.UtcNow.AddDays(-8));
        }
        Assert.Equal(1, await rig.Processor.PurgeOrphansAsync(default));
        Assert.Equal(0, await rig.OrphanCountAsync());
    }

    [Theory]
    [InlineData(DatabaseProvider.Postgres)]
    [InlineData(DatabaseProvider.Sqlite)]
    public async Task Metrics_CountEachTransitionOnce_NotDuplicatesRedeliveriesOrLateParts(DatabaseProvider provider)
    {
        // Issue 22: delivered/failed count messages made final, not rows the receipt UPDATE touched
        // (the first version read 87 delivered for 60 messages). The provider label is unique: the
        // meter is process-wide and other tests record into it at the same time.
        var name = "Metrics receipts " + Guid.NewGuid().ToString("N")[..8];
        await using var rig = await Rig.CreateAsync(provider, ReceiptPolicy.FirstPart, name);
        var seen = new List<(string Instrument, string? Outcome, long Value)>();
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == Portal.Infrastructure.Telemetry.PortalMetrics.MeterName
                && instrument.Name is "portal.messages.delivered" or "portal.messages.failed" or "portal.receipt.lag") l.EnableMeasurementEvents(instrument);
        };
        void Seen(System.Diagnostics.Metrics.Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            string? label = null, outcome = null;
            foreach (var t in tags)
            {
                if (t.Key == "provider") label = t.Value as string;
                if (t.Key == "outcome") outcome = t.Value as string;
            }
            if (label == name) lock (seen) seen.Add((instrument.Name, outcome, value));
        }
        listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Seen(i, v, tags));
        listener.SetMeasurementEventCallback<double>((i, _, tags, _) => Seen(i, 1, tags));
        listener.Start();

        var single = await rig.AddMessageAsync("M1");
        var longOne = await rig.AddMessageAsync("M2", parts: 3);
        var byProviderId = await rig.AddMessageAsync("M3");
        // A duplicate in the batch, then the whole batch redelivered (its ack was lost).
        ReceiptItem[] batch = [rig.Part(single, "M1", 0, 1, MessageStatus.Delivered), rig.Part(single, "M1", 0, 1, MessageStatus.Delivered),
            rig.Part(longOne, "M2", 1, 3, MessageStatus.Delivered), new ReceiptItem(null, rig.ProviderId, "M3", MessageStatus.Undeliverable, "001", Done)];
        await rig.ApplyAsync(batch);
        await rig.ApplyAsync(rig.Part(single, "M1", 0, 1, MessageStatus.Delivered), rig.Part(longOne, "M2", 1, 3, MessageStatus.Delivered));
        // The first part decides the long message; the last part's bit arrives after it is final, at the same time stamp.
        await rig.ApplyAsync(rig.Part(longOne, "M2", 0, 3, MessageStatus.Delivered));
        await rig.ApplyAsync(rig.Part(longOne, "M2", 2, 3, MessageStatus.Delivered), rig.Part(single, "M1", 0, 1, MessageStatus.Undeliverable, "001"));

        Assert.Equal(MessageStatus.Delivered, (await rig.MessageAsync(single)).Status);
        var m = await rig.MessageAsync(longOne);
        Assert.Equal(MessageStatus.Delivered, m.Status);
        Assert.Equal(0b111, m.DeliveredParts);
        Assert.Equal(MessageStatus.Undeliverable, (await rig.MessageAsync(byProviderId)).Status);
        listener.Dispose();
        lock (seen)
        {
            Assert.Equal(2, seen.Where(x => x.Instrument == "portal.messages.delivered").Sum(x => x.Value));
            Assert.Equal(("portal.messages.failed", (string?)"undeliverable", 1L), Assert.Single(seen, x => x.Instrument == "portal.messages.failed"));
            // The receipt lag once per message made final, by either kind of match.
            Assert.Equal(3, seen.Count(x => x.Instrument == "portal.receipt.lag"));
        }
    }

    [Fact]
    public void Combine_FoldsPartsPerMessageUnderEachProvidersPolicy()
    {
        var items = new[]
        {
            new ReceiptItem(1, 10, "a", MessageStatus.Delivered, null, Done, 1, 3),
            new ReceiptItem(1, 10, "b", MessageStatus.Delivered, null, Done.AddSeconds(1), 0, 3),
            new ReceiptItem(2, 20, "c", MessageStatus.Undeliverable, "001", Done, 0, 2),
            new ReceiptItem(3, 30, "d", MessageStatus.Expired, "003", Done, 0, 2),
            new ReceiptItem(3, 30, "e", MessageStatus.Delivered, null, Done, 1, 2),
        };
        var policies = new Dictionary<int, ReceiptPolicy> { [10] = ReceiptPolicy.AllParts, [20] = ReceiptPolicy.LastPart, [30] = ReceiptPolicy.FirstPart };

        var rows = ReceiptProcessor.Combine(items, p => policies[p]);

        Assert.Equal(2, rows.Count);
        Assert.Equal(new ReceiptProcessor.MessageReceipt(1, -1, null, Done.AddSeconds(1), 0b011, 0b111, 10), rows[0]);
        // Message 2: a non-last part under LastPart does nothing, not even a row.
        // Message 3: part 1's receipt decides under FirstPart; part 2's delivery still sets its bit.
        Assert.Equal(new ReceiptProcessor.MessageReceipt(3, (int)MessageStatus.Expired, "003", Done, 0b10, 0, 30), rows[1]);
    }

    /// <summary>A client, a provider with the policy under test, messages with chosen provider ids, and a processor over a recording bus.</summary>
    private sealed class Rig : IAsyncDisposable
    {
        private long _clientId;

        private Rig(TestDatabase database) => Database = database;

        public TestDatabase Database { get; }
        public int ProviderId { get; private set; }
        public RecordingBus Bus { get; } = new();
        public IOptions<SendingOptions> Options { get; } = Microsoft.Extensions.Options.Options.Create(new SendingOptions { ReceiptRetryDelay = TimeSpan.Zero });
        public ReceiptProcessor Processor { get; private set; } = null!;

        public static async Task<Rig> CreateAsync(DatabaseProvider provider, ReceiptPolicy policy, string providerName = "Receipts SMSC")
        {
            var rig = new Rig(await TestDatabase.CreateAsync(provider));
            await using var db = rig.Database.CreateContext();
            var client = new Client(PhoneNumber.Parse("+79001234567"), "Receipt", null, Done);
            var row = new SmsProvider(providerName, ProviderKind.Smpp, new ProviderSettings { Host = "127.0.0.1", ReceiptPolicy = policy }.ToJson());
            db.Clients.Add(client);
            db.Providers.Add(row);
            await db.SaveChangesAsync();
            rig._clientId = client.Id;
            rig.ProviderId = row.Id;
            rig.Processor = new ReceiptProcessor(rig.Database.Factory, rig.Bus, new ReceiptPolicies(rig.Database.Factory, new ProviderRegistryVersion()), new Portal.Infrastructure.MessagesApi.StatusCallbackOutbox(TimeProvider.System),
                TimeProvider.System, rig.Options, NullLogger<ReceiptProcessor>.Instance);
            return rig;
        }

        public async Task<long> AddMessageAsync(string? providerMessageId, int parts = 1, MessageStatus status = MessageStatus.Submitted)
        {
            await using var db = Database.CreateContext();
            var message = new Message(null, _clientId, "+79001234567", Done)
            {
                Status = status, ProviderId = ProviderId, ProviderMessageId = providerMessageId, Parts = parts, SubmittedAt = Done,
            };
            db.Messages.Add(message);
            await db.SaveChangesAsync();
            return message.Id;
        }

        /// <summary>What ChunkSender's record does for one message: the provider id arrives, a receipt's status is kept.</summary>
        public async Task RecordSubmitAsync(long id, string providerMessageId)
        {
            await using var db = Database.CreateContext();
            await db.Messages.Where(m => m.Id == id).ExecuteUpdateAsync(s => s
                .SetProperty(m => m.ProviderMessageId, providerMessageId)
                .SetProperty(m => m.Status, m => m.Status == MessageStatus.Submitting ? MessageStatus.Submitted : m.Status));
        }

        public ReceiptItem Part(long id, string providerMessageId, int index, int count, MessageStatus status, string? error = null, DateTime? at = null) =>
            new(id, ProviderId, providerMessageId, status, error, at ?? Done, index, count);

        public Task ApplyAsync(params ReceiptItem[] items) => ApplyAsync(0, items);

        public Task ApplyAsync(int attempt, params ReceiptItem[] items) => ApplyAsync(new ReceiptBatch(items, attempt));

        public Task ApplyAsync(ReceiptBatch batch) => Processor.ApplyAsync(batch, default);

        public async Task<Message> MessageAsync(long id)
        {
            await using var db = Database.CreateContext();
            return await db.Messages.AsNoTracking().SingleAsync(m => m.Id == id);
        }

        public async Task<int> OrphanCountAsync()
        {
            await using var db = Database.CreateContext();
            return await db.ReceiptOrphans.CountAsync();
        }

        public ValueTask DisposeAsync() => Database.DisposeAsync();
    }

    /// <summary>Keeps what the processor re-queues, so a test can hand it back like the bus would.</summary>
    private sealed class RecordingBus : IMessageBus
    {
        public List<ReceiptBatch> Published { get; } = [];

        public Task PublishAsync<T>(string queue, T message, CancellationToken ct = default)
        {
            Published.Add(message as ReceiptBatch ?? throw new InvalidOperationException("Only receipt batches expected."));
            return Task.CompletedTask;
        }

        public Task<IAsyncDisposable> SubscribeAsync<T>(string queue, Func<T, CancellationToken, Task> handler, SubscriptionOptions? options = null, CancellationToken ct = default) =>
            throw new NotSupportedException();

        public Task<QueueStats> GetStatsAsync(string queue, CancellationToken ct = default) => throw new NotSupportedException();
    }
}
