using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Portal.Domain.Campaigns;
using Portal.Domain.Clients;
using Portal.Domain.Integrations;
using Portal.Domain.Messages;
using Portal.Infrastructure.MessagesApi;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Sending;
using Portal.Tests.Infrastructure.Sending;
using Portal.Tests.Support;

namespace Portal.Tests.Infrastructure.MessagesApi;

/// <summary>
/// Issue 21: the status-callback outbox and its sender on the paths the API tests do not take:
/// receipts matched by the provider's message id, receivers that answer an error or cannot be
/// reached, a secret this node cannot decrypt, running out of attempts, and a loop that survives a
/// failing database. Real databases of both providers and a receiver on 127.0.0.1.
/// </summary>
public sealed class StatusCallbackEdgeTests
{
    private static readonly DateTime Now = new(2026, 11, 25, 12, 0, 0, DateTimeKind.Utc);

    private sealed class FixedClock : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => new(Now);
    }

    private sealed class PlainHttp : IHttpClientFactory
    {
        public HttpClient CreateClient(string name) => new() { Timeout = TimeSpan.FromSeconds(10) };
    }

    /// <summary>A callback receiver on 127.0.0.1 answering 500 to everything, counting the requests.</summary>
    private sealed class FailingReceiver : IAsyncDisposable
    {
        private readonly WebApplication _app;
        public ConcurrentQueue<string> Signatures { get; } = new();

        private FailingReceiver(WebApplication app) => _app = app;

        public string Url => _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/cb";

        public static async Task<FailingReceiver> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
            var app = builder.Build();
            var receiver = new FailingReceiver(app);
            app.MapPost("/cb", (HttpContext http) =>
            {
                receiver.Signatures.Enqueue(http.Request.Headers[StatusCallbackService.SignatureHeader].ToString());
                return Results.StatusCode(500);
            });
            await app.StartAsync();
            return receiver;
        }

        public async ValueTask DisposeAsync() => await _app.DisposeAsync();
    }

    /// <summary>A loopback port nobody listens on: connecting is refused at once.</summary>
    private static int ClosedPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private static int _seeded;

    private static readonly CallbackSecrets Secrets = new(new EphemeralDataProtectionProvider());

    /// <summary>A key with a callback URL, a client, and one API message per status, with provider message ids pm-0, pm-1, ...</summary>
    private static async Task<(int KeyId, int ProviderId, List<long> MessageIds)> SeedAsync(TestDatabase database, string callbackUrl, string? protectedSecret,
        params MessageStatus[] statuses)
    {
        var n = Interlocked.Increment(ref _seeded);
        await using var db = database.CreateContext();
        var key = new ApiKey("CRM", $"crm{n:D5}", new string('0', 64), [ApiScopes.MessagesSend], 100, "admin", Now);
        key.ConfigureMessaging(null, callbackUrl, protectedSecret);
        var provider = new Portal.Domain.Providers.SmsProvider($"Main {n}", Portal.Domain.Providers.ProviderKind.Smpp,
            new Portal.Infrastructure.Providers.ProviderSettings { Host = "127.0.0.1", Port = 1 }.ToJson());
        var client = new Client(PhoneNumber.Parse($"+7901{n:D7}"), "Cb", null, Now);
        db.AddRange(key, provider, client);
        await db.SaveChangesAsync();
        var messages = statuses.Select((s, i) => new Message(null, client.Id, client.Phone, Now)
        {
            Status = s, ProviderId = provider.Id, ProviderMessageId = "pm-" + i, Parts = 1, Cost = 0.5m,
        }).ToList();
        db.Messages.AddRange(messages);
        await db.SaveChangesAsync();
        db.PriorityMessages.AddRange(messages.Select(m => new PriorityMessage(m.Id, PrioritySource.Api, key.Id, "hi", "Portal", null,
            MessagePurpose.Service, Now.AddDays(1), null, Now)));
        await db.SaveChangesAsync();
        return (key.Id, provider.Id, messages.Select(m => m.Id).ToList());
    }

    private static StatusCallbackService Service(TestDatabase database, MessagesApiOptions options, ILogger<StatusCallbackService>? logger = null) =>
        new(database.Factory, new PlainHttp(), Secrets, new FixedClock(), Options.Create(options), Options.Create(new SendingOptions()),
            logger ?? NullLogger<StatusCallbackService>.Instance);

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task ReceiptsByProviderId_QueueOneCallbackPerReportableStatus_RepeatsInsertNothing(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var (keyId, providerId, ids) = await SeedAsync(database, "http://127.0.0.1:1/cb", Secrets.Protect("s"),
            MessageStatus.Delivered, MessageStatus.Queued, MessageStatus.Undeliverable);
        var outbox = new StatusCallbackOutbox(new FixedClock());

        await using (var db = database.CreateContext())
        {
            await db.Database.OpenConnectionAsync();
            var connection = db.Database.GetDbConnection();
            var keys = new[] { (providerId, "pm-0"), (providerId, "pm-1"), (providerId, "pm-2"), (providerId, "pm-0"), (providerId + 1, "pm-0") };
            await outbox.EnqueueByProviderIdsAsync(connection, keys, default);
            // A duplicate receipt: the unique (MessageId, Status) index keeps one row each.
            await outbox.EnqueueByProviderIdsAsync(connection, keys, default);
            await outbox.EnqueueByProviderIdsAsync(connection, [], default);
        }

        await using var read = database.CreateContext();
        var rows = await read.StatusCallbacks.OrderBy(c => c.MessageId).ToListAsync();
        Assert.Equal([(ids[0], MessageStatus.Delivered), (ids[2], MessageStatus.Undeliverable)], rows.Select(r => (r.MessageId, r.Status)));
        Assert.All(rows, r =>
        {
            Assert.Equal(keyId, r.ApiKeyId);
            Assert.Equal((0, Now, Now), (r.Attempts, r.CreatedAt, r.NextAttemptAt));
            Assert.Null(r.DeliveredAt);
            Assert.Null(r.AbandonedAt);
            Assert.Null(r.LastError);
        });
        Assert.NotEqual(rows[0].Id, rows[1].Id);
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task AReceiverAnswering500_OrUnreachable_IsRetriedWithBackOff_ThenAbandoned(DatabaseProvider provider)
    {
        await using var receiver = await FailingReceiver.StartAsync();
        await using var database = await TestDatabase.CreateAsync(provider);
        var (keyId, _, ids) = await SeedAsync(database, receiver.Url, Secrets.Protect("s3cret"), MessageStatus.Delivered);
        var (deadKeyId, _, deadIds) = await SeedAsync(database, $"http://127.0.0.1:{ClosedPort()}/cb", Secrets.Protect("s3cret"), MessageStatus.Delivered);
        await using (var db = database.CreateContext())
        {
            db.StatusCallbacks.Add(new StatusCallback(keyId, ids[0], MessageStatus.Delivered, Now.AddMinutes(-1)));
            db.StatusCallbacks.Add(new StatusCallback(deadKeyId, deadIds[0], MessageStatus.Delivered, Now.AddMinutes(-1)) { Attempts = 2 });
            await db.SaveChangesAsync();
        }
        var service = Service(database, new MessagesApiOptions { CallbackFirstRetry = TimeSpan.FromSeconds(2), CallbackMaxAttempts = 3 });

        Assert.Equal(2, await service.RunOnceAsync(default));

        await using var read = database.CreateContext();
        var failed = await read.StatusCallbacks.SingleAsync(c => c.ApiKeyId == keyId);
        Assert.Equal(("HTTP 500", 1, Now.AddSeconds(2)), (failed.LastError, failed.Attempts, failed.NextAttemptAt));
        Assert.Null(failed.AbandonedAt);
        Assert.StartsWith("sha256=", Assert.Single(receiver.Signatures));
        // The third attempt of the unreachable one was its last: abandoned, with the connection's error kept.
        var dead = await read.StatusCallbacks.SingleAsync(c => c.ApiKeyId == deadKeyId);
        Assert.Equal((3, Now), (dead.Attempts, dead.AbandonedAt));
        Assert.Equal(Now.AddSeconds(8), dead.NextAttemptAt);
        Assert.False(string.IsNullOrEmpty(dead.LastError));
        Assert.False(dead.LastError!.StartsWith("HTTP ", StringComparison.Ordinal), dead.LastError);
        Assert.Equal(0, service.Delivered);
        // Neither is due again yet.
        Assert.Equal(0, await service.RunOnceAsync(default));
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task ASecretThisNodeCannotDecrypt_IsNeverSent_AndSaysWhy(DatabaseProvider provider)
    {
        await using var receiver = await FailingReceiver.StartAsync();
        await using var database = await TestDatabase.CreateAsync(provider);
        // Protected by another node's keys (here: not protected at all).
        var (keyId, _, ids) = await SeedAsync(database, receiver.Url, "CfDJ8-not-a-protected-payload", MessageStatus.Expired);
        await using (var db = database.CreateContext())
        {
            db.StatusCallbacks.Add(new StatusCallback(keyId, ids[0], MessageStatus.Expired, Now));
            await db.SaveChangesAsync();
        }
        Assert.Null(Secrets.TryUnprotect("CfDJ8-not-a-protected-payload"));

        Assert.Equal(1, await Service(database, new MessagesApiOptions()).RunOnceAsync(default));

        await using var read = database.CreateContext();
        var row = await read.StatusCallbacks.SingleAsync();
        Assert.Equal(("the key's callback secret cannot be decrypted on this node", 1), (row.LastError, row.Attempts));
        Assert.Empty(receiver.Signatures);
    }

    [Fact]
    public async Task TheLoop_LogsADatabaseFailure_AndKeepsTicking_UntilStopped()
    {
        // An empty database: every pass fails on the missing table.
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite, migrate: false);
        var lines = new ConcurrentQueue<string>();
        using var logs = new LoggerFactory([new CapturingLoggerProvider(lines)]);
        var service = Service(database, new MessagesApiOptions { CallbackInterval = TimeSpan.FromMilliseconds(50) }, logs.CreateLogger<StatusCallbackService>());

        await service.StartAsync(default);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (lines.Count(l => l.Contains("Status callbacks failed; retried on the next tick")) < 2 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }
        await service.StopAsync(default);

        Assert.True(lines.Count(l => l.StartsWith("Error") && l.Contains("Status callbacks failed; retried on the next tick")) >= 2, string.Join("\n", lines));
        Assert.True(service.ExecuteTask!.IsCompletedSuccessfully);
    }
}
