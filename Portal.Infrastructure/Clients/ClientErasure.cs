using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Portal.Domain.Audit;
using Portal.Domain.Clients;
using Portal.Infrastructure.Persistence;

namespace Portal.Infrastructure.Clients;

/// <summary>
/// The right to erasure (issue 4, item 6) for the API and the UI: personal data goes, the client
/// row with its aggregates, events and messages stays so campaign statistics keep adding up.
/// One transaction per call: the erasure and its audit entries commit together or not at all.
/// </summary>
public sealed class ClientErasure(IDbContextFactory<PortalDbContext> contexts, TimeProvider clock, ILogger<ClientErasure> logger)
{
    /// <summary>Erases the given clients; ids that are unknown or already erased are skipped.</summary>
    /// <param name="actor">Who asked: a signed-in user or an API key's principal; recorded in the audit trail.</param>
    /// <param name="channel">Where the request came from (<c>api</c>, <c>ui</c>), for the audit details.</param>
    /// <returns>The ids erased by this call.</returns>
    public async Task<IReadOnlyList<long>> EraseAsync(IReadOnlyCollection<long> clientIds, ClaimsPrincipal? actor, string channel, CancellationToken ct)
    {
        if (clientIds.Count == 0)
        {
            return [];
        }
        var ids = clientIds.Distinct().ToList();
        var at = clock.GetUtcNow().UtcDateTime;
        await using var db = await contexts.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);

        var clients = await db.Clients.Where(c => ids.Contains(c.Id) && c.Status != ClientStatus.Erased).ToListAsync(ct);
        var erased = clients.Select(c => c.Id).ToList();
        if (erased.Count == 0)
        {
            return [];
        }
        foreach (var client in clients)
        {
            client.Erase(at);
        }
        var userId = actor?.FindFirstValue(ClaimTypes.NameIdentifier);
        var userName = actor?.Identity?.Name;
        db.AuditEntries.AddRange(erased.Select(id =>
            new AuditEntry(at, userId, userName, AuditActions.ClientErased, nameof(Client), id.ToString(), $"channel={channel}")));
        await db.SaveChangesAsync(ct);

        await db.ClientTags.Where(t => erased.Contains(t.ClientId)).ExecuteDeleteAsync(ct);
        await db.ClientAttributes.Where(a => erased.Contains(a.ClientId)).ExecuteDeleteAsync(ct);
        // The consent history stays (when consent existed is not personal), its evidence (form
        // text, recording ids, IP addresses) may identify the person and goes.
        await db.ConsentRecords.Where(r => erased.Contains(r.ClientId) && r.Evidence != null)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.Evidence, (string?)null), ct);
        await tx.CommitAsync(ct);

        logger.LogInformation("Erased {Count} clients via {Channel} ({Skipped} unknown or already erased)", erased.Count, channel, ids.Count - erased.Count);
        return erased;
    }
}
