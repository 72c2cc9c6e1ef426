using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Portal.Domain.Audit;
using Portal.Domain.Campaigns;
using Portal.Domain.Messages;
using Portal.Domain.Templates;
using Portal.Infrastructure.Audit;
using Portal.Infrastructure.Persistence;

namespace Portal.Infrastructure.Clients;

/// <summary>One message on a client's card (issue 19): no text here (it is fetched, audited, on demand).</summary>
public sealed record ClientMessageRow(long Id, DateTime CreatedAt, MessageStatus Status, int Parts, decimal Cost, string? Provider,
    DateTime? SubmittedAt, DateTime? DoneAt, string? ErrorCode, int? CampaignId, string? CampaignName, string? ApiKeyName);

/// <summary>A page of history, newest first; <see cref="Next"/> is the keyset cursor of the following page (null: last page).</summary>
public sealed record ClientMessagePage(IReadOnlyList<ClientMessageRow> Rows, HistoryCursor? Next);

public sealed record HistoryCursor(DateTime CreatedAt, long Id);

/// <summary>"Why did this client get this?": the campaign, its audience rule and the snapshot time, or the API key.</summary>
public sealed record MessageReason(string Source, string? Campaign, string? Segment, string? Rule, DateTime SnapshotAt, string? ApiKey, string? ApiKeyPrefix);

public sealed record ClientReply(DateTime ReceivedAt, InboundKind Kind, string Text, string? Campaign);

/// <summary>
/// Every message to a client, campaign or API (issue 19), paged on the server by keyset over the
/// (ClientId, CreatedAt) index: a page is one index range scan whatever the client's history
/// length (never OFFSET, never COUNT). Texts are personal data: <see cref="TextAsync"/> returns
/// them only to callers allowed to see personal data and writes an audit entry for each read.
/// </summary>
public sealed class ClientMessageHistory(IDbContextFactory<PortalDbContext> contexts, AuditLog audit, TemplateEngine engine, TimeProvider clock)
{
    public async Task<ClientMessagePage> PageAsync(long clientId, HistoryCursor? after, int size, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var rows = await PageQuery(db, clientId, after, size).ToListAsync(ct);
        var next = rows.Count > size ? new HistoryCursor(rows[size - 1].CreatedAt, rows[size - 1].Id) : null;
        return new ClientMessagePage(rows.Take(size).ToList(), next);
    }

    /// <summary>
    /// One page (plus one row, to know whether another follows) as a query: public so that
    /// <c>bench send-api</c> can print its plan (an index scan on (ClientId, CreatedAt)).
    /// </summary>
    public static IQueryable<ClientMessageRow> PageQuery(PortalDbContext db, long clientId, HistoryCursor? after, int size)
    {
        var query = db.Messages.AsNoTracking().Where(m => m.ClientId == clientId);
        if (after is { } c)
        {
            query = query.Where(m => m.CreatedAt < c.CreatedAt || (m.CreatedAt == c.CreatedAt && m.Id < c.Id));
        }
        return query.OrderByDescending(m => m.CreatedAt).ThenByDescending(m => m.Id).Take(size + 1)
            .Select(m => new ClientMessageRow(m.Id, m.CreatedAt, m.Status, m.Parts, m.Cost,
                db.Providers.Where(p => p.Id == m.ProviderId).Select(p => p.Name).FirstOrDefault(),
                m.SubmittedAt, m.DoneAt, m.ErrorCode, m.CampaignId,
                db.Campaigns.Where(k => k.Id == m.CampaignId).Select(k => k.Name).FirstOrDefault(),
                db.PriorityMessages.Where(p => p.MessageId == m.Id).Join(db.ApiKeys, p => p.ApiKeyId, k => k.Id, (p, k) => k.Name).FirstOrDefault()));
    }

