using System.Data.Common;
using Portal.Domain.Messages;
using Portal.Infrastructure.Sending;

namespace Portal.Infrastructure.Telemetry;

/// <summary>
/// Delivered / failed counts and the submit-to-receipt lag from the receipt UPDATE itself (issue 22):
/// it returns the rows it changed (RETURNING works on SQLite and PostgreSQL), so measuring costs no
/// extra query. A row counts as made final by this statement when its DoneAt is the receipt's own
/// time; a later part's receipt of a message already final only adds its bit and is not counted again.
/// The lag is measured from SubmittedAt, the claim time (the submit lease renews its own column,
/// LeaseRenewedAt, since issue 12). Receipts applied by provider id (no in-memory match) count as applied only.
/// </summary>
internal static class ReceiptTelemetry
{
    public const string Returning = """RETURNING "Messages"."Id", "Messages"."Status", "Messages"."SubmittedAt", "Messages"."DoneAt" """;

    private static readonly TimeSpan SameTime = TimeSpan.FromMilliseconds(1);

    /// <summary>Runs the UPDATE ... RETURNING; returns the rows changed, as ExecuteNonQuery would.</summary>
    public static async Task<int> ExecuteAsync(DbCommand command, IReadOnlyList<ReceiptProcessor.MessageReceipt> receipts, CancellationToken ct)
    {
        // The receipt's own provider: a receipt can overtake the submit's record, whose ProviderId is still NULL then.
        var byMessage = new Dictionary<long, (DateTime DoneAt, int ProviderId)>(receipts.Count);
        foreach (var r in receipts) byMessage[r.MessageId] = (r.DoneAt, r.ProviderId);
        var finals = new List<(int Provider, MessageStatus Status, TimeSpan? Lag)>();
        var rows = 0;
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                rows++;
                var status = (MessageStatus)reader.GetInt32(1);
                if (reader.IsDBNull(3) || status is MessageStatus.Submitted or MessageStatus.Submitting or MessageStatus.Queued) continue;
                var done = DateTime.SpecifyKind(reader.GetDateTime(3), DateTimeKind.Utc);
                if (!byMessage.TryGetValue(reader.GetInt64(0), out var receipt) || (done - DateTime.SpecifyKind(receipt.DoneAt, DateTimeKind.Utc)).Duration() > SameTime) continue;
                // SubmittedAt is the claim time; a resubmission after a takeover moves it, so a receipt of
                // the first copy can look older than its submit. Such a lag counts as 0.
                TimeSpan? lag = reader.IsDBNull(2) ? null : done - DateTime.SpecifyKind(reader.GetDateTime(2), DateTimeKind.Utc);
                if (lag < TimeSpan.Zero) lag = TimeSpan.Zero;
                finals.Add((receipt.ProviderId, status, lag));
            }
        }
        // Recorded once the statement succeeded: a conflict retry runs it again and must not count twice.
        foreach (var (provider, status, lag) in finals) PortalMetrics.RecordFinalReceipt(provider, status, lag);
        return rows;
    }
}
