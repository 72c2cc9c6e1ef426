using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Portal.Domain.Audit;
using Portal.Infrastructure.Audit;
using Portal.Infrastructure.Messaging;
using Portal.Infrastructure.Sending;
using Portal.Infrastructure.Persistence;
using Portal.Tests.Support;

namespace Portal.Tests.Infrastructure.Messaging;

/// <summary>
/// Issue 21 (coverage): the administrator's dead-letter replay (issue 13) moves a Portal queue's
/// dead letters back and audits how many; any other queue name is refused before the bus is touched.
/// </summary>
public class DeadLettersReplayTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    public sealed record Note(int Id);

    [Fact]
    public async Task Replay_MovesThePortalQueuesDeadLettersBack_AndAuditsTheCount()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        var sending = new SendingOptions();
        await using var bus = new InProcessMessageBus(new MessagingOptions { MaxDeliveryAttempts = 1, RetryDelay = TimeSpan.FromMilliseconds(1) },
            NullLogger<InProcessMessageBus>.Instance);
        var deadLetters = new DeadLetters(bus, Options.Create(sending), new AuditLog(database.Factory, TimeProvider.System));
        Assert.Equal(["portal.dispatch", "portal.receipts", "portal.inbound"], deadLetters.Queues);

        var queue = sending.ReceiptQueue;
        var failing = 1;
        var handled = 0;
        await using (await bus.SubscribeAsync<Note>(queue, (_, _) =>
        {
            if (Volatile.Read(ref failing) == 1) throw new InvalidOperationException("a bug, fixed later");
            Interlocked.Increment(ref handled);
            return Task.CompletedTask;
        }))
        {
            await bus.PublishAsync(queue, new Note(1));
            await bus.PublishAsync(queue, new Note(2));
            var deadline = DateTime.UtcNow + Patience;
            while (bus.GetDeadLetters(queue).Count < 2)
            {
                Assert.True(DateTime.UtcNow < deadline, "the messages were not dead-lettered");
                await Task.Delay(20);
            }
            Volatile.Write(ref failing, 0);

            var actor = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, "admin@test.local")], "test"));
            Assert.Equal(2, await deadLetters.ReplayAsync(queue, actor, default));

            while (Volatile.Read(ref handled) < 2)
            {
                Assert.True(DateTime.UtcNow < deadline, "the replayed messages were not handled");
                await Task.Delay(20);
            }
        }
        Assert.Empty(bus.GetDeadLetters(queue));
        await using var db = database.CreateContext();
        var entry = await db.AuditEntries.SingleAsync(e => e.Action == AuditActions.DeadLettersReplayed);
        Assert.Equal(("admin@test.local", "Queue", "portal.receipts", "replayed=2"), (entry.UserName, entry.EntityType, entry.EntityId, entry.Details));
    }

    [Fact]
    public async Task Replay_OfAnotherQueue_IsRefused_AndNothingIsAudited()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using var bus = new InProcessMessageBus(new MessagingOptions(), NullLogger<InProcessMessageBus>.Instance);
        var deadLetters = new DeadLetters(bus, Options.Create(new SendingOptions()), new AuditLog(database.Factory, TimeProvider.System));

        var error = await Assert.ThrowsAsync<ArgumentException>(() => deadLetters.ReplayAsync("portal.priority", null, default));
        Assert.StartsWith("'portal.priority' is not a Portal queue.", error.Message);
        await using var db = database.CreateContext();
        Assert.False(await db.AuditEntries.AnyAsync());
    }
}
