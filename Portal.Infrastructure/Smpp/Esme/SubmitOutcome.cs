using Portal.Infrastructure.Smpp.Pdus;

namespace Portal.Infrastructure.Smpp.Esme;

/// <summary>
/// What happened to one <see cref="SmsSubmission"/>: every message ends in exactly one of these
/// definite states. Part message ids are in part order; null where a part got no id.
/// </summary>
public abstract record SubmitOutcome(IReadOnlyList<string?> MessageIds)
{
    /// <summary>Every part accepted by the SMSC.</summary>
    public sealed record Accepted(IReadOnlyList<string?> MessageIds) : SubmitOutcome(MessageIds);

    /// <summary>
    /// The SMSC refused (or, for local validation or no bind, we never sent) at least one part and
    /// no part is uncertain. Temporary rejections may be sent again later; permanent ones may not.
    /// </summary>
    public sealed record Rejected(CommandStatus Status, bool IsPermanent, string Reason, IReadOnlyList<string?> MessageIds)
        : SubmitOutcome(MessageIds)
    {
        /// <summary>1-based part that was refused, for a long message; earlier parts were accepted (their ids are set).</summary>
        public int? FailedPart { get; init; }

        /// <summary>The SMSC was still throttling when the message's validity ran out: not a fault of the provider.</summary>
        public bool Throttled { get; init; }

        /// <summary>
        /// The refused part never left this process (stopping, no bind): with earlier parts accepted,
        /// the message is neither sent nor failed, and is left in flight for a resubmission.
        /// </summary>
        public bool Interrupted { get; init; }
    }

    /// <summary>
    /// At least one part may or may not have been accepted (no response in time, connection lost
    /// after sending). It is reported, never silently resent: a resend could double the SMS.
    /// </summary>
    public sealed record Uncertain(string Reason, IReadOnlyList<string?> MessageIds) : SubmitOutcome(MessageIds);
}
