using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Portal.Domain.Messages;

namespace Portal.Infrastructure.Telemetry;

/// <summary>
/// Portal's own instruments (issue 22), one meter named <see cref="MeterName"/>, names and units by
/// the OpenTelemetry conventions (Prometheus shows <c>portal.messages.submitted</c> as
/// <c>portal_messages_submitted_total</c>). Labels are bounded: provider (its name), outcome or
/// status, queue, node; never a campaign or client id, a phone or a text.
/// Static, so the pipeline records with one call and no constructor changes; gauges of one host
/// (queues, connectors, circuits) come from the <see cref="INodeGauges"/> each host registers.
/// </summary>
public static class PortalMetrics
{
    public const string MeterName = "Portal";

    public static readonly Meter Meter = new(MeterName, typeof(PortalMetrics).Assembly.GetName().Version?.ToString());

    private static readonly ConcurrentDictionary<INodeGauges, byte> Nodes = new();

    private static readonly Counter<long> Submitted = Meter.CreateCounter<long>("portal.messages.submitted", "{message}",
        "Messages handed to a provider, by outcome: accepted, rejected, uncertain, not_sent (put back for later).");
    private static readonly Counter<long> Delivered = Meter.CreateCounter<long>("portal.messages.delivered", "{message}",
        "Messages a delivery receipt made Delivered.");
    private static readonly Counter<long> Failed = Meter.CreateCounter<long>("portal.messages.failed", "{message}",
        "Messages a provider refused at submit or a receipt made final other than Delivered, by outcome.");
    private static readonly Counter<long> Parts = Meter.CreateCounter<long>("portal.message.parts", "{part}",
        "SMS parts providers accepted (charged).");
    private static readonly Histogram<double> SubmitDuration = Meter.CreateHistogram("portal.submit.duration", "s",
        "Time from handing a message to a provider to its answer (all parts).",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] });
    private static readonly Counter<long> ReceiptsApplied = Meter.CreateCounter<long>("portal.receipts.applied", "{receipt}",
        "Delivery receipts applied to messages.");
    private static readonly Histogram<double> ReceiptLag = Meter.CreateHistogram("portal.receipt.lag", "s",
        "Time from a message's submit to the receipt that made it final.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 14400, 86400] });
    private static readonly Counter<long> ReceiptsOrphaned = Meter.CreateCounter<long>("portal.receipts.orphaned", "{receipt}",
        "Receipts that matched no message in flight and were kept as orphans.");
    private static readonly UpDownCounter<long> ChunksInFlight = Meter.CreateUpDownCounter<long>("portal.chunks.in_flight", "{chunk}",
        "Chunks a sender of this process is working on.");
    private static readonly Counter<long> Inbound = Meter.CreateCounter<long>("portal.inbound.messages", "{message}",
        "SMS received from clients, by intent (opt_out, opt_in, auto_reply, reply, other).");
    private static readonly Counter<long> OptOuts = Meter.CreateCounter<long>("portal.optouts", "{client}",
        "Clients opted out by a reply.");
    private static readonly Counter<long> ImportRows = Meter.CreateCounter<long>("portal.import.rows", "{row}",
        "Rows of client imports, by outcome (upserted, rejected).");
    private static readonly Counter<long> AlertEscalations = Meter.CreateCounter<long>("portal.alert.escalations", "{escalation}",
        "Employee alerts moved to the next level of their chain (outcome escalated) or ended unconfirmed at its end (outcome exhausted).");
    private static readonly Counter<long> SyncRows = Meter.CreateCounter<long>("portal.sync.rows", "{row}",
        "Rows of scheduled syncs, by outcome (upserted, rejected).");

    static PortalMetrics()
    {
        Meter.CreateObservableGauge("portal.smpp.window.in_use", () => Observe(n => n.WindowInUse()), "{pdu}",
            "submit_sm sent and not yet answered, per provider and node.");
        Meter.CreateObservableGauge("portal.smpp.binds", () => Observe(n => n.BindsUp()), "{bind}",
            "SMPP sessions bound, per provider and node.");
        Meter.CreateObservableCounter("portal.smpp.submit_sm", () => Observe(n => n.SubmitSmSent()), "{pdu}",
            "submit_sm PDUs sent, per provider and node (the denominator of the throttle share).");
        Meter.CreateObservableCounter("portal.smpp.throttled", () => Observe(n => n.Throttled()), "{pdu}",
            "ESME_RTHROTTLED answers, per provider and node.");
        Meter.CreateObservableGauge("portal.provider.circuit.state", () => Observe(n => n.Circuits()), "{state}",
            "Circuit breaker per provider on this node: 0 closed, 1 open, 2 half-open.");
        Meter.CreateObservableGauge("portal.queue.depth", () => Observe(n => n.QueueDepth()), "{message}",
            "Messages ready in a bus queue (sampled).");
        Meter.CreateObservableGauge("portal.queue.dead_letters", () => Observe(n => n.DeadLetters()), "{message}",
            "Messages in a bus queue's dead-letter queue (sampled).");
        Meter.CreateObservableGauge("portal.campaigns.running", () => Observe(n => n.CampaignsRunning()), "{campaign}",
            "Campaigns being sent (sampled from the database).");
        Meter.CreateObservableGauge("portal.node.up", () => Observe(n => n.Up()), "{node}",
            "1 per running node, with its roles (sender: 1 when this node sends).");
    }

    private static IEnumerable<Measurement<long>> Observe(Func<INodeGauges, IEnumerable<Measurement<long>>> read) =>
        Nodes.Keys.SelectMany(read).ToList();

    internal static void Register(INodeGauges node) => Nodes.TryAdd(node, 0);

    internal static void Unregister(INodeGauges node) => Nodes.TryRemove(node, out _);

    /// <summary>Counts a chunk in flight until disposed.</summary>
    public static InFlight ChunkInFlight()
    {
        ChunksInFlight.Add(1);
        return new InFlight();
    }

    public readonly struct InFlight : IDisposable
    {
        public void Dispose() => ChunksInFlight.Add(-1);
    }

    /// <summary>One message's submit: its outcome, parts and how long the provider took.</summary>
    public static void RecordSubmit(string provider, MessageStatus status, bool notSent, int parts, long startedTimestamp)
    {
        var outcome = notSent ? "not_sent" : status switch
        {
            MessageStatus.Submitted => "accepted",
            MessageStatus.Rejected => "rejected",
            MessageStatus.Uncertain => "uncertain",
            _ => "other",
        };
        var tags = new TagList { { "provider", provider }, { "outcome", outcome } };
        Submitted.Add(1, tags);
        SubmitDuration.Record(Stopwatch.GetElapsedTime(startedTimestamp).TotalSeconds, tags);
        if (parts > 0) Parts.Add(parts, new KeyValuePair<string, object?>("provider", provider));
        if (status == MessageStatus.Rejected && !notSent) Failed.Add(1, new TagList { { "provider", provider }, { "outcome", "rejected" } });
    }

    /// <summary>
    /// A receipt that made a message final (its transition from in flight, once per message): delivered
    /// or failed, and the submit-to-receipt lag. The provider is its name (the caller's host resolves it).
    /// </summary>
    public static void RecordFinalReceipt(string provider, MessageStatus status, TimeSpan? lag)
    {
        if (status == MessageStatus.Delivered) Delivered.Add(1, new KeyValuePair<string, object?>("provider", provider));
        else Failed.Add(1, new TagList { { "provider", provider }, { "outcome", status.ToString().ToLowerInvariant() } });
        if (lag is { } l && l >= TimeSpan.Zero) ReceiptLag.Record(l.TotalSeconds, new KeyValuePair<string, object?>("provider", provider));
    }

    public static void RecordReceiptsApplied(int count)
    {
        if (count > 0) ReceiptsApplied.Add(count);
    }

    public static void RecordOrphans(int count)
    {
        if (count > 0) ReceiptsOrphaned.Add(count);
    }

    public static void RecordInbound(string intent, bool optedOut)
    {
        Inbound.Add(1, new KeyValuePair<string, object?>("intent", intent));
        if (optedOut) OptOuts.Add(1);
    }

    /// <summary>One alert escalation step, recorded once its transaction committed.</summary>
    public static void RecordAlertEscalation(bool exhausted) =>
        AlertEscalations.Add(1, new KeyValuePair<string, object?>("outcome", exhausted ? "exhausted" : "escalated"));

    public static void RecordImport(long upserted, long rejected) => Rows(ImportRows, upserted, rejected);

    public static void RecordSync(long upserted, long rejected) => Rows(SyncRows, upserted, rejected);

    private static void Rows(Counter<long> counter, long upserted, long rejected)
    {
        if (upserted > 0) counter.Add(upserted, new KeyValuePair<string, object?>("outcome", "upserted"));
        if (rejected > 0) counter.Add(rejected, new KeyValuePair<string, object?>("outcome", "rejected"));
    }
}
