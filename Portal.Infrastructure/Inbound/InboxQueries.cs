using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Portal.Domain.Access;
using Portal.Domain.Audit;
using Portal.Domain.Messages;
using Portal.Infrastructure.Audit;
using Portal.Infrastructure.Persistence;

namespace Portal.Infrastructure.Inbound;

/// <summary>The inbox page's filters. <see cref="Department"/>/<see cref="Author"/> restrict campaign managers to their campaigns' replies.</summary>
public sealed record InboxQuery(InboundKind? Kind = null, int? CampaignId = null, bool UnreadOnly = false,
    bool Restricted = false, int? Department = null, string? Author = null)
{
    /// <summary>Issue 18: null for the real inbox (no reply of a synthetic client); a trainee's id for their sandbox inbox only.</summary>
    public string? SandboxOwnerId { get; init; }
}

/// <summary>One inbound SMS as the inbox shows it; <see cref="From"/> is already masked for roles without personal data.</summary>
public sealed record InboxRow(long Id, DateTime ReceivedAt, string From, string Text, InboundKind Kind, DateTime? ReadAt, string? AutoReply,
    long? ClientId, int? CampaignId, string? CampaignName, long? MessageId, DateTime? MessageSentAt);

public sealed record InboxPage(IReadOnlyList<InboxRow> Rows, int Total);

public sealed record AutoReplyRuleRow(int Id, string Keyword, string Reply, bool Enabled);

/// <summary>
/// Reads and writes behind <c>/inbox</c>: replies newest first (ReceivedAt index), a page at a time
/// with one COUNT; mark read; the auto-reply rules, audited. Masking happens here so a page never
/// holds a phone it may not show; an unmasked page is audited by the caller like the clients grid.
/// </summary>
public sealed class InboxQueries(IDbContextFactory<PortalDbContext> contexts, AuditLog audit, TimeProvider clock)
{
    public async Task<InboxPage> PageAsync(InboxQuery query, int page, int pageSize, bool unmasked, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var replies = db.InboundMessages.AsNoTracking();
        if (query.Kind is { } kind) replies = replies.Where(m => m.Kind == kind);
        if (query.CampaignId is { } campaignId) replies = replies.Where(m => m.CampaignId == campaignId);
        if (query.UnreadOnly) replies = replies.Where(m => m.ReadAt == null);
        replies = query.SandboxOwnerId is { } owner
            ? replies.Where(m => db.Clients.Any(c => c.Id == m.ClientId && c.SandboxOwnerId == owner))
            : replies.Where(m => !db.Clients.Any(c => c.Id == m.ClientId && c.SandboxOwnerId != null));
        if (query.Restricted)
        {
            // Campaign managers: replies to their department's or their own campaigns only.
            replies = replies.Where(m => db.Campaigns.Any(c => c.Id == m.CampaignId
                && ((query.Department != null && c.DepartmentId == query.Department) || c.CreatedBy == query.Author)));
        }
        var total = await replies.CountAsync(ct);
        var rows = await replies
            .OrderByDescending(m => m.ReceivedAt).ThenByDescending(m => m.Id)
            .Skip(page * pageSize).Take(pageSize)
            .Select(m => new InboxRow(m.Id, m.ReceivedAt, m.From, m.Text, m.Kind, m.ReadAt, m.AutoReply, m.ClientId, m.CampaignId,
                db.Campaigns.Where(c => c.Id == m.CampaignId).Select(c => c.Name).FirstOrDefault(),
                m.MessageId,
                db.Messages.Where(x => x.Id == m.MessageId).Select(x => x.SubmittedAt ?? x.CreatedAt).FirstOrDefault()))
            .ToListAsync(ct);
        // Issue 14: a reply's text can hold anything the client wrote (a name, an address, a card): masked too.
        if (!unmasked) rows = [.. rows.Select(r => r with { From = PersonalDataMask.Phone(r.From), Text = PersonalDataMask.Text(r.Text) })];
        return new InboxPage(rows, total);
    }

    /// <summary>Campaigns that have replies, newest first, for the filter.</summary>
    public async Task<IReadOnlyList<(int Id, string Name)>> CampaignsAsync(CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var rows = await db.Campaigns.AsNoTracking()
            .Where(c => c.SandboxOwnerId == null && db.InboundMessages.Any(m => m.CampaignId == c.Id))
            .OrderByDescending(c => c.Id).Take(200)
            .Select(c => new { c.Id, c.Name }).ToListAsync(ct);
        return [.. rows.Select(r => (r.Id, r.Name))];
    }

    public async Task MarkReadAsync(IReadOnlyCollection<long> ids, bool read, CancellationToken ct)
    {
        if (ids.Count == 0) return;
        await using var db = await contexts.CreateDbContextAsync(ct);
        DateTime? at = read ? clock.GetUtcNow().UtcDateTime : null;
        await db.InboundMessages.Where(m => ids.Contains(m.Id)).ExecuteUpdateAsync(s => s.SetProperty(m => m.ReadAt, at), ct);
    }

    public async Task<IReadOnlyList<AutoReplyRuleRow>> RulesAsync(CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await db.AutoReplyRules.AsNoTracking().OrderBy(r => r.Keyword)
            .Select(r => new AutoReplyRuleRow(r.Id, r.Keyword, r.Reply, r.Enabled)).ToListAsync(ct);
    }

    /// <summary>Creates (<paramref name="id"/> null) or changes a rule. Throws <see cref="Domain.Common.DomainException"/> with a readable reason.</summary>
    public async Task<int> SaveRuleAsync(ClaimsPrincipal actor, int? id, string keyword, string reply, bool enabled, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow().UtcDateTime;
        AutoReplyRule rule;
        if (id is { } existing)
        {
            rule = await db.AutoReplyRules.SingleOrDefaultAsync(r => r.Id == existing, ct)
                ?? throw new Domain.Common.DomainException("This auto-reply rule no longer exists.");
            rule.Change(keyword, reply);
        }
        else
        {
            rule = new AutoReplyRule(keyword, reply, now);
            db.AutoReplyRules.Add(rule);
        }
        rule.Enabled = enabled;
        if (await db.AutoReplyRules.AnyAsync(r => r.Keyword == rule.Keyword && r.Id != rule.Id, ct))
        {
            throw new Domain.Common.DomainException("An auto-reply for this keyword already exists.");
        }
        if (ReplyKeywords.BuiltInOptOut.Concat(ReplyKeywords.BuiltInOptIn).Contains(rule.Keyword))
        {
            throw new Domain.Common.DomainException("Opt-out and opt-in keywords cannot have an auto-reply.");
        }
        await db.SaveChangesAsync(ct);
        await audit.WriteAsync(actor, AuditActions.AutoReplyRuleSaved, nameof(AutoReplyRule), rule.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            $"keyword={rule.Keyword}; enabled={rule.Enabled}", ct);
        return rule.Id;
    }
}
