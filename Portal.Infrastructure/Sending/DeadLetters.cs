using System.Security.Claims;
using Microsoft.Extensions.Options;
using Portal.Domain.Audit;
using Portal.Infrastructure.Audit;
using Portal.Infrastructure.Messaging;

namespace Portal.Infrastructure.Sending;

/// <summary>
/// The sending pipeline's dead letters (issue 13), kept by the bus (Messaging): counted on the
/// dashboard, replayed from there (by an administrator) or with <c>dotnet run --project Portal -- deadletters replay</c>. A replay moves
/// them back to their queue as new messages; every handler is idempotent, so nothing is applied twice.
/// </summary>
public sealed class DeadLetters(IMessageBus bus, IOptions<SendingOptions> sending, AuditLog audit)
{
    /// <summary>The queues whose dead letters Portal shows and replays: chunks, receipts, replies (STOPs).</summary>
    public IReadOnlyList<string> Queues => [sending.Value.ChunkQueue, sending.Value.ReceiptQueue, sending.Value.InboundQueue];

    public async Task<int> ReplayAsync(string queue, ClaimsPrincipal? actor, CancellationToken ct)
    {
        if (!Queues.Contains(queue, StringComparer.Ordinal)) throw new ArgumentException($"'{queue}' is not a Portal queue.", nameof(queue));
        var moved = await bus.ReplayDeadLettersAsync(queue, ct);
        await audit.WriteAsync(actor, AuditActions.DeadLettersReplayed, "Queue", queue, $"replayed={moved}", ct);
        return moved;
    }
}
