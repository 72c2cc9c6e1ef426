using System.Collections.Concurrent;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Portal.Infrastructure.Inbound;
using Portal.Infrastructure.Messaging;
using Portal.Infrastructure.Providers;
using Portal.Infrastructure.Sending;
using Portal.Infrastructure.Smpp.Esme;
using Portal.Infrastructure.Smpp.Pdus;
using Portal.Infrastructure.Smpp.Text;

namespace Portal.Tests.Infrastructure.Inbound;

/// <summary>Concatenated MO messages: parts in any order are joined; a missing part does not hold the rest forever.</summary>
public sealed class MoForwarderTests
{
    private readonly InProcessMessageBus _bus = new(new MessagingOptions(), NullLogger<InProcessMessageBus>.Instance);
    private readonly ConcurrentQueue<InboundSms> _published = new();
    private readonly IOptions<SendingOptions> _sending = Options.Create(new SendingOptions { InboundQueue = "mo-" + Guid.NewGuid().ToString("N")[..8] });

    private async Task<(MoForwarder Forwarder, IAsyncDisposable Subscription)> StartAsync(TimeSpan partTimeout)
    {
        var subscription = await _bus.SubscribeAsync<InboundSms>(_sending.Value.InboundQueue, (sms, _) =>
        {
            _published.Enqueue(sms);
            return Task.CompletedTask;
        });
        var forwarder = new MoForwarder(_bus, _sending, Options.Create(new InboundOptions { PartTimeout = partTimeout }), TimeProvider.System, NullLogger<MoForwarder>.Instance);
        return (forwarder, subscription);
    }

    private static MoMessageReceived Part(string from, string text, byte reference, byte total, byte sequence) =>
        new("smsc", new SmeAddress(1, 1, from), new SmeAddress(0, 0, "1234"), text, 8, new ConcatenationInfo(reference, total, sequence));

    private async Task<List<InboundSms>> PublishedAsync(int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (_published.Count < count && DateTime.UtcNow < deadline) await Task.Delay(20);
        return [.. _published];
    }

    [Fact]
    public async Task Parts_OutOfOrderAndInterleaved_AreJoinedPerSenderAndReference()
    {
        var (forwarder, subscription) = await StartAsync(TimeSpan.FromMinutes(1));
        await using var _ = subscription;
        await forwarder.AcceptAsync(1, Part("79160000001", "world", 7, 2, 2));
        await forwarder.AcceptAsync(1, Part("79160000002", "СТОП ", 7, 2, 1));
        await forwarder.AcceptAsync(1, Part("79160000001", "hello ", 7, 2, 1));
        await forwarder.AcceptAsync(1, Part("79160000002", "пожалуйста", 7, 2, 2));
        await forwarder.AcceptAsync(1, new MoMessageReceived("smsc", new SmeAddress(0, 1, "79160000003"), new SmeAddress(0, 0, "1234"), "single", 0, null));

        var published = await PublishedAsync(3);
        Assert.Equal(3, published.Count);
        Assert.Contains(published, p => p is { From: "+79160000001", Text: "hello world", ProviderId: 1 });
        Assert.Contains(published, p => p is { From: "+79160000002", Text: "СТОП пожалуйста" });
        Assert.Contains(published, p => p is { From: "79160000003", Text: "single", To: "1234" });
        Assert.Equal(3, published.Select(p => p.ExternalId).Distinct().Count());
    }

    [Fact]
    public async Task MissingPart_AfterTheTimeout_ThePartsThatCameArePublished()
    {
        var (forwarder, subscription) = await StartAsync(TimeSpan.FromMilliseconds(100));
        await using var _ = subscription;
        await forwarder.AcceptAsync(1, Part("79160000001", "STOP ", 9, 3, 1));
        await forwarder.AcceptAsync(1, Part("79160000001", "now", 9, 3, 3));
        await forwarder.FlushAsync(all: false);
        Assert.Empty(await PublishedAsync(0));

        await Task.Delay(150);
        await forwarder.FlushAsync(all: false);
        var sms = Assert.Single(await PublishedAsync(1));
        Assert.Equal("STOP now", sms.Text);
        Assert.Equal(1, forwarder.TimedOut);
    }
}
