using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Infrastructure.Messaging;
using Portal.Infrastructure.Providers;
using Portal.Infrastructure.Sending;
using Portal.Infrastructure.Smpp.Esme;
using Portal.Infrastructure.Smpp.Pdus;

namespace Portal.Infrastructure.Inbound;

/// <summary>
/// Turns the connectors' MO messages into <see cref="InboundSms"/> on the inbound queue. Parts of
/// a concatenated MO (UDH or SAR, TS 23.040 9.2.3.24.1) are held until all arrived, keyed by
/// provider, sender, recipient and reference; after <see cref="InboundOptions.PartTimeout"/> the
/// parts that came are published in order, so a STOP in the first part is never lost to a part
/// the network dropped. Each published SMS gets a fresh external id, so a redelivery of the same
/// bus message is stored once.
/// </summary>
public sealed class MoForwarder(IMessageBus bus, IOptions<SendingOptions> sending, IOptions<InboundOptions> options, TimeProvider clock, ILogger<MoForwarder> logger) : IMoSink
{
    private readonly record struct PartKey(int ProviderId, string From, string To, ushort Reference, byte Total);

    private sealed class Pending(MoMessageReceived first, DateTime receivedAt, long startedAt)
    {
        public MoMessageReceived First { get; } = first;
        public DateTime ReceivedAt { get; } = receivedAt;
        public long StartedAt { get; } = startedAt;
        public string?[] Parts { get; } = new string?[Math.Max((int)first.Part!.Value.Total, 1)];

        /// <summary>The deliveries of the parts so far: each part's deliver_sm_resp waits until the whole is published.</summary>
        public List<MoMessageReceived> Sources { get; } = [];
    }

    private readonly Dictionary<PartKey, Pending> _pending = [];
    private readonly Lock _lock = new();

    public long Forwarded;
    public long TimedOut;

    /// <summary>Called by the provider's pump for every MO message; returns once a complete one is on the bus.</summary>
    public async ValueTask AcceptAsync(int providerId, MoMessageReceived mo)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        if (mo.Part is not { Total: > 1 } part || part.Sequence < 1 || part.Sequence > part.Total)
        {
            await PublishAsync(ToSms(providerId, mo, mo.Text, now));
            // On the bus (publisher confirms): only now may the SMSC forget it (issue 13).
            mo.Acknowledge();
            return;
        }
        string? whole = null;
        DateTime receivedAt;
        List<MoMessageReceived>? sources = null;
        lock (_lock)
        {
            var key = new PartKey(providerId, mo.From.Value, mo.To.Value, part.Reference, part.Total);
            if (!_pending.TryGetValue(key, out var pending))
            {
                _pending[key] = pending = new Pending(mo, now, clock.GetTimestamp());
            }
            pending.Parts[part.Sequence - 1] = mo.Text;
            pending.Sources.Add(mo);
            receivedAt = pending.ReceivedAt;
            if (pending.Parts.All(p => p is not null))
            {
                _pending.Remove(key);
                whole = string.Concat(pending.Parts);
                sources = pending.Sources;
            }
        }
        if (whole is not null)
        {
            await PublishAsync(ToSms(providerId, mo, whole, receivedAt));
            foreach (var source in sources!) source.Acknowledge();
        }
    }

    /// <summary>Publishes incomplete messages older than the part timeout, once a second, until cancelled; then what is left.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await timer.WaitForNextTickAsync(ct)) await FlushAsync(all: false);
        }
        catch (OperationCanceledException)
        {
        }
        await FlushAsync(all: true);
    }

    internal async Task FlushAsync(bool all)
    {
        List<(PartKey Key, Pending Pending)> due;
        lock (_lock)
        {
            due = _pending.Where(p => all || clock.GetElapsedTime(p.Value.StartedAt) >= options.Value.PartTimeout)
                .Select(p => (p.Key, p.Value)).ToList();
            foreach (var d in due) _pending.Remove(d.Key);
        }
        foreach (var (key, pending) in due)
        {
            Interlocked.Increment(ref TimedOut);
            logger.LogWarning("MO message from provider {ProviderId}: {Got} of {Total} parts arrived; published as is",
                key.ProviderId, pending.Parts.Count(p => p is not null), key.Total);
            await PublishAsync(ToSms(key.ProviderId, pending.First, string.Concat(pending.Parts.Where(p => p is not null)), pending.ReceivedAt));
            foreach (var source in pending.Sources) source.Acknowledge();
        }
    }

    private static InboundSms ToSms(int providerId, MoMessageReceived mo, string text, DateTime receivedAt) =>
        new(providerId, Sender(mo.From), mo.To.Value, text, receivedAt, "smpp:" + Guid.NewGuid().ToString("N"));

    /// <summary>An international address (TON 1, SMPP 3.4 5.2.5) is E.164 without the "+".</summary>
    private static string Sender(SmeAddress from) =>
        from.Ton == 1 && !from.Value.StartsWith('+') ? "+" + from.Value : from.Value;

    private async Task PublishAsync(InboundSms sms)
    {
        while (true)
        {
            try
            {
                await bus.PublishAsync(sending.Value.InboundQueue, sms);
                Interlocked.Increment(ref Forwarded);
                return;
            }
            catch (Exception e) when (e is MessagePublishException or IOException or InvalidOperationException)
            {
                // An opt-out must not be dropped: hold the pump (the connector refuses further
                // deliveries with ESME_RX_T_APPN once its channel fills) and retry.
                logger.LogWarning("Publishing an inbound SMS failed, retrying: {Error}", e.Message);
                await Task.Delay(TimeSpan.FromSeconds(1));
            }
        }
    }
}
