using Portal.Infrastructure.Smpp.Pdus;
using Portal.Infrastructure.Smpp.Receipts;
using Portal.Infrastructure.Smpp.Text;

namespace Portal.Infrastructure.Smpp.Esme;

/// <summary>One SMPP provider: where to connect, how many binds, and how hard to push.</summary>
public sealed class SmppConnectorOptions
{
    /// <summary>Provider name used in logs.</summary>
    public string Name { get; set; } = "smpp";

    public string Host { get; set; } = "127.0.0.1";
    public int Port { get; set; } = 2775;
    public string SystemId { get; set; } = string.Empty;
    public string Password { get; set; } = string.Empty;
    public string SystemType { get; set; } = string.Empty;
    public BindMode BindMode { get; set; } = BindMode.Transceiver;

    /// <summary>Simultaneous binds (TCP connections) of <see cref="BindMode"/> to this provider.</summary>
    public int Binds { get; set; } = 1;

    /// <summary>
    /// Extra bind_receiver connections, for providers that deliver receipts and MO only on a
    /// receiver bind next to transmitter binds. They share this connector's receipt matching.
    /// </summary>
    public int ReceiverBinds { get; set; }

    /// <summary>
    /// Outbind (SMPP 3.4 2.2.1): listen on this TCP port for the SMSC to connect and send outbind with
    /// <see cref="SystemId"/> and <see cref="Password"/>; the connection then binds as receiver for
    /// receipts and MO. 0: off.
    /// </summary>
    public int OutbindPort { get; set; }

    /// <summary>The local address the outbind listener binds to (default any).</summary>
    public string OutbindAddress { get; set; } = "0.0.0.0";

    /// <summary>Outstanding requests per bind.</summary>
    public int WindowSize { get; set; } = 100;

    /// <summary>
    /// Cap on submit_sm PDUs per second across all binds (a 3-part SMS counts 3); null means none.
    /// Below the cap the connector learns the rate the SMSC accepts from its throttle answers (ADR 0005).
    /// </summary>
    public int? MaxPartsPerSecond { get; set; }

    public LongMessageMethod LongMessageMethod { get; set; } = LongMessageMethod.Udh;

    public MessageIdMatching MessageIdMatching { get; set; } = new();

    /// <summary>A request without a response after this long is given up: its message becomes uncertain.</summary>
    public TimeSpan ResponseTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a timed-out submit_sm is remembered so a late response can still resolve it.</summary>
    public TimeSpan LateResponseRetention { get; set; } = TimeSpan.FromMinutes(5);

    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>enquire_link after this much silence from the SMSC.</summary>
    public TimeSpan EnquireLinkInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>First reconnect delay; doubles per failed attempt up to <see cref="MaxReconnectDelay"/>.</summary>
    public TimeSpan ReconnectDelay { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxReconnectDelay { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long SubmitAsync waits for any bind to be up; after that the message is rejected as not sent.</summary>
    public TimeSpan BindWaitTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan UnbindTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long submitted ids are kept in memory for receipt matching (about 120 bytes each). Receipts
    /// arriving later come out of <see cref="SmppConnector.Inbound"/> unmatched, with their normalised
    /// id, for the caller to match against its store. A receipt whose id is not known yet (it overtook
    /// its submit_sm_resp, or the message was sent by another process) is held for
    /// <see cref="ResponseTimeout"/> at most, then handed over unmatched.
    /// </summary>
    public TimeSpan ReceiptRetention { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Register submitted ids for in-memory receipt matching (off for fire-and-forget benchmarks).</summary>
    public bool MatchReceipts { get; set; } = true;

    /// <summary>Capacity of <see cref="SmppConnector.Inbound"/>; a full channel holds deliver_sm_resp back (back-pressure).</summary>
    public int InboundCapacity { get; set; } = 10_000;

    /// <summary>
    /// deliver_sm_resp (data_sm_resp) for a receipt or MO message goes back only once the reader of
    /// <see cref="SmppConnector.Inbound"/> has called <see cref="InboundMessage.Acknowledge"/> on
    /// it (published with confirms, issue 13): a crash before that leaves it unacknowledged and the
    /// SMSC delivers it again after reconnecting. Off: answered as soon as it is in the channel.
    /// </summary>
    public bool DurableAcknowledgements { get; set; }

    public int MaxPduLength { get; set; } = PduCodec.DefaultMaxPduLength;

    internal void Validate()
    {
        if (Binds < 1) throw new ArgumentOutOfRangeException(nameof(Binds), "At least one bind");
        if (ReceiverBinds < 0) throw new ArgumentOutOfRangeException(nameof(ReceiverBinds));
        if (WindowSize < 1) throw new ArgumentOutOfRangeException(nameof(WindowSize), "Window must be at least 1");
        if (MaxPartsPerSecond is < 1) throw new ArgumentOutOfRangeException(nameof(MaxPartsPerSecond));
        if (OutbindPort is < 0 or > 65535) throw new ArgumentOutOfRangeException(nameof(OutbindPort), "Outbind port must be 0 (off) to 65535");
        if (OutbindPort > 0 && !System.Net.IPAddress.TryParse(OutbindAddress, out _)) throw new ArgumentException("Outbind address must be an IP address", nameof(OutbindAddress));
        if (string.IsNullOrEmpty(Host)) throw new ArgumentException("Host is required", nameof(Host));
    }
}
