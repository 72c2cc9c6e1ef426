using System.Globalization;
using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Portal.Domain.Access;
using Portal.Domain.Audit;
using Portal.Domain.Campaigns;
using Portal.Domain.Clients;
using Portal.Domain.Common;
using Portal.Domain.Messages;
using Portal.Domain.Sandbox;
using Portal.Domain.Segments;
using Portal.Domain.Templates;
using Portal.Infrastructure.Audit;
using Portal.Infrastructure.Campaigns;
using Portal.Infrastructure.Inbound;
using Portal.Infrastructure.Persistence;

namespace Portal.Infrastructure.Sandbox;

/// <summary>One sandbox campaign as the sandbox page lists it.</summary>
public sealed record SandboxCampaignRow(int Id, string Name, CampaignStatus Status, int? ProviderId, int Messages, int Delivered, int Replies, DateTime CreatedAt);

/// <summary>A user who has a sandbox, for the trainer's reset list.</summary>
public sealed record SandboxTraineeRow(string UserId, string UserName, string DisplayName, bool InSandbox, int Clients, int Campaigns);

/// <summary>
/// Issue 18, item 4: a trainee's training sandbox (ADR 0015). Its rows carry the trainee's id in
/// <c>SandboxOwnerId</c>; real pages, analytics, exports and the dashboard read only rows where it is
/// null, and routing sends a sandbox campaign's messages to the built-in simulator only
/// (<see cref="Providers.LeastCostMessageRouter"/>). This class makes a sandbox (synthetic clients in the
/// reserved phone block, an audience of all of them, a starter template), sends practice campaigns
/// in it, and resets it.
/// </summary>
public sealed class TrainingSandbox(IDbContextFactory<PortalDbContext> contexts, CampaignLauncher launcher, AuditLog audit, TimeProvider clock)
{
    private static readonly string[] FirstNames = ["Anna", "Boris", "Vera", "Gleb", "Daria", "Egor", "Zoya", "Ivan", "Kira", "Lev", "Maria", "Nikita"];
    private static readonly string[] LastNames = ["Training", "Practice", "Sample", "Demo"];

    public const string AudienceName = "All sandbox clients";
    public const string StarterTemplateName = "Sandbox greeting";

    public async Task<bool> IsActiveAsync(string userId, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await db.Users.Where(u => u.Id == userId).Select(u => u.SandboxMode).FirstOrDefaultAsync(ct);
    }

    /// <summary>Turns the user's sandbox mode on or off; entering makes the sandbox when it has no clients yet.</summary>
    public async Task SetModeAsync(ClaimsPrincipal user, string userId, bool on, CancellationToken ct)
    {
        await using (var db = await contexts.CreateDbContextAsync(ct))
        {
            var changed = await db.Users.Where(u => u.Id == userId).ExecuteUpdateAsync(s => s.SetProperty(u => u.SandboxMode, on), ct);
            if (changed == 0) throw new DomainException("User {0} does not exist.", userId);
        }
        if (on) await EnsureAsync(userId, ct);
        await audit.WriteAsync(user, on ? AuditActions.SandboxEntered : AuditActions.SandboxLeft, "User", userId, null, ct);
    }

