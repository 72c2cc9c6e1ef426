using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Portal.Domain.Providers;
using Portal.Infrastructure.Messaging;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Providers;
using Portal.Infrastructure.Sending;
using Portal.Tests.Infrastructure.Providers;
using Portal.Tests.Support;

namespace Portal.Tests.Infrastructure.Http;

/// <summary>
/// The real host with sending off on this node, so what the callback endpoints publish stays on
/// the bus for the test to read: one generic HTTP provider (default field names) and one SMPP one.
/// </summary>
public sealed class CallbackAppFixture : IAsyncLifetime
{
    public const string Secret = "generic-callback-secret-42";
    private readonly List<IAsyncDisposable> _subscriptions = [];

    public PortalAppFactory App { get; } = new(DatabaseProvider.Sqlite, demoClients: 0)
    {
        Settings =
        {
            ["Sending:Enabled"] = "false",
            ["Sending:EmbeddedSimulator"] = "false",
            ["Scheduling:Enabled"] = "false",
        },
    };

    public int ProviderId { get; private set; }
    public int SmppProviderId { get; private set; }
    public ConcurrentQueue<ReceiptItem> Receipts { get; } = new();
    public ConcurrentQueue<InboundSms> Inbound { get; } = new();

    public async Task InitializeAsync()
    {
        await App.StartAsync();
        var store = App.Services.GetRequiredService<ProviderStore>();
        ProviderId = await store.CreateAsync(ProviderHarness.Admin, new ProviderDraft
        {
            Name = "Gateway",
            Kind = ProviderKind.Http,
            Http = new HttpProviderDraft { UrlTemplate = "http://127.0.0.1:9/send", BodyTemplate = """{"to":"{to}","text":"{text}"}""" },
            CallbackSecret = Secret,
        }, default);
        SmppProviderId = await store.CreateAsync(ProviderHarness.Admin, ProviderHarness.Smpp("Smpp", 2775, "sys", "pw", 0.1m), default);
        var bus = App.Services.GetRequiredService<IMessageBus>();
        var options = App.Services.GetRequiredService<IOptions<SendingOptions>>().Value;
        _subscriptions.Add(await bus.SubscribeAsync<ReceiptBatch>(options.ReceiptQueue, (batch, _) =>
        {
            foreach (var item in batch.Items) Receipts.Enqueue(item);
            return Task.CompletedTask;
        }));
        _subscriptions.Add(await bus.SubscribeAsync<InboundSms>(options.InboundQueue, (sms, _) =>
        {
            Inbound.Enqueue(sms);
            return Task.CompletedTask;
        }));
    }

    /// <summary>The receipts for our message id <paramref name="messageId"/> that reached the bus within <paramref name="wait"/>.</summary>
    public async Task<IReadOnlyList<ReceiptItem>> ReceiptsForAsync(long messageId, TimeSpan? wait = null)
    {
        var deadline = DateTime.UtcNow + (wait ?? TimeSpan.FromSeconds(5));
        while (!Receipts.Any(r => r.MessageId == messageId) && DateTime.UtcNow < deadline) await Task.Delay(20);
        return Receipts.Where(r => r.MessageId == messageId).ToList();
    }

    public async Task DisposeAsync()
    {
        foreach (var subscription in _subscriptions) await subscription.DisposeAsync();
        await App.DisposeAsync();
    }
}
