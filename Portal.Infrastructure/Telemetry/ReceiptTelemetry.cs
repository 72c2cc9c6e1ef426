using System.Data.Common;
using Portal.Domain.Messages;

namespace Portal.Infrastructure.Telemetry;

/// <summary>
/// Delivered / failed counts and the submit-to-receipt lag from the receipt UPDATEs themselves
/// (issue 22), with no extra query: each statement lets through only messages still in flight
/// (<c>WHERE "Status" IN (Submitting, Submitted, Uncertain)</c>, atomic per row: PostgreSQL re-checks
/// it against a row another transaction just changed, SQLite has one writer), and returns the rows
/// it changed with their new status. A returned row in a final status therefore is exactly one
/// transition into it: a duplicate receipt, a late part's bit on a final message or a redelivered
/// batch never passes that WHERE, so it is never counted (the first version counted rows touched:
/// 87 delivered for 60 messages). Counts are recorded by the caller once its statements committed,
/// so a conflict retry does not count twice.
/// The lag is measured from SubmittedAt, the claim time (the submit lease renews its own column,
/// LeaseRenewedAt, since issue 12); a takeover's resubmission moves it, so a lag below zero counts as 0.
/// </summary>
internal static class ReceiptTelemetry
{
    public const string Returning = """RETURNING "Messages"."Id", "Messages"."Status", "Messages"."SubmittedAt", "Messages"."DoneAt", "Messages"."ProviderId" """;

    /// <summary>One message made final by a receipt: its provider, new status and lag.</summary>
    public readonly record struct Final(int? ProviderId, MessageStatus Status, TimeSpan? Lag);

    private static readonly MessageStatus[] InFlight = [MessageStatus.Submitting, MessageStatus.Submitted, MessageStatus.Uncertain];

    /// <summary>
    /// Runs an in-flight-guarded UPDATE ... <see cref="Returning"/>; adds the messages now final to
    /// <paramref name="finals"/>. <paramref name="receiptProvider"/> names the provider of a message
    /// whose own ProviderId is still NULL (its receipt overtook the record of its submit).
    /// </summary>
    /// <returns>The ids of the rows changed.</returns>
    public static async Task<List<long>> ExecuteAsync(DbCommand command, Func<long, int?> receiptProvider, List<Final> finals, CancellationToken ct)
    {
        var ids = new List<long>();
        var found = new List<Final>();
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                var id = reader.GetInt64(0);
                ids.Add(id);
                var status = (MessageStatus)reader.GetInt32(1);
                if (Array.IndexOf(InFlight, status) >= 0) continue;
                TimeSpan? lag = reader.IsDBNull(2) || reader.IsDBNull(3) ? null
                    : DateTime.SpecifyKind(reader.GetDateTime(3), DateTimeKind.Utc) - DateTime.SpecifyKind(reader.GetDateTime(2), DateTimeKind.Utc);
                if (lag < TimeSpan.Zero) lag = TimeSpan.Zero;
                found.Add(new Final(reader.IsDBNull(4) ? receiptProvider(id) : reader.GetInt32(4), status, lag));
            }
        }
        // Only once the whole statement was read: a conflict retry runs it again from scratch.
        finals.AddRange(found);
        return ids;
    }

    /// <summary>Records transitions of statements that committed; <paramref name="nameOf"/> gives the provider label.</summary>
    public static void Record(IEnumerable<Final> finals, Func<int?, string> nameOf)
    {
        foreach (var f in finals) PortalMetrics.RecordFinalReceipt(nameOf(f.ProviderId), f.Status, f.Lag);
    }
}
