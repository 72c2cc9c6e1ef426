using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Domain.Audit;
using Portal.Domain.Clients;
using Portal.Domain.Messages;
using Portal.Infrastructure.Bi;
using Portal.Infrastructure.Messaging;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Sending;

namespace Portal.Infrastructure.Clients;

/// <summary>
/// The right to erasure (issue 4, item 6; completed in issue 14) for the API and the UI: personal
/// data goes from every table and dead-letter queue that can hold it, the client row with its
/// aggregates, events and message statuses stays so campaign statistics keep adding up.
/// Reached: the client row, tags, custom attributes, consent evidence, event attributes, the phone
/// of every message, sender and text of every reply (by client id and by sender number), raw
/// cells quoted in import row errors and sync run errors, and dead letters of the dispatch,
/// receipt and inbound queues. The audit log holds no phones or names by construction.
/// </summary>
public sealed class ClientErasure(
    IDbContextFactory<PortalDbContext> contexts,
    IDeadLetterStore deadLetters,
    IOptions<SendingOptions> sending,
    BiExportFiles exportFiles,
    TimeProvider clock,
    ILogger<ClientErasure> logger)
{
    /// <summary>What replaces a quoted phone or name in free text (import and sync errors).</summary>
    public const string Redacted = "[erased]";

    /// <summary>Names shorter than this are not redacted from others' free text: "Al" would mangle every reason.</summary>
    private const int MinNameToken = 3;

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

        var found = await db.Clients.AsNoTracking()
            .Where(c => ids.Contains(c.Id) && c.Status != ClientStatus.Erased)
            .Select(c => new { c.Id, c.Phone, c.ExternalId, c.FirstName, c.MiddleName, c.LastName })
            .ToListAsync(ct);
        if (found.Count == 0)
        {
            return [];
        }
        var phones = found.Select(c => c.Phone).ToList();
        // The national significant number is in every written form of the phone (+7…, 7…, 8…).
        var numbers = phones.Select(NationalNumber).Where(n => n.Length >= 7).Distinct().ToList();
        var externalIds = found.Select(c => c.ExternalId).OfType<string>().Where(x => x.Length > 0).ToList();
        var fullNames = found.Where(c => c.FirstName is not null && c.LastName is not null)
            .Select(c => $"{c.FirstName} {c.LastName}").ToList();

        // Dead letters first: when the broker cannot be reached nothing is erased yet and the
        // caller may simply retry. (After the database step a retry would skip these clients.)
        // A dead letter goes when it quotes the phone, the external id or the full name.
        var needles = numbers.Concat(externalIds).Concat(fullNames).ToList();
        var o = sending.Value;
        var deadRemoved = 0;
        foreach (var queue in new[] { o.InboundQueue, o.ReceiptQueue, o.ChunkQueue }.Distinct())
        {
            deadRemoved += await deadLetters.RemoveDeadLettersAsync(queue, d => d.Mentions(needles), ct);
        }

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var clients = await db.Clients.Where(c => ids.Contains(c.Id) && c.Status != ClientStatus.Erased).ToListAsync(ct);
        var erased = clients.Select(c => c.Id).ToList();
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
        // Event amounts feed the rollups; free-form event attributes may hold anything.
        await db.ClientEvents.Where(e => erased.Contains(e.ClientId) && e.AttributesJson != null)
            .ExecuteUpdateAsync(s => s.SetProperty(e => e.AttributesJson, (string?)null), ct);
        // Statuses and costs stay for the statistics; the number goes, and what was still waiting
        // to be sent is cancelled (it would go to a number that is no longer known).
        await db.Messages.Where(m => erased.Contains(m.ClientId) && (m.Status == MessageStatus.Queued || m.Status == MessageStatus.Deferred))
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.Status, MessageStatus.Cancelled), ct);
        await db.Messages.Where(m => erased.Contains(m.ClientId) && m.Phone != "")
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.Phone, ""), ct);
        // Replies: by client, and by sender for those that matched no client (or came before it was known).
        await db.InboundMessages.Where(m => (m.ClientId != null && erased.Contains(m.ClientId.Value)) || phones.Contains(m.From))
            .ExecuteUpdateAsync(s => s
                .SetProperty(m => m.From, "erased")
                .SetProperty(m => m.Text, "")
                .SetProperty(m => m.AutoReply, (string?)null), ct);
        // Free text that may quote a raw cell: import row errors and sync run errors. Quoted
        // values are replaced in place (one scan per value, bounded by retention of these tables).
        var tokens = numbers.Concat(externalIds)
            .Concat(found.SelectMany(c => new[] { c.FirstName, c.MiddleName, c.LastName }).OfType<string>().Where(n => n.Length >= MinNameToken))
            .Distinct().ToList();
        foreach (var token in tokens)
        {
            await db.ImportRowErrors.Where(e => e.Reason.Contains(token))
                .ExecuteUpdateAsync(s => s.SetProperty(e => e.Reason, e => e.Reason.Replace(token, Redacted)), ct);
            await db.SyncRuns.Where(r => r.Error != null && r.Error.Contains(token))
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.Error, r => r.Error!.Replace(token, Redacted)), ct);
            await db.ImportJobs.Where(j => j.Error != null && j.Error.Contains(token))
                .ExecuteUpdateAsync(s => s.SetProperty(j => j.Error, j => j.Error!.Replace(token, Redacted)), ct);
        }
        await tx.CommitAsync(ct);
        // Exports already written with personal columns may hold these clients: they go too.
        var exportFilesRemoved = await exportFiles.PurgeAsync(everyPersonal: true, ct);

        logger.LogInformation("Erased {Count} clients via {Channel} ({Skipped} unknown or already erased, {DeadLetters} dead letters, {ExportFiles} personal export files removed)",
            erased.Count, channel, ids.Count - erased.Count, deadRemoved, exportFilesRemoved);
        return erased;
    }

    /// <summary>The digits after the country code (last ten for a Russian number), or all digits for a short one.</summary>
    internal static string NationalNumber(string phone)
    {
        var digits = new string(phone.Where(char.IsAsciiDigit).ToArray());
        return digits.Length > 10 ? digits[^10..] : digits;
    }
}
