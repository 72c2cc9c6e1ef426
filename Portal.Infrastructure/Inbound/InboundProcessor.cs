using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Domain.Audit;
using Portal.Domain.Clients;
using Portal.Domain.Messages;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Providers;
using Portal.Infrastructure.Sending;

namespace Portal.Infrastructure.Inbound;

/// <summary>
/// Consumes <see cref="InboundSms"/> from the inbound queue (SMPP MO and HTTP webhooks alike):
/// stores each SMS once (by the provider's id), ties it to the client and the client's latest
/// campaign message, applies opt-out (the client's queued and deferred messages are cancelled in
/// the same transaction, so a STOP mid-campaign stops at once) and opt-in, and answers with the
/// configured confirmation or a keyword auto-reply, at most one per client per
/// <see cref="InboundOptions.AutoReplyInterval"/>. Replies are non-campaign <see cref="Message"/>
/// rows, so they are costed and receipted like everything else.
/// </summary>
public sealed class InboundProcessor(
    IDbContextFactory<PortalDbContext> contexts,
    IMessageRouter router,
    TimeProvider clock,
    IOptions<InboundOptions> options,
    ILogger<InboundProcessor> logger) : IInboundHandler
{
    public const string OptOutSource = "sms-reply";

    private readonly ReplyKeywords _keywords = new(options.Value.OptOutKeywords);

    public long Processed;

    private sealed record Answer(long ClientId, string Phone, string From, string Text);

    public async Task ProcessAsync(InboundSms sms, CancellationToken ct)
    {
        var answer = await StoreAsync(sms, ct);
        if (answer is not null) await SendReplyAsync(answer, ct);
        Interlocked.Increment(ref Processed);
    }

    /// <returns>The automatic reply to send once the inbound SMS is committed, if any.</returns>
    private async Task<Answer?> StoreAsync(InboundSms sms, CancellationToken ct)
    {
        var o = options.Value;
        await using var db = await contexts.CreateDbContextAsync(ct);
        var externalId = sms.ExternalId is null ? null : Cut(sms.ExternalId, 100);
        if (externalId is not null && await db.InboundMessages.AnyAsync(m => m.ProviderId == sms.ProviderId && m.ExternalId == externalId, ct))
        {
            return null;
        }
        var receivedAt = DateTime.SpecifyKind(sms.ReceivedAt, DateTimeKind.Utc);
        var from = NormalizeSender(sms.From);
        var client = await db.Clients.FirstOrDefaultAsync(c => c.Phone == from && c.Status != ClientStatus.Erased, ct);
        var rules = await db.AutoReplyRules.AsNoTracking().Where(r => r.Enabled).Select(r => new { r.Keyword, r.Reply }).ToListAsync(ct);
        var intent = _keywords.Classify(sms.Text, rules.Select(r => r.Keyword));

        // Column limits (From/To 32, ExternalId 100): a webhook's oversize field must not make the SMS a poison message.
        var inbound = new InboundMessage(from, Cut(sms.To ?? "", 32), sms.Text ?? "", receivedAt, intent.Kind)
        {
            ProviderId = sms.ProviderId,
            ExternalId = externalId,
            ClientId = client?.Id,
        };
        if (client is not null)
        {
            // Messages(ClientId, CreatedAt) index: one seek. Non-campaign rows (test sends, our own replies) are skipped.
            var latest = await db.Messages.AsNoTracking()
                .Where(m => m.ClientId == client.Id && m.CampaignId != null && m.CreatedAt <= receivedAt)
                .OrderByDescending(m => m.CreatedAt).ThenByDescending(m => m.Id)
                .Select(m => new { m.Id, m.CampaignId })
                .FirstOrDefaultAsync(ct);
            inbound.MessageId = latest?.Id;
            inbound.CampaignId = latest?.CampaignId;
        }

        var now = clock.GetUtcNow().UtcDateTime;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        db.InboundMessages.Add(inbound);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException) when (externalId is not null)
        {
            // The same delivery raced in on another consumer and won: it is stored once.
            return null;
        }
        // Issue 17: a reply from an alerted employee's number confirms their alert (same transaction, so a redelivery confirms nothing twice).
        await Alerts.AlertService.AcknowledgeAsync(db, from, sms.Text, receivedAt, inbound.Id, ct);

        string? reply = null;
        var changed = false;
        if (client is not null)
        {
            switch (intent.Intent)
            {
                case ReplyIntent.OptOut when client.OptedOutAt is null:
                    client.OptOut(receivedAt, OptOutSource);
                    if (client.AdvertisingConsent.Granted)
                    {
                        db.ConsentRecords.Add(client.SetConsent(ConsentPurpose.Advertising, false, receivedAt, OptOutSource, $"inbound:{inbound.Id}"));
                    }
                    Audit(db, now, AuditActions.ClientOptedOut, client.Id, inbound.Id);
                    reply = o.OptOutConfirmation;
                    changed = true;
                    break;
                case ReplyIntent.OptIn when client.OptedOutAt is not null:
                    client.OptIn(receivedAt);
                    // START undoes exactly what STOP did: advertising consent comes back only if an SMS reply withdrew it.
                    if (client.AdvertisingConsent is { Granted: false, Source: OptOutSource })
                    {
                        db.ConsentRecords.Add(client.SetConsent(ConsentPurpose.Advertising, true, receivedAt, OptOutSource, $"inbound:{inbound.Id}"));
                    }
                    Audit(db, now, AuditActions.ClientOptedIn, client.Id, inbound.Id);
                    reply = o.OptInConfirmation;
                    changed = true;
                    break;
                case ReplyIntent.AutoReply when client.OptedOutAt is null:
                    reply = rules.FirstOrDefault(r => r.Keyword == intent.Keyword)?.Reply;
                    break;
                case ReplyIntent.OptOut or ReplyIntent.OptIn or ReplyIntent.AutoReply or ReplyIntent.Reply:
                    break;
            }
        }
        Answer? answer = null;
        // Issue 18: a training-sandbox client gets no SMS back (the confirmation would leave through a real
        // provider, outside any sandbox campaign); the inbox still shows what would have been answered.
        if (client is { SandboxOwnerId: not null } && !string.IsNullOrWhiteSpace(reply))
        {
            inbound.AutoReply = reply.Length > 1000 ? reply[..1000] : reply;
        }
        else if (client is not null && !string.IsNullOrWhiteSpace(reply))
        {
            var since = receivedAt - o.AutoReplyInterval;
            var answeredLately = await db.InboundMessages.AnyAsync(m => m.ClientId == client.Id && m.Id != inbound.Id
                && m.AutoReply != null && m.ReceivedAt >= since, ct);
            if (!answeredLately)
            {
                inbound.AutoReply = reply.Length > 1000 ? reply[..1000] : reply;
                answer = new Answer(client.Id, client.Phone, string.IsNullOrWhiteSpace(sms.To) ? o.ReplySender : sms.To, inbound.AutoReply);
            }
        }
        await db.SaveChangesAsync(ct);
        if (intent.Intent == ReplyIntent.OptOut && client is not null)
        {
            // The sender skips opted-out clients too; this makes their remaining messages final at once (one UPDATE).
            var cancelled = await db.Messages
                .Where(m => m.ClientId == client.Id && (m.Status == MessageStatus.Queued || m.Status == MessageStatus.Deferred))
                .ExecuteUpdateAsync(s => s.SetProperty(m => m.Status, MessageStatus.Cancelled)
                    .SetProperty(m => m.ErrorCode, "opted-out").SetProperty(m => m.DoneAt, now), ct);
            if (changed) logger.LogInformation("Client {ClientId} opted out by SMS reply {InboundId}; {Cancelled} pending messages cancelled", client.Id, inbound.Id, cancelled);
        }
        else if (changed)
        {
            logger.LogInformation("Client {ClientId} opted in by SMS reply {InboundId}", client!.Id, inbound.Id);
        }
        await tx.CommitAsync(ct);
        Telemetry.PortalMetrics.RecordInbound(intent.Intent.ToString(), intent.Intent == ReplyIntent.OptOut && changed);
        return answer;
    }

    private static void Audit(PortalDbContext db, DateTime at, string action, long clientId, long inboundId) =>
        db.AuditEntries.Add(new AuditEntry(at, null, "system", action, nameof(Client), clientId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            $"channel={OptOutSource}; inbound={inboundId}"));

    /// <summary>
    /// SMPP source addresses come without "+" (and sometimes as national numbers); webhooks send
    /// whatever the provider likes. E.164 when it parses, else the digits as they came (stored, unmatched).
    /// </summary>
    internal static string NormalizeSender(string from)
    {
        var trimmed = (from ?? "").Trim();
        if (PhoneNumber.TryParse(trimmed, out var phone, out _)) return phone.Value;
        if (trimmed.Length > 0 && trimmed.All(char.IsAsciiDigit) && PhoneNumber.TryParse("+" + trimmed, out phone, out _)) return phone.Value;
        return Cut(trimmed, 32);
    }

    private static string Cut(string value, int length) => value.Length > length ? value[..length] : value;

    /// <summary>
    /// Sent after the inbound SMS committed, at most once: a failure is recorded on the reply's
    /// message row, never retried by redelivering the inbound SMS (which is already stored).
    /// </summary>
    private async Task SendReplyAsync(Answer answer, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow().UtcDateTime;
        var message = new Message(null, answer.ClientId, answer.Phone, now) { Status = MessageStatus.Submitting, SubmittedAt = now };
        db.Messages.Add(message);
        await db.SaveChangesAsync(ct);
        try
        {
            var route = await router.RouteAsync(null, answer.Phone, ct);
            if (route is null)
            {
                message.Status = MessageStatus.Rejected;
                message.ErrorCode = "no-provider";
            }
            else
            {
                var result = await route.Sender.SendAsync(new OutgoingSms(message.Id, answer.From, answer.Phone, answer.Text, TimeSpan.FromHours(1)), ct);
                message.Status = result.NotSent ? MessageStatus.Rejected : result.Status;
                message.ProviderId = route.ProviderId;
                message.ProviderMessageId = result.ProviderMessageId;
                message.Parts = result.Parts;
                message.Cost = result.Parts * route.PartPrice;
                message.ErrorCode = result.NotSent ? "unavailable" : result.ErrorCode;
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning("Auto-reply message {MessageId} failed: {Error}", message.Id, e.Message);
            message.Status = MessageStatus.Rejected;
            message.ErrorCode = "unavailable";
        }
        if (message.Status != MessageStatus.Submitted) message.DoneAt = clock.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(CancellationToken.None);
    }
}