    /// <summary>Makes the trainee's synthetic clients, audience and starter template if the sandbox has no clients.</summary>
    public async Task EnsureAsync(string ownerId, CancellationToken ct)
    {
        SandboxPartition.Owner(ownerId);
        await using var db = await contexts.CreateDbContextAsync(ct);
        if (await db.Clients.AnyAsync(c => c.SandboxOwnerId == ownerId, ct)) return;
        var now = clock.GetUtcNow().UtcDateTime;
        // Free numbers of the reserved block, lowest first; a real client that happens to own one is skipped.
        var taken = (await db.Clients.Where(c => c.Phone.StartsWith(SandboxPartition.PhonePrefix)).Select(c => c.Phone).ToListAsync(ct)).ToHashSet(StringComparer.Ordinal);
        var n = 0;
        for (var i = 0; i < SandboxPartition.SyntheticClients; i++)
        {
            PhoneNumber phone;
            do phone = SandboxPartition.SyntheticPhone(n++);
            while (taken.Contains(phone.Value));
            var client = new Client(phone, FirstNames[i % FirstNames.Length], LastNames[i % LastNames.Length], now)
            {
                City = i % 2 == 0 ? "Moscow" : "Kazan",
                RegionCode = i % 2 == 0 ? "MOW" : "TA",
                Language = i % 3 == 0 ? "en" : "ru",
                TotalSpend = 1000 + 250 * i,
                PurchaseCount = i % 5,
            };
            client.SetConsent(ConsentPurpose.Service, true, now, "sandbox", null);
            client.SetConsent(ConsentPurpose.Advertising, true, now, "sandbox", null);
            client.PlaceInSandbox(ownerId);
            db.Clients.Add(client);
        }
        if (!await db.Segments.AnyAsync(s => s.SandboxOwnerId == ownerId, ct))
        {
            var segment = new Segment(AudienceName, null, SegmentRuleJson.Serialize(SegmentRule.Everyone()), ownerId, now);
            segment.PlaceInSandbox(ownerId);
            db.Segments.Add(segment);
        }
        if (!await db.Templates.AnyAsync(t => t.SandboxOwnerId == ownerId, ct))
        {
            var template = new MessageTemplate(StarterTemplateName, null, "Hello {{ client.first_name }}! Reply to this practice message.", ownerId, now);
            template.PlaceInSandbox(ownerId);
            db.Templates.Add(template);
        }
        await db.SaveChangesAsync(ct);
    }

    /// <summary>
    /// Sends a practice campaign to the trainee's audience now. <paramref name="providerId"/> is
    /// stored as named (a trainee may pick any provider in the form), but routing ignores every
    /// provider except the built-in simulator for a sandbox campaign.
    /// </summary>
    public async Task<int> SendAsync(ClaimsPrincipal user, string ownerId, string name, string body, int? providerId, CancellationToken ct)
    {
        await EnsureAsync(ownerId, ct);
        int campaignId;
        await using (var db = await contexts.CreateDbContextAsync(ct))
        {
            var now = clock.GetUtcNow().UtcDateTime;
            var segmentId = await db.Segments.Where(s => s.SandboxOwnerId == ownerId).OrderBy(s => s.Id).Select(s => s.Id).FirstAsync(ct);
            var template = new MessageTemplate(Limit(name), null, body, ownerId, now);
            template.PlaceInSandbox(ownerId);
            db.Templates.Add(template);
            await db.SaveChangesAsync(ct);
            var campaign = new Campaign(Limit(name), null, MessagePurpose.Service, user.Identity?.Name ?? ownerId, now, new CampaignSettings
            {
                SegmentId = segmentId,
                TemplateId = template.Id,
                Body = template.Body,
                SenderId = "Training",
                ProviderId = providerId,
                QuietHoursEnabled = false,
                ValidityHours = 1,
            });
            campaign.PlaceInSandbox(ownerId);
            campaign.Schedule(now, now);
            db.Campaigns.Add(campaign);
            await db.SaveChangesAsync(ct);
            campaignId = campaign.Id;
        }
        await audit.WriteAsync(user, AuditActions.SandboxCampaignSent, nameof(Campaign), campaignId.ToString(CultureInfo.InvariantCulture), null, ct);
        // Straight to the launcher: a practice send does not wait for a scheduler node.
        await launcher.LaunchAsync(campaignId, ct);
        return campaignId;
    }

    private static string Limit(string name) => string.IsNullOrWhiteSpace(name) ? "Practice" : name.Trim()[..Math.Min(name.Trim().Length, 200)];

    public async Task<int> ClientCountAsync(string ownerId, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await db.Clients.CountAsync(c => c.SandboxOwnerId == ownerId, ct);
    }

