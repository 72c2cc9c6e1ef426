using System.Net;
using Portal.Infrastructure.Smpp.Pdus;
using Portal.Infrastructure.Smpp.Receipts;
using Portal.Infrastructure.Smpp.Text;

namespace Portal.Infrastructure.Smpp.Simulator;

/// <summary>Relative weights of receipt outcomes; the default delivers everything.</summary>
public sealed record ReceiptOutcomeMix(double Delivered = 1, double Undeliverable = 0, double Expired = 0, double Rejected = 0)
{
    internal MessageState Pick(double roll)
    {
        var total = Delivered + Undeliverable + Expired + Rejected;
        if (total <= 0) return MessageState.Delivered;
        var x = roll * total;
        if ((x -= Delivered) < 0) return MessageState.Delivered;
        if ((x -= Undeliverable) < 0) return MessageState.Undeliverable;
        if ((x -= Expired) < 0) return MessageState.Expired;
        return MessageState.Rejected;
    }
}

/// <summary>Faults the simulator injects. Rates are probabilities per submit_sm (0..1).</summary>
public sealed class SmscFaults
{
    /// <summary>Answer submit_sm with ESME_RTHROTTLED (0x58).</summary>
    public double ThrottleRate { get; set; }

    /// <summary>Answer submit_sm with ESME_RMSGQFUL (0x14).</summary>
    public double QueueFullRate { get; set; }

    /// <summary>Answer submit_sm with generic_nack.</summary>
    public double GenericNackRate { get; set; }

    /// <summary>Never answer the submit_sm (the message is still accepted and gets a receipt).</summary>
    public double NoResponseRate { get; set; }

    /// <summary>Close the connection abruptly on every Nth request PDU received (0 = never).</summary>
    public int DropConnectionEveryPdus { get; set; }

    /// <summary>Send each receipt twice with this probability.</summary>
    public double DuplicateReceiptRate { get; set; }

    /// <summary>Send the receipt before the submit_sm_resp (transceiver binds).</summary>
    public bool ReceiptBeforeResponse { get; set; }

    /// <summary>
    /// The operator's contracted rate: submit_sm above this many per second (over all binds) are
    /// answered ESME_RTHROTTLED, as real SMSCs do (issue 12). A token bucket refilled continuously
    /// with <see cref="ContractedBurst"/> of the rate as its depth. May be changed while running
    /// (a limit that doubles or halves mid-run). Null = no limit.
    /// </summary>
    public int? ContractedRate { get; set; }

    /// <summary>Depth of the contracted-rate bucket as a share of one second's rate (0.1 = 100 ms of traffic).</summary>
    public double ContractedBurst { get; set; } = 0.1;

    /// <summary>
    /// Added to the receipt's "submit date" and "done date": an SMSC reporting in its own time zone
    /// or with a clock that is off (issue 12). Portal must not take it as the delivery time.
    /// </summary>
    public TimeSpan ReceiptClockOffset { get; set; }
}

public sealed class SmscSimulatorOptions
{
    /// <summary>Listen address; loopback by default (tests and the embedded default never leave the host).</summary>
    public IPAddress Address { get; set; } = IPAddress.Loopback;

    /// <summary>0 picks a free port; see the endpoint returned by StartAsync.</summary>
    public int Port { get; set; }

    /// <summary>system_id -> password. Empty accepts any credentials.</summary>
    public Dictionary<string, string> Credentials { get; set; } = new(StringComparer.Ordinal);

    /// <summary>system_id the simulator returns in bind_*_resp.</summary>
    public string SystemId { get; set; } = "PortalSim";

    /// <summary>Delay before each submit_sm_resp.</summary>
    public TimeSpan ResponseLatency { get; set; } = TimeSpan.Zero;

    /// <summary>Delay between accepting a message and its receipt.</summary>
    public TimeSpan ReceiptDelay { get; set; } = TimeSpan.FromMilliseconds(20);

    public ReceiptOutcomeMix Outcomes { get; set; } = new();

    /// <summary>
    /// Picks the receipt state of each accepted part from its concatenation info (null for a
    /// one-part message); null from it falls back to <see cref="Outcomes"/>. Lets a test fail one
    /// chosen part of a long message, or answer Unknown.
    /// </summary>
    public Func<ConcatenationInfo?, MessageState?>? ReceiptState { get; set; }

    /// <summary>Also carry receipted_message_id / message_state / network_error_code TLVs, not only the text.</summary>
    public bool ReceiptTlvs { get; set; } = true;

    /// <summary>How submit_sm_resp message ids look (hex ids are zero-padded to 8 digits).</summary>
    public MessageIdRadix MessageIdFormat { get; set; } = MessageIdRadix.Hex;

    /// <summary>How the receipt's "id:" looks; differs from <see cref="MessageIdFormat"/> on some real SMSCs.</summary>
    public MessageIdRadix ReceiptIdFormat { get; set; } = MessageIdRadix.Hex;

    public SmscFaults Faults { get; set; } = new();

    /// <summary>Send enquire_link to bound ESMEs this often (null = never).</summary>
    public TimeSpan? EnquireLinkInterval { get; set; }

    /// <summary>Keep accepted messages in memory (tests, query_sm). Off for long benchmark runs.</summary>
    public bool KeepMessages { get; set; }

    /// <summary>Seed for the fault and outcome dice; null for a random seed.</summary>
    public int? Seed { get; set; }

    public int MaxPduLength { get; set; } = PduCodec.DefaultMaxPduLength;

    /// <summary>
    /// Issue 18 (the training sandbox's inbox practice): asked once per accepted message (its first
    /// part) with the destination in E.164 and the text; a non-null answer comes back after
    /// <see cref="ReplyDelay"/> as a mobile-originated deliver_sm from that destination, redelivered
    /// until acknowledged, like a real subscriber's reply ("STOP" included).
    /// </summary>
    public Func<string, string, string?>? AutoReply { get; set; }

    public TimeSpan ReplyDelay { get; set; } = TimeSpan.FromMilliseconds(300);
}
