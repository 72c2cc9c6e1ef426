using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Portal.Domain.Clients;
using Portal.Domain.Imports;
using Portal.Domain.Integrations;
using Portal.Domain.Messages;
using Portal.Infrastructure.Bi;
using Portal.Infrastructure.Clients;
using Portal.Infrastructure.Messaging;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Providers;
using Portal.Infrastructure.Sending;
using Portal.Tests.Support;

namespace Portal.Tests.Infrastructure.Clients;

/// <summary>
/// Issue 14: a client seeded into every table and dead-letter queue that can hold them is gone
/// from all of them after erasure; another client's data stays. The tables are scanned
/// generically (every text column of the EF model), on both databases and both buses.
/// </summary>
public sealed class ErasureEverywhereTests
{
    private const string Phone = "+79167770011";
    private const string National = "9167770011";
    private const string First = "Zakhariy";
    private const string Last = "Vyshnegradsky";
    private const string External = "crm-erase-4711";
    private const string OtherPhone = "+79167770022";

    public static TheoryData<DatabaseProvider, MessagingTransport> Cases => new()
    {
        { DatabaseProvider.Sqlite, MessagingTransport.InProcess },
        { DatabaseProvider.Postgres, MessagingTransport.RabbitMq },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Erase_LeavesNoPhoneOrNameInAnyTableOrDeadLetterQueue(DatabaseProvider provider, MessagingTransport transport)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var sending = new SendingOptions
        {
            ChunkQueue = $"portal-test.{Guid.NewGuid():N}.chunks",
            ReceiptQueue = $"portal-test.{Guid.NewGuid():N}.receipts",
            InboundQueue = $"portal-test.{Guid.NewGuid():N}.inbound",
        };
        var bus = CreateBus(transport);
        try
        {
            var (clientId, otherId) = await SeedAsync(database);
            await DeadLetterAsync(bus, sending.InboundQueue, new InboundSms(1, Phone, "900", $"This is {First} {Last}, stop", DateTime.UtcNow, "mo-1"));
            await DeadLetterAsync(bus, sending.InboundQueue, new InboundSms(1, OtherPhone, "900", "someone else", DateTime.UtcNow, "mo-2"));
            await DeadLetterAsync(bus, sending.ReceiptQueue, new { Items = new[] { new { Note = $"for {External}" } } });

            await using (var before = database.CreateContext())
            {
                var seeded = await PersonalDataScan.FindAsync(before, Phone, National, First, Last, External);
                Assert.True(seeded.Count >= 10, "the seed must reach many tables: " + string.Join("; ", seeded));
            }
            var exportFiles = new BiExportFiles(database.Factory, Microsoft.Extensions.Options.Options.Create(new BiOptions()),
                new Microsoft.Extensions.Hosting.Internal.HostingEnvironment { ContentRootPath = Path.GetTempPath() }, TimeProvider.System, NullLogger<BiExportFiles>.Instance);
            var erasure = new ClientErasure(database.Factory, (IDeadLetterStore)bus, Microsoft.Extensions.Options.Options.Create(sending),
                exportFiles, TimeProvider.System, NullLogger<ClientErasure>.Instance);

            var erased = await erasure.EraseAsync([clientId], null, "test", CancellationToken.None);

            Assert.Equal([clientId], erased);
            await using var db = database.CreateContext();
            Assert.Empty(await PersonalDataScan.FindAsync(db, Phone, National, First, Last, External));
            // The other client is untouched, in the database and in the dead-letter queue.
            Assert.NotEmpty(await PersonalDataScan.FindAsync(db, OtherPhone));
            var left = await ReadDeadLettersAsync(bus, sending, transport);
            Assert.DoesNotContain(left, b => b.Contains(National) || b.Contains(First) || b.Contains(External));
            Assert.Single(left, b => b.Contains("9167770022"));
            Assert.Equal(1, (await bus.GetStatsAsync(sending.InboundQueue)).DeadLettered);
            Assert.Equal(0, (await bus.GetStatsAsync(sending.ReceiptQueue)).DeadLettered);
            // Statistics survive: the erased client's message still counts, without its number.
            var message = db.Messages.Single(m => m.ClientId == clientId && m.ProviderMessageId == null);
            Assert.Equal(("", MessageStatus.Delivered), (message.Phone, message.Status));
            Assert.Equal(MessageStatus.Cancelled, db.Messages.Single(m => m.ClientId == clientId && m.ProviderMessageId == "queued").Status);
            Assert.Equal(OtherPhone, db.Messages.Single(m => m.ClientId == otherId).Phone);
        }
        finally
        {
            if (bus is RabbitMqMessageBus rabbit)
            {
                foreach (var q in new[] { sending.ChunkQueue, sending.ReceiptQueue, sending.InboundQueue })
                {
                    await rabbit.DeleteQueueAsync(q);
                }
            }
            await ((IAsyncDisposable)bus).DisposeAsync();
        }
    }

