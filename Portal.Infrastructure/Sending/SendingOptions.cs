using System.ComponentModel.DataAnnotations;

namespace Portal.Infrastructure.Sending;

/// <summary>Configuration section "Sending": the dispatch pipeline on this node.</summary>
public sealed class SendingOptions
{
    public const string Section = "Sending";

    /// <summary>Whether this node consumes chunks and receipts (a UI-only node turns it off).</summary>
    public bool Enabled { get; set; } = true;

    [Required]
    public string ChunkQueue { get; set; } = "portal.dispatch";
    [Required]
    public string ReceiptQueue { get; set; } = "portal.receipts";
    [Required]
    public string InboundQueue { get; set; } = "portal.inbound";

    /// <summary>The priority lane (ADR 0010): API-sent service messages and employee alarms, consumed ahead of chunks.</summary>
    [Required]
    public string PriorityQueue { get; set; } = "portal.priority";

    /// <summary>Priority batches processed at once on this node (each submits all its messages concurrently).</summary>
    [Range(1, 256)]
    public int PriorityConcurrency { get; set; } = 8;

    /// <summary>Submits in flight per provider on this node (see <see cref="PriorityLane"/>).</summary>
    [Range(1, 100000)]
    public int PrioritySlots { get; set; } = 64;

    /// <summary>Share of <see cref="PrioritySlots"/> campaigns cannot take while priority messages wait (0 to 1).</summary>
    [Range(0.0, 1.0)]
    public double PriorityReservedShare { get; set; } = 0.5;

    /// <summary>Priority messages still Queued this long after acceptance (their bus message lost) are published again by the sweeper.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "3650.00:00:00", ErrorMessage = "{0} must be a positive time span.")]
    public TimeSpan PriorityStalledAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Messages per chunk (one bus message each).</summary>
    [Range(1, 100000)]
    public int ChunkSize { get; set; } = 1000;

    /// <summary>Messages claimed and submitted together inside a chunk: the most a crash can leave in flight.</summary>
    [Range(1, 10000)]
    public int BatchSize { get; set; } = 250;

    /// <summary>Chunks delivered to this node and not yet acknowledged (bounded prefetch).</summary>
    [Range(1, 1000)]
    public int Prefetch { get; set; } = 4;

    /// <summary>Chunks processed at once on this node.</summary>
    [Range(1, 256)]
    public int Concurrency { get; set; } = 2;

    /// <summary>Frequency cap: a client who already got this many campaign messages in the last 24 h is left out. Null: no cap.</summary>
    [Range(1, int.MaxValue)]
    public int? MaxMessagesPerClientPerDay { get; set; }

    /// <summary>How long a sender trusts its copy of a campaign's status: pause takes effect within this plus one submit.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "3650.00:00:00", ErrorMessage = "{0} must be a positive time span.")]
    public TimeSpan StatusCacheTime { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// A message claimed longer ago than this and still unrecorded belongs to a dead sender: it is
    /// re-submitted once, flagged. Longer than the SMPP response timeout, so a live peer is never overtaken.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "3650.00:00:00", ErrorMessage = "{0} must be a positive time span.")]
    public TimeSpan InFlightGrace { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// When no provider takes some of a chunk's messages (all circuits open, binds still coming up
    /// after a restart), the sender goes over the chunk again, pausing 1 s doubling to 15 s, for this
    /// long before handing the chunk back to the bus (issue 12: handed back at once, a chunk used its
    /// few delivery attempts within seconds of a restart and was dead-lettered, its messages left
    /// Queued until the stalled-chunk sweep ten minutes later).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "3650.00:00:00", ErrorMessage = "{0} must be a positive time span.")]
    public TimeSpan UnavailableRetryFor { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How often due deferred messages are re-published, lost chunks recovered and finished campaigns completed.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "3650.00:00:00", ErrorMessage = "{0} must be a positive time span.")]
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// A chunk published this long ago and still not done (its bus message dead-lettered after a
    /// long provider outage, or lost with a broker) is published again. Safe: senders claim each
    /// message atomically, so a second copy of a chunk re-sends nothing.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "3650.00:00:00", ErrorMessage = "{0} must be a positive time span.")]
    public TimeSpan StalledChunkAfter { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// How long a publisher's claim on new chunks holds before another node may publish them (the
    /// claimer died between claim and broker confirm). Publishing takes seconds even for 1,900 chunks.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "3650.00:00:00", ErrorMessage = "{0} must be a positive time span.")]
    public TimeSpan PublishLease { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Run the SMSC simulator on loopback with a provider row pointing at it. Null (the default):
    /// on in Development (which <c>dotnet run --project Portal</c> is, by launchSettings) and in a
    /// demo (<c>Smsc:Demo=true</c>), off everywhere else (issue 14). True outside Development needs
    /// <c>Smsc:Demo=true</c>: a cheap, always-delivering provider must not route real campaigns.
    /// </summary>
    public bool? EmbeddedSimulator { get; set; }

    [Range(typeof(decimal), "0", "1000")]
    public decimal EmbeddedPartPrice { get; set; } = 0.35m;

    [Range(1, 100000)]
    public int ReceiptBatchSize { get; set; } = 1000;
    [Range(typeof(TimeSpan), "00:00:00.001", "3650.00:00:00", ErrorMessage = "{0} must be a positive time span.")]
    public TimeSpan ReceiptFlushInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Receipts whose message id is not known yet are retried this many times, <see cref="ReceiptRetryDelay"/> apart.</summary>
    [Range(0, 1000)]
    public int ReceiptRetries { get; set; } = 10;
    [Range(typeof(TimeSpan), "00:00:00.001", "3650.00:00:00", ErrorMessage = "{0} must be a positive time span.")]
    public TimeSpan ReceiptRetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The sweeper re-applies orphan receipts received this recently whose message now has their
    /// provider id. A submit result is recorded seconds after the submit and an orphan is kept only
    /// after its retries, so 15 minutes is ample; the bound keeps each check off the many orphans a
    /// restart can leave (later parts of long messages the connector no longer remembers).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "3650.00:00:00", ErrorMessage = "{0} must be a positive time span.")]
    public TimeSpan ReceiptOrphanRecheck { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How often a node re-applies and purges orphans (at most; it runs with a sweep): one index probe per recent orphan each time.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "3650.00:00:00", ErrorMessage = "{0} must be a positive time span.")]
    public TimeSpan ReceiptOrphanInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Orphan receipts older than this are deleted (they stay visible on the providers page until then).</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "3650.00:00:00", ErrorMessage = "{0} must be a positive time span.")]
    public TimeSpan ReceiptOrphanRetention { get; set; } = TimeSpan.FromDays(7);
}
