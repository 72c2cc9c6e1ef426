using System.Globalization;
using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Portal.Domain.Access;
using Portal.Domain.Audit;
using Portal.Domain.Campaigns;
using Portal.Domain.Clients;
using Portal.Domain.Common;
using Portal.Domain.Messages;
using Portal.Domain.Templates;
using Portal.Infrastructure.Audit;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Providers;
using Portal.Infrastructure.Sending;

namespace Portal.Infrastructure.Campaigns;

/// <summary>
/// <see cref="ICampaignOperations"/>: each transition runs the domain's guard, is written with a
/// guarded UPDATE (status as it was read, so a concurrent launch or completion is never
/// overwritten), audited, and passed on to the scheduler or, through the status the senders
/// poll, to every node.
/// </summary>
public sealed class CampaignOperations(
    IDbContextFactory<PortalDbContext> contexts,
    ICampaignSchedule schedule,
    ChunkPublisher publisher,
    CampaignAudience audience,
    TemplateEngine engine,
    IMessageRouter router,
    DispatchCampaigns dispatch,
    AuditLog audit,
    ICampaignEstimator estimator,
    ApprovalThresholds thresholds,
    Identity.DepartmentScopes scopes,
    TimeProvider clock) : ICampaignOperations
{
    public async Task ScheduleAsync(int campaignId, ClaimsPrincipal user, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var campaign = await LoadForAsync(db, campaignId, user, "schedule", ct);
        var now = clock.GetUtcNow().UtcDateTime;
        try
        {
            engine.Compile(campaign.Settings.Body);
        }
        catch (TemplateSyntaxException e)
        {
            throw new DomainException("The message does not parse: {0}", e.Message);
        }
        if (campaign.ApprovedAt is null && !campaign.RequiresApproval
            && thresholds.Requires(await estimator.EstimateAsync(campaign, null, ct)))
        {
            // The wizard asks for approval from its own estimate; the server does not trust it.
            campaign.RequiresApproval = true;
            await db.SaveChangesAsync(ct);
        }
        // Issue 20: a one-off campaign to nobody would "complete" with no messages; refuse it in words.
        // A recurring one may start empty (its audience is read again at every run).
        if (campaign.Settings.ScheduleKind != ScheduleKind.Recurring && campaign.Settings.SegmentId is not null
            && !await (await audience.SendableAsync(db, campaign, now, ct)).AnyAsync(ct))
        {
            throw new DomainException("Nobody in this audience can receive the campaign: it is empty, or all its clients are inactive, opted out, without consent or already capped today. Check the audience's conditions.");
        }
        var at = campaign.Settings.ScheduleKind == ScheduleKind.At && campaign.ScheduledAt is { } planned ? planned : now;
        campaign.Schedule(at, now);
        await db.SaveChangesAsync(ct);
        await AuditAsync(user, AuditActions.CampaignScheduled, campaignId, $"{campaign.Settings.ScheduleKind} at {campaign.ScheduledAt:O}", ct);
        await schedule.ScheduleAsync(campaign, ct);
    }

    public async Task ApproveAsync(int campaignId, ClaimsPrincipal manager, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var campaign = await LoadForAsync(db, campaignId, manager, "approve", ct);
        if (!CampaignVisibility.CanApprove(manager, campaign))
        {
            // The page hides the button; the server does not trust the page.
            await audit.WriteAsync(manager, AuditActions.AccessRefused, nameof(Campaign), campaignId.ToString(CultureInfo.InvariantCulture), "approve: not a manager, or the author", ct);
            throw new DomainException("Only a manager other than the author can approve this campaign.");
        }
        campaign.Approve(manager.Identity?.Name ?? "", clock.GetUtcNow().UtcDateTime);
        // Issue 14: the approval covers the audience's rules (versions) and the size and cost the
        // Manager saw, so a launch can tell when the audience grew behind the approval.
        var fingerprint = await AudienceFingerprintAsync(db, campaign, ct)
            ?? throw new DomainException("A campaign needs an audience before it can be approved.");
        var estimate = await estimator.EstimateAsync(campaign, null, ct);
        campaign.BindApproval(fingerprint, estimate.Recipients, estimate.TotalCost);
        await db.SaveChangesAsync(ct);
        await AuditAsync(manager, AuditActions.CampaignApproved, campaignId,
            $"audience {fingerprint}, {estimate.Recipients} recipients, cost {estimate.TotalCost.ToString(CultureInfo.InvariantCulture)} {estimate.Currency}", ct);
    }

    /// <summary>The campaign's segment and exclusions with their current rule versions; null without a segment or when one is gone.</summary>
    internal static async Task<string?> AudienceFingerprintAsync(PortalDbContext db, Campaign campaign, CancellationToken ct)
    {
        if (campaign.Settings.SegmentId is not int segmentId) return null;
        var ids = campaign.Settings.ExcludedSegmentIds.Append(segmentId).Distinct().ToList();
        var versions = await db.Segments.AsNoTracking().Where(s => ids.Contains(s.Id)).Select(s => new { s.Id, s.Version }).ToDictionaryAsync(s => s.Id, s => s.Version, ct);
        if (ids.Any(id => !versions.ContainsKey(id))) return null;
        return Campaign.AudienceFingerprint(segmentId, versions[segmentId],
            campaign.Settings.ExcludedSegmentIds.Distinct().Select(id => (id, versions[id])));
    }

    public async Task PauseAsync(int campaignId, ClaimsPrincipal user, CancellationToken ct = default)
    {
        await TransitionAsync(campaignId, user, AuditActions.CampaignPaused, (c, now) => c.Pause(now), ct);
    }

    public async Task ResumeAsync(int campaignId, ClaimsPrincipal user, CancellationToken ct = default)
    {
        await TransitionAsync(campaignId, user, AuditActions.CampaignResumed, (c, now) => c.Resume(now), ct);
        // Senders left the paused campaign's chunks open: hand them out again.
        await publisher.PublishOpenAsync(campaignId, ct);
    }

    public async Task CancelAsync(int campaignId, ClaimsPrincipal user, CancellationToken ct = default)
    {
        await TransitionAsync(campaignId, user, AuditActions.CampaignCancelled, (c, now) => c.Cancel(now), ct);
        await schedule.UnscheduleAsync(campaignId, ct);
        await using var db = await contexts.CreateDbContextAsync(ct);
        // One set-based UPDATE over every queued message: 1.7 M rows outlast the default 30 s timeout (issue 19's bench).
        db.Database.SetCommandTimeout(TimeSpan.FromMinutes(10));
        var now = clock.GetUtcNow().UtcDateTime;
        var cancelled = await db.Messages
            .Where(m => m.CampaignId == campaignId && (m.Status == MessageStatus.Queued || m.Status == MessageStatus.Deferred))
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.Status, MessageStatus.Cancelled).SetProperty(m => m.DoneAt, now), ct);
        await db.MessageChunks.Where(c => c.CampaignId == campaignId && c.Status != MessageChunkStatus.Done)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.Status, MessageChunkStatus.Done).SetProperty(c => c.DoneAt, now), ct);
        await AuditAsync(user, AuditActions.CampaignCancelled, campaignId, $"{cancelled} queued or deferred messages cancelled", ct);
    }

    public async Task<MessageStatus> SendTestAsync(int campaignId, string? phone, ClaimsPrincipal user, CancellationToken ct = default)
    {
        var userName = user.Identity?.Name ?? "";
        var userId = user.FindFirstValue(ClaimTypes.NameIdentifier);
        await using var db = await contexts.CreateDbContextAsync(ct);
        // Issue 14: a test send goes only to the signed-in user's own verified phone (set by an
        // administrator on the user's account): never to a typed number, or with an audience of one
        // client the test send would post anyone's details to anyone.
        var normalized = userName.ToUpperInvariant();
        var own = await db.Users.AsNoTracking().Where(u => userId != null ? u.Id == userId : u.NormalizedUserName == normalized)
            .Select(u => new { u.Id, u.PhoneNumber, u.PhoneNumberConfirmed, u.DepartmentId }).SingleOrDefaultAsync(ct);
        if (own is null || !own.PhoneNumberConfirmed || !PhoneNumber.TryParse(own.PhoneNumber, out var number, out _))
        {
            throw new DomainException("You have no verified phone: ask an administrator to set your phone on your account.");
        }
        if (!string.IsNullOrWhiteSpace(phone) && (!PhoneNumber.TryParse(phone, out var asked, out _) || asked.Value != number.Value))
        {
            await audit.WriteForUserAsync(own.Id, userName, AuditActions.AccessRefused, nameof(Campaign), campaignId.ToString(CultureInfo.InvariantCulture),
                "test send to a number other than the user's verified phone", ct);
            throw new DomainException("A test message goes only to your own verified phone.");
        }
        var campaign = await db.Campaigns.AsNoTracking().FirstOrDefaultAsync(c => c.Id == campaignId, ct)
            ?? throw new DomainException("Campaign {0} does not exist.", campaignId);
        if (!CampaignVisibility.CanSee(user, own.DepartmentId, campaign))
        {
            await audit.WriteForUserAsync(own.Id, userName, AuditActions.AccessRefused, nameof(Campaign), campaignId.ToString(CultureInfo.InvariantCulture), "test send", ct);
            throw new DomainException("Campaign {0} does not exist.", campaignId);
        }
        (await scopes.ForAsync(user, ct)).CheckPartition(campaign.SandboxOwnerId);
        if (campaign.SandboxOwnerId is not null)
        {
            // Issue 18: a test send goes to the user's real phone; a sandbox never reaches a real phone.
            throw new DomainException("A sandbox campaign has no test send: send it, and the simulator receives it.");
        }
        var now = clock.GetUtcNow().UtcDateTime;
        // Counted from the audit log, the record every node shares: the limit holds across nodes and restarts.
        var since = now.AddHours(-1);
        var recent = await db.AuditEntries.AsNoTracking()
            .CountAsync(a => a.Action == AuditActions.CampaignTestSent && a.UserName == userName && a.At >= since, ct);
        if (recent >= thresholds.TestSendsPerHour)
        {
            throw new DomainException("Too many test messages: wait an hour and try again.");
        }
        CompiledTemplate template;
        try
        {
            template = engine.Compile(campaign.Settings.Body);
        }
        catch (TemplateSyntaxException e)
        {
            throw new DomainException("The message does not parse: {0}", e.Message);
        }
        // Roles with personal data see the first real client of the audience (an audited read);
        // the others get the made-up sample client, so no real client's data reaches their phone.
        // The message row refers to the audience's first client either way (the row needs a client;
        // only its id is read for a masked role).
        var firstId = await (await audience.AudienceAsync(db, campaign, ct)).OrderBy(c => c.Id).Select(c => (long?)c.Id).FirstOrDefaultAsync(ct)
            ?? throw new DomainException("The audience is empty: there is no client to render the test message for.");
        Client sample;
        IReadOnlyDictionary<string, string> attributes;
        string rendered;
        if (Roles.WithPersonalData.Any(user.IsInRole))
        {
            sample = await db.Clients.AsNoTracking().SingleAsync(c => c.Id == firstId, ct);
            var sampleId = sample.Id;
            attributes = await db.ClientAttributes.AsNoTracking().Where(a => a.ClientId == sampleId)
                .Join(db.AttributeDefinitions, a => a.DefinitionId, d => d.Id, (a, d) => new { d.Key, a.Text, a.Number })
                .ToDictionaryAsync(a => a.Key, a => a.Text ?? a.Number.GetValueOrDefault().ToString(CultureInfo.InvariantCulture), ct);
            rendered = $"client {sample.Id}";
        }
        else
        {
            sample = SampleClient.Create(now);
            attributes = await db.AttributeDefinitions.AsNoTracking().ToDictionaryAsync(d => d.Key, d => d.Label, ct);
            rendered = "sample client";
        }
        var sms = template.Render(sample, attributes, new CampaignMergeFields(campaign.Name, campaign.Settings.SenderId, now));

        // A test send is a message of no campaign (it must not count in the campaign's results).
        var message = new Message(null, firstId, number.Value, now) { Status = MessageStatus.Submitting, SubmittedAt = now };
        db.Messages.Add(message);
        await db.SaveChangesAsync(ct);
        var route = await router.RouteAsync(campaign, number.Value, ct);
        if (route is null)
        {
            message.Status = MessageStatus.Rejected;
            message.ErrorCode = "no-provider";
        }
        else
        {
            var result = await route.Sender.SendAsync(new OutgoingSms(message.Id, campaign.Settings.SenderId ?? "Portal", number.Value, sms.Text, TimeSpan.FromHours(1)), ct);
            message.Status = result.Status;
            message.ProviderId = route.ProviderId;
            message.ProviderMessageId = result.ProviderMessageId;
            message.Parts = result.Parts;
            message.Cost = result.Parts * route.PartPrice;
            message.ErrorCode = result.ErrorCode;
        }
        await db.SaveChangesAsync(ct);
        // The target is named masked: the Auditor reading this has no personal-data permission.
        await audit.WriteForUserAsync(own.Id, userName, AuditActions.CampaignTestSent, nameof(Campaign), campaignId.ToString(CultureInfo.InvariantCulture),
            $"to {PersonalDataMask.Phone(number.Value)} (own verified phone), rendered for {rendered}; message {message.Id}: {message.Status}", ct);
        return message.Status;
    }

    public async Task<CampaignProgress> GetProgressAsync(int campaignId, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await ReadProgressAsync(db, campaignId, ct);
    }

    /// <summary>
    /// Two statements: counts, parts and cost by (status, error code), and replies. The first
    /// range-scans the campaign's entries of the covering index (CampaignId, Status, ErrorCode,
    /// Parts, Cost) ONCE, in the index's order, without visiting the table (issue 20): the totals by
    /// status and the commonest error codes are both sums of its few groups. (Two statements, one
    /// by status and one by error code, read the 1.9 M entries of a large campaign twice.)
    /// </summary>
    internal static async Task<CampaignProgress> ReadProgressAsync(PortalDbContext db, int campaignId, CancellationToken ct)
    {
        var groups = await db.Messages.Where(m => m.CampaignId == campaignId)
            .GroupBy(m => new { m.Status, m.ErrorCode })
            .Select(g => new { g.Key.Status, g.Key.ErrorCode, Count = g.Count(), Parts = g.Sum(m => (long)m.Parts), Cost = g.Sum(m => (double)m.Cost) })
            .ToListAsync(ct);
        var byStatus = groups.GroupBy(g => g.Status)
            .Select(s => new { Status = s.Key, Count = s.Sum(g => g.Count), Parts = s.Sum(g => g.Parts), Cost = s.Sum(g => g.Cost) })
            .ToList();
        var errors = groups.Where(g => g.ErrorCode != null).GroupBy(g => g.ErrorCode!)
            .Select(e => new { Code = e.Key, Count = e.Sum(g => g.Count) })
            .OrderByDescending(e => e.Count).ThenBy(e => e.Code, StringComparer.Ordinal)
            .Take(20)
            .ToList();
        var replies = await db.InboundMessages.Where(i => i.CampaignId == campaignId)
            .GroupBy(i => i.Kind).Select(g => new { Kind = g.Key, Count = g.Count() }).ToListAsync(ct);
        int Count(params MessageStatus[] statuses) => byStatus.Where(s => statuses.Contains(s.Status)).Sum(s => s.Count);
        return new CampaignProgress(
            Total: byStatus.Sum(s => s.Count),
            Queued: Count(MessageStatus.Queued),
            Deferred: Count(MessageStatus.Deferred),
            Control: Count(MessageStatus.Control),
            Submitted: Count(MessageStatus.Submitted, MessageStatus.Submitting),
            Delivered: Count(MessageStatus.Delivered),
            Failed: Count(MessageStatus.Undeliverable, MessageStatus.Expired, MessageStatus.Rejected, MessageStatus.Unknown),
            Uncertain: Count(MessageStatus.Uncertain),
            Cancelled: Count(MessageStatus.Cancelled),
            Parts: byStatus.Sum(s => s.Parts),
            Cost: Math.Round((decimal)byStatus.Sum(s => s.Cost), 2),
            Replies: replies.Where(r => r.Kind == InboundKind.Reply).Sum(r => r.Count),
            OptOuts: replies.Where(r => r.Kind == InboundKind.OptOut).Sum(r => r.Count),
            Errors: errors.Select(e => (e.Code, e.Count)).ToList());
    }

    private async Task TransitionAsync(int campaignId, ClaimsPrincipal user, string action, Action<Campaign, DateTime> transition, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var campaign = await LoadForAsync(db, campaignId, user, action, ct);
        var from = campaign.Status;
        var now = clock.GetUtcNow().UtcDateTime;
        transition(campaign, now);
        var changed = await db.Campaigns.Where(c => c.Id == campaignId && c.Status == from)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.Status, campaign.Status)
                .SetProperty(c => c.FinishedAt, campaign.FinishedAt)
                .SetProperty(c => c.UpdatedAt, now), ct);
        if (changed == 0)
        {
            throw new DomainException("The campaign changed meanwhile (it may have just finished); reload and try again.");
        }
        dispatch.Invalidate(campaignId);
        await AuditAsync(user, action, campaignId, $"{from} -> {campaign.Status}", ct);
    }

    /// <summary>
    /// The campaign, when the user works with campaigns and may see it (issue 14). Another
    /// department's campaign reads as missing, exactly like one that does not exist, so ids cannot
    /// be probed; the attempt is audited.
    /// </summary>
    private async Task<Campaign> LoadForAsync(PortalDbContext db, int campaignId, ClaimsPrincipal user, string operation, CancellationToken ct)
    {
        var campaign = await db.Campaigns.FirstOrDefaultAsync(c => c.Id == campaignId, ct) ?? throw new DomainException("Campaign {0} does not exist.", campaignId);
        // Issue 18: a sandbox user cannot schedule, approve or stop a real campaign, nor anyone else a sandbox one.
        (await scopes.ForAsync(user, ct)).CheckPartition(campaign.SandboxOwnerId);
        if (!CampaignVisibility.WorksWithCampaigns(user) || !CampaignVisibility.CanSee(user, await CampaignVisibility.DepartmentOfAsync(db, user, ct), campaign))
        {
            await audit.WriteAsync(user, AuditActions.AccessRefused, nameof(Campaign), campaignId.ToString(CultureInfo.InvariantCulture), operation + ": another department's campaign", ct);
            throw new DomainException("Campaign {0} does not exist.", campaignId);
        }
        return campaign;
    }

    private Task AuditAsync(ClaimsPrincipal user, string action, int campaignId, string? details, CancellationToken ct) =>
        audit.WriteAsync(user, action, nameof(Campaign), campaignId.ToString(CultureInfo.InvariantCulture), details, ct);
}
