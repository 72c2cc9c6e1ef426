using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using Portal.Domain.Campaigns;
using Portal.Domain.Clients;
using Portal.Domain.Integrations;
using Portal.Domain.Messages;
using Portal.Domain.Templates;
using Portal.Infrastructure.Messaging;
using Portal.Infrastructure.MessagesApi;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Providers;
using Portal.Infrastructure.Sending;
using Portal.Tests.Support;

namespace Portal.Tests.Infrastructure.MessagesApi;

/// <summary>
/// Issue 21: the send API's refusals and failure paths, on the submission service itself over a real
/// database of each provider and the in-process bus: templates that do not compile or render, empty
/// and too long texts, sender ids no provider allows, inactive clients, a failed publish after the
/// commit, and (PostgreSQL) the idempotency-key race decided by the unique index.
/// </summary>
public sealed class MessageSubmissionEdgeTests
{
    private static readonly DateTime Now = new(2026, 11, 25, 12, 0, 0, DateTimeKind.Utc);

    private sealed class FixedClock : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => new(Now);
    }

    private sealed record World(TestDatabase Database, MessageSubmission Submission, PriorityPublisher Publisher, int KeyId) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Database.DisposeAsync();
    }

    /// <param name="priorityQueue">The priority lane's queue; a name the bus refuses makes every publish fail.</param>
    private static async Task<World> CreateAsync(DatabaseProvider provider, string priorityQueue = "priority")
    {
        var database = await TestDatabase.CreateAsync(provider);
        int keyId;
        await using (var db = database.CreateContext())
        {
            var key = new ApiKey("CRM", "crm00001", new string('0', 64), [ApiScopes.MessagesSend], 100, "admin", Now);
            db.ApiKeys.Add(key);
            await db.SaveChangesAsync();
            keyId = key.Id;
        }
        var bus = new InProcessMessageBus(new MessagingOptions(), NullLogger<InProcessMessageBus>.Instance);
        var publisher = new PriorityPublisher(bus, Options.Create(new SendingOptions { PriorityQueue = priorityQueue }));
        // Small limits, so a template can fail to compile (too long) or to render (too long an output).
        var engine = new TemplateEngine(new TemplateLimits(MaxBodyLength: 60, MaxOutputLength: 40));
        var submission = new MessageSubmission(database.Factory, publisher, engine, new FixedClock(), Options.Create(new MessagesApiOptions()),
            new ProviderRegistryVersion(), NullLogger<MessageSubmission>.Instance);
        return new World(database, submission, publisher, keyId);
    }

    private static async Task<List<Client>> SeedClientsAsync(World world, params Action<Client>[] shapes)
    {
        await using var db = world.Database.CreateContext();
        var clients = shapes.Select((shape, i) =>
        {
            var c = new Client(PhoneNumber.Parse($"+7901{i + 1:D7}"), "Edge" + i, null, Now) { ExternalId = "ext-" + i };
            c.SetConsent(ConsentPurpose.Advertising, true, Now, "test", null);
            shape(c);
            return c;
        }).ToList();
        db.Clients.AddRange(clients);
        await db.SaveChangesAsync();
        return clients;
    }

    private static SendItem Text(int index, string externalId, string text, string? sender = null) =>
        new(index, null, externalId, text, null, null, MessagePurpose.Service, sender, null, null);

    private static SendItem FromTemplate(int index, string? phone, string? externalId, int templateId, Dictionary<string, string> variables,
        MessagePurpose purpose = MessagePurpose.Service, string? sender = null) =>
        new(index, phone, externalId, null, templateId, variables, purpose, sender, null, null);

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task EveryBadItem_IsNamedInOne400_AndNothingIsStored(DatabaseProvider provider)
    {
        await using var world = await CreateAsync(provider);
        await SeedClientsAsync(world, _ => { }, _ => { }, _ => { }, _ => { }, _ => { });
        int broken, greeting;
        await using (var db = world.Database.CreateContext())
        {
            var tooLong = new MessageTemplate("Broken", null, "Hello " + new string('x', 80), "test", Now);
            var echo = new MessageTemplate("Echo", null, "{{ attr.note }}", "test", Now);
            db.Templates.AddRange(tooLong, echo);
            db.Providers.Add(new Portal.Domain.Providers.SmsProvider("Bank only", Portal.Domain.Providers.ProviderKind.Smpp,
                new ProviderSettings { Host = "127.0.0.1", Port = 1, SenderIds = ["Bank"] }.ToJson()) { Enabled = true });
            await db.SaveChangesAsync();
            (broken, greeting) = (tooLong.Id, echo.Id);
        }
        var items = new[]
        {
            FromTemplate(0, null, "ext-0", broken, [], sender: "Bank"),
            FromTemplate(1, null, "ext-1", greeting, new() { ["note"] = new string('n', 41) }, sender: "Bank"),
            FromTemplate(2, null, "ext-2", greeting, new() { ["note"] = "   " }, sender: "Bank"),
            Text(3, "ext-3", new string('x', 1601), sender: "Bank"),
            Text(4, "ext-4", "hello", sender: "Shop"),
        };

        var result = await world.Submission.SubmitAsync(world.KeyId, null, items, null, "h", default);

        var errors = Assert.IsType<SubmitResult.Invalid>(result).Errors;
        Assert.Equal([0, 1, 2, 3, 4], errors.Select(e => e.Index));
        Assert.Equal(("templateId", "The template does not compile."), (errors[0].Field, errors[0].Reason));
        Assert.Equal(("templateId", "The message is longer than 40 characters."), (errors[1].Field, errors[1].Reason));
        Assert.Equal(("templateId", "The text is empty."), (errors[2].Field, errors[2].Reason));
        Assert.Equal("text", errors[3].Field);
        Assert.StartsWith("The text is 11 SMS parts (1601 characters)", errors[3].Reason);
        Assert.Equal(("senderId", "No enabled provider allows the sender id 'Shop'."), (errors[4].Field, errors[4].Reason));
        await using var read = world.Database.CreateContext();
        Assert.Equal(0, await read.Messages.CountAsync());
        Assert.Equal(0, await read.PriorityMessages.CountAsync());
        Assert.Equal(0, world.Publisher.Published);
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task UnknownPhoneForAdvertising_AndInactiveClient_AreRefusedPerItem(DatabaseProvider provider)
    {
        await using var world = await CreateAsync(provider);
        await SeedClientsAsync(world, c => c.Deactivate(Now));
        int templateId;
        await using (var db = world.Database.CreateContext())
        {
            var template = new MessageTemplate("Promo", null, "Sale for {{ attr.who }}", "test", Now);
            db.Templates.Add(template);
            await db.SaveChangesAsync();
            templateId = template.Id;
        }
        var items = new[]
        {
            // A templated advert to a phone nobody has: nothing to render for, refused for want of consent.
            FromTemplate(0, "+79990000000", null, templateId, new() { ["who"] = "you" }, MessagePurpose.Advertising),
            Text(1, "ext-0", "Your order shipped"),
        };

        var result = await world.Submission.SubmitAsync(world.KeyId, null, items, null, "h", default);

        var refused = Assert.IsType<SubmitResult.AllRefused>(result).Items;
        Assert.Equal(("no-consent", "refused"), (refused[0].Reason, refused[0].Status));
        Assert.StartsWith("No client has this phone number", refused[0].Detail);
        Assert.Equal(("inactive", "The client is not active."), (refused[1].Reason, refused[1].Detail));
        await using var read = world.Database.CreateContext();
        Assert.Equal(0, await read.Messages.CountAsync());
        // No contact is made for an advert: only service messages create one.
        Assert.Equal(1, await read.Clients.CountAsync());
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task APublishThatFails_AfterTheCommit_StillAccepts_TheRowsAreDurableForTheSweep(DatabaseProvider provider)
    {
        // The bus refuses this queue name (reserved by RabbitMQ): every publish throws, as an unreachable broker would.
        await using var world = await CreateAsync(provider, priorityQueue: "amq.reserved");
        await SeedClientsAsync(world, _ => { }, _ => { });

        var result = await world.Submission.SubmitAsync(world.KeyId, null, [Text(0, "ext-0", "code 1"), Text(1, "ext-1", "code 2")], null, "h", default);

        var accepted = Assert.IsType<SubmitResult.Accepted>(result);
        Assert.False(accepted.Replayed);
        Assert.Equal(2, accepted.MessageIds.Count);
        Assert.Equal(0, world.Publisher.Published);
        await using var read = world.Database.CreateContext();
        Assert.Equal(accepted.MessageIds.Order(), (await read.PriorityMessages.Select(p => p.MessageId).ToListAsync()).Order());
        Assert.All(await read.Messages.ToListAsync(), m => Assert.Equal(MessageStatus.Queued, m.Status));
    }

    [Fact]
    public async Task TwoRequestsWithOneKey_TheLoserWaitsOnTheUniqueIndex_ThenAnswersAsTheWinner()
    {
        await using var world = await CreateAsync(DatabaseProvider.Postgres);
        await SeedClientsAsync(world, _ => { });
        // The winner: another node's request, inserted but not yet committed.
        await using var winner = new NpgsqlConnection(world.Database.ConnectionString);
        await winner.OpenAsync();
        await using var tx = await winner.BeginTransactionAsync();
        await using (var insert = new NpgsqlCommand("""
            INSERT INTO "ApiIdempotencyKeys" ("ApiKeyId", "Key", "RequestHash", "ResponseJson", "CreatedAt")
            VALUES (@key, 'order-7', 'h', '{"accepted":1,"winner":true}', @now)
            """, winner, tx))
        {
            insert.Parameters.AddWithValue("key", world.KeyId);
            insert.Parameters.AddWithValue("now", Now);
            await insert.ExecuteNonQueryAsync();
        }

        var loser = world.Submission.SubmitAsync(world.KeyId, null, [Text(0, "ext-0", "code 1")], "order-7", "h", default);
        // The loser's INSERT of the key waits on the winner's uncommitted row (a lock wait), then fails on the unique index.
        await WaitForLockWaitAsync(world.Database.ConnectionString);
        Assert.False(loser.IsCompleted);
        await tx.CommitAsync();

        var replay = Assert.IsType<SubmitResult.Accepted>(await loser.WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.True(replay.Replayed);
        Assert.Equal("""{"accepted":1,"winner":true}""", replay.Json);
        await using var read = world.Database.CreateContext();
        Assert.Equal(0, await read.Messages.CountAsync());
        var key = await read.ApiIdempotencyKeys.SingleAsync();
        Assert.True(key.Id > 0);
        Assert.Equal((world.KeyId, "order-7", "h"), (key.ApiKeyId, key.Key, key.RequestHash));
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task ARequestPastTheDailyQuota_Is429_AndItsRowsAndCountAreRolledBack(DatabaseProvider provider)
    {
        await using var world = await CreateAsync(provider);
        await SeedClientsAsync(world, _ => { }, _ => { });
        var today = DateOnly.FromDateTime(Now);
        await using (var db = world.Database.CreateContext())
        {
            // The day's usage row exists already (an earlier request made it).
            db.ApiKeyUsages.Add(new ApiKeyUsage(world.KeyId, today));
            await db.SaveChangesAsync();
        }

        var over = await world.Submission.SubmitAsync(world.KeyId, 1, [Text(0, "ext-0", "one"), Text(1, "ext-1", "two")], null, "h", default);
        var within = await world.Submission.SubmitAsync(world.KeyId, 1, [Text(0, "ext-0", "one")], null, "h2", default);

        var refused = Assert.IsType<SubmitResult.QuotaExceeded>(over);
        Assert.Equal((1, TimeSpan.FromHours(12)), (refused.Quota, refused.RetryAfter));
        Assert.Single(Assert.IsType<SubmitResult.Accepted>(within).MessageIds);
        await using var read = world.Database.CreateContext();
        var usage = await read.ApiKeyUsages.SingleAsync();
        Assert.Equal((world.KeyId, today, 1), (usage.ApiKeyId, usage.Day, usage.Count));
        Assert.Equal(1, await read.Messages.CountAsync());
    }

    private static async Task WaitForLockWaitAsync(string connectionString)
    {
        var database = new NpgsqlConnectionStringBuilder(connectionString).Database;
        await using var probe = new NpgsqlConnection(connectionString);
        await probe.OpenAsync();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            await using var command = new NpgsqlCommand("SELECT COUNT(*) FROM pg_stat_activity WHERE datname = @db AND wait_event_type = 'Lock'", probe);
            command.Parameters.AddWithValue("db", database!);
            if ((long)(await command.ExecuteScalarAsync())! > 0) return;
            await Task.Delay(20);
        }
        Assert.Fail("the second request never waited on the key's row");
    }
}
