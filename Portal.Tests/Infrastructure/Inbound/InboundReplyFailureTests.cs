using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Portal.Domain.Campaigns;
using Portal.Domain.Clients;
using Portal.Domain.Messages;
using Portal.Infrastructure.Inbound;
using Portal.Infrastructure.Providers;
using Portal.Infrastructure.Persistence;
using Portal.Tests.Support;

namespace Portal.Tests.Infrastructure.Inbound;

/// <summary>The confirmation of a STOP when no provider routes it, when routing throws, and for a sandbox client (real SQLite).</summary>
public sealed class InboundReplyFailureTests
{
    private static readonly DateTime T0 = new(2026, 11, 20, 10, 0, 0, DateTimeKind.Utc);

    private sealed class Router(Func<ValueTask<RoutedProvider?>> route) : IMessageRouter
    {
        public int Calls;

        public ValueTask<RoutedProvider?> RouteAsync(Campaign? campaign, string phone, CancellationToken ct)
        {
            Calls++;
            return route();
        }
    }

    private sealed class FixedClock : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => new(T0);
    }

    private static async Task<(TestDatabase Database, long ClientId)> SeedAsync(string? sandboxOwner = null)
    {
        var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using var db = database.CreateContext();
        var client = new Client(PhoneNumber.Parse("+79161234567"), "Anna", null, T0.AddDays(-100));
        if (sandboxOwner is not null) client.PlaceInSandbox(sandboxOwner);
        db.Clients.Add(client);
        await db.SaveChangesAsync();
        return (database, client.Id);
    }

    private static InboundProcessor Processor(TestDatabase database, IMessageRouter router) =>
        new(database.Factory, router, new FixedClock(), Options.Create(new InboundOptions { OptOutConfirmation = "You are unsubscribed." }), NullLogger<InboundProcessor>.Instance);

    private static InboundSms Stop() => new(null, "79161234567", "1234", "STOP", T0, Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Confirmation_NoProviderRoutesIt_ReplyRowRejectedAsNoProvider()
    {
        var (database, clientId) = await SeedAsync();
        await using var _ = database;
        var router = new Router(() => ValueTask.FromResult<RoutedProvider?>(null));

        await Processor(database, router).ProcessAsync(Stop(), default);

        await using var db = database.CreateContext();
        var reply = await db.Messages.SingleAsync(m => m.ClientId == clientId);
        Assert.Equal(MessageStatus.Rejected, reply.Status);
        Assert.Equal("no-provider", reply.ErrorCode);
        Assert.Equal(T0, reply.DoneAt);
        Assert.NotNull((await db.Clients.SingleAsync()).OptedOutAt);
    }

    [Fact]
    public async Task Confirmation_RoutingThrows_ReplyRowRejectedAsUnavailableAndTheOptOutKept()
    {
        var (database, clientId) = await SeedAsync();
        await using var _ = database;
        var router = new Router(() => throw new InvalidDataException("registry unreadable"));

        await Processor(database, router).ProcessAsync(Stop(), default);

        await using var db = database.CreateContext();
        var reply = await db.Messages.SingleAsync(m => m.ClientId == clientId);
        Assert.Equal(MessageStatus.Rejected, reply.Status);
        Assert.Equal("unavailable", reply.ErrorCode);
        Assert.Equal(InboundKind.OptOut, (await db.InboundMessages.SingleAsync()).Kind);
        Assert.NotNull((await db.Clients.SingleAsync()).OptedOutAt);
    }

    [Fact]
    public async Task Confirmation_ForASandboxClient_ShownInTheInboxButNeverSent()
    {
        var (database, clientId) = await SeedAsync(sandboxOwner: "trainee-1");
        await using var _ = database;
        var router = new Router(() => throw new InvalidOperationException("must not route"));

        await Processor(database, router).ProcessAsync(Stop(), default);

        await using var db = database.CreateContext();
        Assert.Equal(0, router.Calls);
        Assert.False(await db.Messages.AnyAsync(m => m.ClientId == clientId));
        Assert.Equal("You are unsubscribed.", (await db.InboundMessages.SingleAsync()).AutoReply);
    }
}