    public async Task<IReadOnlyList<SandboxCampaignRow>> CampaignsAsync(string ownerId, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await db.Campaigns.AsNoTracking().Where(c => c.SandboxOwnerId == ownerId)
            .OrderByDescending(c => c.Id).Take(50)
            .Select(c => new SandboxCampaignRow(c.Id, c.Name, c.Status, c.Settings.ProviderId,
                db.Messages.Count(m => m.CampaignId == c.Id),
                db.Messages.Count(m => m.CampaignId == c.Id && m.Status == MessageStatus.Delivered),
                db.InboundMessages.Count(i => i.CampaignId == c.Id),
                c.CreatedAt))
            .ToListAsync(ct);
    }

    /// <summary>The sandbox inbox: replies of this trainee's synthetic clients only (synthetic, so unmasked).</summary>
    public Task<InboxPage> InboxAsync(InboxQueries inbox, string ownerId, CancellationToken ct) =>
        inbox.PageAsync(new InboxQuery { SandboxOwnerId = ownerId }, 0, 50, unmasked: true, ct);

    /// <summary>Users who are in sandbox mode or have sandbox rows, for the trainer.</summary>
    public async Task<IReadOnlyList<SandboxTraineeRow>> TraineesAsync(CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await db.Users.AsNoTracking()
            .Where(u => u.SandboxMode || db.Clients.Any(c => c.SandboxOwnerId == u.Id))
            .OrderBy(u => u.UserName)
            .Select(u => new SandboxTraineeRow(u.Id, u.UserName ?? "", u.DisplayName, u.SandboxMode,
                db.Clients.Count(c => c.SandboxOwnerId == u.Id), db.Campaigns.Count(c => c.SandboxOwnerId == u.Id)))
            .ToListAsync(ct);
    }

    /// <summary>
    /// A trainer's reset: deletes every sandbox row of the trainee (replies, campaigns with their
    /// messages, templates, audiences, clients) in one transaction, then makes fresh synthetic clients.
    /// Real rows cannot be touched: every statement is limited to <c>SandboxOwnerId = ownerId</c>.
    /// </summary>
    public async Task ResetAsync(ClaimsPrincipal trainer, string ownerId, CancellationToken ct)
    {
        SandboxPartition.Owner(ownerId);
        if (!trainer.IsInRole(Roles.Trainer) && !trainer.IsInRole(Roles.Administrator))
        {
            // The page hides the button; the server does not trust the page.
            await audit.WriteAsync(trainer, AuditActions.AccessRefused, "User", ownerId, "sandbox reset: not a trainer", ct);
            throw new DomainException("Only a trainer can reset a sandbox.");
        }
        await using (var db = await contexts.CreateDbContextAsync(ct))
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var campaigns = db.Campaigns.Where(c => c.SandboxOwnerId == ownerId).Select(c => (int?)c.Id);
            var clients = db.Clients.Where(c => c.SandboxOwnerId == ownerId).Select(c => (long?)c.Id);
            await db.InboundMessages.Where(i => campaigns.Contains(i.CampaignId) || clients.Contains(i.ClientId)).ExecuteDeleteAsync(ct);
            await db.Campaigns.Where(c => c.SandboxOwnerId == ownerId && c.ParentCampaignId != null).ExecuteDeleteAsync(ct);
            await db.Campaigns.Where(c => c.SandboxOwnerId == ownerId).ExecuteDeleteAsync(ct);
            await db.Templates.Where(t => t.SandboxOwnerId == ownerId).ExecuteDeleteAsync(ct);
            await db.Segments.Where(s => s.SandboxOwnerId == ownerId).ExecuteDeleteAsync(ct);
            await db.Clients.Where(c => c.SandboxOwnerId == ownerId).ExecuteDeleteAsync(ct);
            await tx.CommitAsync(ct);
        }
        await audit.WriteAsync(trainer, AuditActions.SandboxReset, "User", ownerId, null, ct);
        await EnsureAsync(ownerId, ct);
    }
}