    private static async Task<(long Client, long Other)> SeedAsync(TestDatabase database)
    {
        var at = DateTime.UtcNow.AddDays(-3);
        await using var db = database.CreateContext();
        var client = new Client(PhoneNumber.Parse(Phone), First, Last, at) { ExternalId = External, MiddleName = "Petrovich", City = "Tver" };
        var other = new Client(PhoneNumber.Parse(OtherPhone), "Olga", "Keeperova", at) { ExternalId = "crm-keep" };
        var definition = new AttributeDefinition("nickname", AttributeType.Text, "Nickname");
        db.AddRange(client, other, definition);
        await db.SaveChangesAsync();
        db.ClientTags.Add(new ClientTag(client.Id, "vip"));
        db.ClientAttributes.Add(new ClientAttribute(client.Id, definition.Id, text: $"{First} the {Last}"));
        db.ConsentRecords.Add(new ConsentRecord(client.Id, ConsentPurpose.Advertising, true, at, "web-form", $"form signed by {First} {Last}, {Phone}"));
        db.ClientEvents.Add(new ClientEvent(client.Id, ClientEventType.Purchase, at, 10m, "order", JsonSerializer.Serialize(new { contact = Phone, by = Last })));
        db.Messages.Add(new Message(null, client.Id, Phone, at) { Status = MessageStatus.Delivered });
        db.Messages.Add(new Message(null, client.Id, Phone, at) { Status = MessageStatus.Queued, ProviderMessageId = "queued" });
        db.Messages.Add(new Message(null, other.Id, OtherPhone, at) { Status = MessageStatus.Delivered });
        db.InboundMessages.Add(new InboundMessage(Phone, "900", $"Hello, {First} here", at, InboundKind.Reply) { ClientId = client.Id, AutoReply = $"Thanks, {First}" });
        // Arrived before the client was known: matched by the sender's number only.
        db.InboundMessages.Add(new InboundMessage(Phone, "900", $"{Last} again", at.AddDays(-10), InboundKind.Reply));
        var job = new ImportJob("clients.csv", ImportMode.ValidRowsOnly, ImportMatch.ExternalId, "{}", "admin", at);
        db.ImportJobs.Add(job);
        var source = new SyncSource("crm", SyncSourceKind.Postgres, SyncTarget.Clients, "Host=crm", "SELECT 1", "updated_at", "0 0 * * * ?", "{}");
        db.SyncSources.Add(source);
        await db.SaveChangesAsync();
        db.ImportRowErrors.Add(new ImportRowError(job.Id, 2, "phone", $"'8 {National}x' is not a phone number."));
        db.ImportRowErrors.Add(new ImportRowError(job.Id, 3, "last_name", $"'{Last}{new string('!', 120)}' is longer than 100 characters."));
        db.ImportRowErrors.Add(new ImportRowError(job.Id, 4, "external_id", $"'{External}' appears twice."));
        var run = new SyncRun(source.Id, at);
        run.Finish(1, 0, 1, $"row 1: '{Phone}' duplicates client {External}", at);
        db.SyncRuns.Add(run);
        await db.SaveChangesAsync();
        return (client.Id, other.Id);
    }

    private static IMessageBus CreateBus(MessagingTransport transport)
    {
        var options = new MessagingOptions { Transport = transport, MaxDeliveryAttempts = 1, RetryDelay = TimeSpan.FromMilliseconds(10) };
        if (transport == MessagingTransport.RabbitMq)
        {
            options.RabbitMq.Uri = TestEnvironment.RabbitMq;
            options.RabbitMq.ClientName = "portal-tests-erasure";
            return new RabbitMqMessageBus(options, NullLogger<RabbitMqMessageBus>.Instance);
        }
        return new InProcessMessageBus(options, NullLogger<InProcessMessageBus>.Instance);
    }

    /// <summary>Publishes, lets a failing handler dead-letter it, waits until it is there.</summary>
    private static async Task DeadLetterAsync<T>(IMessageBus bus, string queue, T message)
    {
        var before = (await bus.GetStatsAsync(queue)).DeadLettered;
        await bus.PublishAsync(queue, message);
        await using (await bus.SubscribeAsync<JsonElement>(queue, (_, _) => throw new InvalidOperationException("poison")))
        {
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while ((await bus.GetStatsAsync(queue)).DeadLettered <= before)
            {
                Assert.True(DateTime.UtcNow < deadline, "the message was not dead-lettered");
                await Task.Delay(50);
            }
        }
    }

    private static async Task<IReadOnlyList<string>> ReadDeadLettersAsync(IMessageBus bus, SendingOptions sending, MessagingTransport transport)
    {
        var bodies = new List<string>();
        foreach (var queue in new[] { sending.InboundQueue, sending.ReceiptQueue, sending.ChunkQueue })
        {
            // Keep-all pass: reads every body through the same API, removes nothing.
            await ((IDeadLetterStore)bus).RemoveDeadLettersAsync(queue, d =>
            {
                var text = System.Text.Encoding.UTF8.GetString(d.Body.Span);
                using var doc = JsonDocument.Parse(text);
                bodies.Add(JsonSerializer.Serialize(doc.RootElement, new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
                return false;
            });
        }
        _ = transport;
        return bodies;
    }
}