    public async Task<IReadOnlyList<ClientReply>> RepliesAsync(long clientId, int take, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await db.InboundMessages.AsNoTracking().Where(i => i.ClientId == clientId).OrderByDescending(i => i.ReceivedAt).Take(take)
            .Select(i => new ClientReply(i.ReceivedAt, i.Kind, i.Text, db.Campaigns.Where(k => k.Id == i.CampaignId).Select(k => k.Name).FirstOrDefault()))
            .ToListAsync(ct);
    }

    public async Task<MessageReason?> ReasonAsync(long clientId, long messageId, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var m = await db.Messages.AsNoTracking().Where(x => x.Id == messageId && x.ClientId == clientId)
            .Select(x => new { x.CampaignId, x.CreatedAt }).FirstOrDefaultAsync(ct);
        if (m is null) return null;
        if (m.CampaignId is { } campaignId)
        {
            var c = await db.Campaigns.AsNoTracking().Where(k => k.Id == campaignId)
                .Select(k => new { k.Name, k.Settings.SegmentId, k.StartedAt }).FirstAsync(ct);
            var segment = c.SegmentId is { } sid ? await db.Segments.AsNoTracking().Where(s => s.Id == sid).Select(s => new { s.Name, s.RulesJson }).FirstOrDefaultAsync(ct) : null;
            // The audience is snapshotted at launch: the message row is written then.
            return new MessageReason("campaign", c.Name, segment?.Name, segment?.RulesJson, Utc(m.CreatedAt), null, null);
        }
        var key = await db.PriorityMessages.AsNoTracking().Where(p => p.MessageId == messageId)
            .Select(p => new { p.Source, Key = db.ApiKeys.Where(k => k.Id == p.ApiKeyId).Select(k => new { k.Name, k.Prefix }).FirstOrDefault() })
            .FirstOrDefaultAsync(ct);
        return new MessageReason(key?.Source == PrioritySource.Alarm ? "alarm" : "api", null, null, null, Utc(m.CreatedAt), key?.Key?.Name, key?.Key?.Prefix);
    }

    /// <summary>
    /// The text as sent, for a reader with the personal-data permission; audited. API messages keep
    /// their text; campaign messages are rendered again from the campaign's text for this client
    /// (what the sender rendered, unless the client's data changed since).
    /// </summary>
    public async Task<string?> TextAsync(ClaimsPrincipal user, bool seesPersonalData, long clientId, long messageId, CancellationToken ct)
    {
        if (!seesPersonalData) return null;
        await using var db = await contexts.CreateDbContextAsync(ct);
        var m = await db.Messages.AsNoTracking().Where(x => x.Id == messageId && x.ClientId == clientId)
            .Select(x => new { x.CampaignId, x.CreatedAt }).FirstOrDefaultAsync(ct);
        if (m is null) return null;
        string? text;
        if (m.CampaignId is { } campaignId)
        {
            var c = await db.Campaigns.AsNoTracking().Where(k => k.Id == campaignId).Select(k => new { k.Name, k.Settings.SenderId, k.Settings.Body }).FirstAsync(ct);
            var client = await db.Clients.AsNoTracking().FirstAsync(x => x.Id == clientId, ct);
            try
            {
                text = c.Body is null ? null : engine.Compile(c.Body).Render(client, null, new CampaignMergeFields(c.Name, c.SenderId, Utc(m.CreatedAt))).Text;
            }
            catch (Exception e) when (e is TemplateSyntaxException or TemplateRenderException)
            {
                text = null;
            }
        }
        else
        {
            text = await db.PriorityMessages.AsNoTracking().Where(p => p.MessageId == messageId).Select(p => p.Text).FirstOrDefaultAsync(ct);
        }
        await audit.WriteAsync(user, AuditActions.MessageTextViewed, "Message", messageId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            $"client {clientId}", ct);
        return text;
    }

    private static DateTime Utc(DateTime t) => DateTime.SpecifyKind(t, DateTimeKind.Utc);

    internal DateTime Now => clock.GetUtcNow().UtcDateTime;
}
