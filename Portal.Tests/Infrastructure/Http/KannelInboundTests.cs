using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Portal.Domain.Providers;
using Portal.Infrastructure.Messaging;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Providers;
using Portal.Infrastructure.Sending;
using Portal.Infrastructure.Smpp.Pdus;
using Portal.Infrastructure.Smpp.Simulator;
using Portal.Tests.Infrastructure.Providers;
using Portal.Tests.Support;

namespace Portal.Tests.Infrastructure.Http;

/// <summary>
/// An SMS a client sends reaches Portal through Kannel: simulator deliver_sm → Kannel's
/// sms-service get-url → the inbound endpoint → the inbound queue. Sending is off on this host
/// (its own queue name too), so the test reads the queue itself.
/// </summary>
public sealed class KannelInboundTests : IAsyncLifetime
{
    private const string Secret = "kannel-inbound-secret-0042";
    private readonly SmscSimulator _simulator = new(new SmscSimulatorOptions { Credentials = { ["kannel"] = "kpw" } });
    private readonly ConcurrentQueue<InboundSms> _inbound = new();
    private readonly PortalAppFactory _app = new(DatabaseProvider.Sqlite, demoClients: 0)
    {
        Settings =
        {
            ["Sending:Enabled"] = "false",
            ["Sending:EmbeddedSimulator"] = "false",
            ["Sending:InboundQueue"] = "kannel-inbound-" + Guid.NewGuid().ToString("N")[..8],
            ["Scheduling:Enabled"] = "false",
        },
    };
    private KannelProcess? _kannel;
    private IAsyncDisposable? _subscription;

    public async Task InitializeAsync()
    {
        var smsc = await _simulator.StartAsync();
        await _app.StartAsync(kestrel: true);
        var providerId = await _app.Services.GetRequiredService<ProviderStore>().CreateAsync(ProviderHarness.Admin, new ProviderDraft
        {
            Name = "Kannel inbound",
            Kind = ProviderKind.Http,
            Http = HttpProviderDraft.From(HttpProviderSettings.Kannel()),
            CallbackSecret = Secret,
        }, default);
        var bus = _app.Services.GetRequiredService<IMessageBus>();
        var queue = _app.Services.GetRequiredService<IOptions<SendingOptions>>().Value.InboundQueue;
        _subscription = await bus.SubscribeAsync<InboundSms>(queue, (sms, _) =>
        {
            _inbound.Enqueue(sms);
            return Task.CompletedTask;
        });
        var url = _app.Services.GetRequiredService<ProviderCallbackUrls>().Inbound(providerId);
        _kannel = await KannelProcess.StartAsync(smsc.Port, "kannel", "kpw", $"{url}?token={ProviderCallbacks.UrlToken(Secret, ProviderCallbacks.InboundScope(providerId))}&from=%p&to=%P&text=%b&id=%I");
    }

    [Theory]
    [InlineData("STOP  please &=?")]
    [InlineData("Отписаться от рассылки")]
    public async Task ClientSms_ThroughKannel_ReachesTheInboundQueue(string text)
    {
        Assert.Equal(CommandStatus.Ok, await _simulator.InjectMoAsync("+79167778899", "4545", text));

        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (_inbound.IsEmpty && DateTime.UtcNow < deadline) await Task.Delay(50);
        Assert.True(_inbound.Count == 1, $"{_inbound.Count} inbound SMS on the queue.\n{_kannel!.LogTail()}");
        var sms = _inbound.Single();
        Assert.Equal("+79167778899", sms.From);
        // The simulator addresses the short code as international (TON 1), so Kannel writes it with a '+'.
        Assert.Equal("4545", sms.To.TrimStart('+'));
        Assert.Equal(text, sms.Text);
        Assert.False(string.IsNullOrEmpty(sms.ExternalId));
    }

    public async Task DisposeAsync()
    {
        if (_subscription is not null) await _subscription.DisposeAsync();
        if (_kannel is not null) await _kannel.DisposeAsync();
        await _app.DisposeAsync();
        await _simulator.DisposeAsync();
    }
}
