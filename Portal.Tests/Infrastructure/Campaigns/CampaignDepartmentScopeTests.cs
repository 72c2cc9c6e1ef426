using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Portal.Domain.Access;
using Portal.Domain.Audit;
using Portal.Domain.Campaigns;
using Portal.Domain.Common;
using Portal.Domain.Departments;
using Portal.Domain.Segments;
using Portal.Infrastructure.Campaigns;
using Portal.Infrastructure.Identity;
using Portal.Infrastructure.Persistence;
using Portal.Tests.Infrastructure.Sending;
using Portal.Tests.Support;

namespace Portal.Tests.Infrastructure.Campaigns;

/// <summary>
/// Issue 14: every id-based campaign operation checks the caller's department on the server. A
/// campaign manager of Sales acting by id on a Support campaign is refused (the campaign reads as
/// missing), nothing changes, and the attempt is audited; Support's own campaign manager, a
/// Manager and an administrator may act. Real host, both databases.
/// </summary>
public sealed class CampaignDepartmentScopeTests
{
    public static TheoryData<DatabaseProvider> Providers => [DatabaseProvider.Sqlite, DatabaseProvider.Postgres];

    private static readonly ClaimsPrincipal SalesManager = Actors.Principal("u-sales", "sales@portal.local", Roles.CampaignManager);
    private static readonly ClaimsPrincipal SupportManager = Actors.Principal("u-support", "support@portal.local", Roles.CampaignManager);
    private static readonly ClaimsPrincipal SupportColleague = Actors.Principal("u-support2", "support2@portal.local", Roles.CampaignManager);

    private sealed record Setup(DispatchHarness H, int SalesId, int SupportId);

    private static async Task<Setup> SetUpAsync(DatabaseProvider provider)
    {
        var h = await DispatchHarness.CreateAsync(provider, rabbit: false, settings: new() { ["Sending:Enabled"] = "false" });
        await h.SeedClientsAsync(3);
        await using var db = h.Database.CreateContext();
        var sales = new Department("Sales");
        var support = new Department("Support");
        db.Departments.AddRange(sales, support);
        await db.SaveChangesAsync();
        db.Users.Add(new PortalUser { Id = "u-sales", UserName = "sales@portal.local", NormalizedUserName = "SALES@PORTAL.LOCAL", DepartmentId = sales.Id });
        db.Users.Add(new PortalUser { Id = "u-support", UserName = "support@portal.local", NormalizedUserName = "SUPPORT@PORTAL.LOCAL", DepartmentId = support.Id });
        db.Users.Add(new PortalUser { Id = "u-support2", UserName = "support2@portal.local", NormalizedUserName = "SUPPORT2@PORTAL.LOCAL", DepartmentId = support.Id });
        await db.SaveChangesAsync();
        await h.StartAsync();
        return new Setup(h, sales.Id, support.Id);
    }

    /// <summary>A Support campaign written by Support's campaign manager, moved to <paramref name="status"/>.</summary>
    private static async Task<int> SupportCampaignAsync(Setup s, CampaignStatus status, bool requiresApproval = false)
    {
        await using var db = s.H.Database.CreateContext();
        var now = DateTime.UtcNow;
        var segment = new Segment("Support everyone " + Guid.NewGuid().ToString("N")[..6], s.SupportId, SegmentRuleJson.Serialize(SegmentRule.Everyone()), "seed", now);
        db.Segments.Add(segment);
        await db.SaveChangesAsync();
        var campaign = new Campaign("Support outage", s.SupportId, MessagePurpose.Service, "support@portal.local", now, new CampaignSettings { SegmentId = segment.Id, Body = "Service notice", SenderId = "Portal", QuietHoursEnabled = false }) { RequiresApproval = requiresApproval };
        if (status != CampaignStatus.Draft) campaign.Schedule(now.AddDays(1), now);
        if (status is CampaignStatus.Sending or CampaignStatus.Paused) campaign.Start(now);
        if (status is CampaignStatus.Paused) campaign.Pause(now);
        db.Campaigns.Add(campaign);
        await db.SaveChangesAsync();
        return campaign.Id;
    }

    private static async Task AssertRefusedAsync(Setup s, int campaignId, CampaignStatus before, Func<Task> act)
    {
        var refused = await Assert.ThrowsAsync<DomainException>(act);
        Assert.Contains("does not exist", refused.Message);
        Assert.Equal(before, await s.H.CampaignStatusAsync(campaignId));
        await using var db = s.H.Database.CreateContext();
        Assert.True(await db.AuditEntries.AnyAsync(a => a.Action == AuditActions.AccessRefused && a.EntityId == campaignId.ToString() && a.UserName == "sales@portal.local"));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Schedule_AnotherDepartmentsCampaign_IsRefused_OwnDepartmentMaySchedule(DatabaseProvider provider)
    {
        var s = await SetUpAsync(provider);
        await using var h = s.H;
        var id = await SupportCampaignAsync(s, CampaignStatus.Draft);
        var operations = h.Get<ICampaignOperations>();

        await AssertRefusedAsync(s, id, CampaignStatus.Draft, () => operations.ScheduleAsync(id, SalesManager));

        await operations.ScheduleAsync(id, SupportColleague);
        Assert.NotEqual(CampaignStatus.Draft, await h.CampaignStatusAsync(id));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Approve_AnotherDepartmentsCampaign_OrByACampaignManager_OrByTheAuthor_IsRefused(DatabaseProvider provider)
    {
        var s = await SetUpAsync(provider);
        await using var h = s.H;
        var id = await SupportCampaignAsync(s, CampaignStatus.Draft, requiresApproval: true);
        var operations = h.Get<ICampaignOperations>();

        await AssertRefusedAsync(s, id, CampaignStatus.Draft, () => operations.ApproveAsync(id, SalesManager));
        // Same department but not a manager, and the author even as a Manager: four eyes, on the server.
        await Assert.ThrowsAsync<DomainException>(() => operations.ApproveAsync(id, SupportColleague));
        await Assert.ThrowsAsync<DomainException>(() => operations.ApproveAsync(id, Actors.Principal("u-support", "support@portal.local", Roles.Manager)));
        await using (var db = h.Database.CreateContext())
        {
            Assert.Null((await db.Campaigns.SingleAsync(c => c.Id == id)).ApprovedAt);
        }

        await operations.ApproveAsync(id, Actors.Manager);
        await using var check = h.Database.CreateContext();
        Assert.Equal("manager@portal.local", (await check.Campaigns.SingleAsync(c => c.Id == id)).ApprovedBy);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Pause_AnotherDepartmentsCampaign_IsRefused_OwnDepartmentMayPause(DatabaseProvider provider)
    {
        var s = await SetUpAsync(provider);
        await using var h = s.H;
        var id = await SupportCampaignAsync(s, CampaignStatus.Sending);
        var operations = h.Get<ICampaignOperations>();

        await AssertRefusedAsync(s, id, CampaignStatus.Sending, () => operations.PauseAsync(id, SalesManager));

        await operations.PauseAsync(id, SupportColleague);
        Assert.Equal(CampaignStatus.Paused, await h.CampaignStatusAsync(id));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Resume_AnotherDepartmentsCampaign_IsRefused_AManagerMayResume(DatabaseProvider provider)
    {
        var s = await SetUpAsync(provider);
        await using var h = s.H;
        var id = await SupportCampaignAsync(s, CampaignStatus.Paused);
        var operations = h.Get<ICampaignOperations>();

        await AssertRefusedAsync(s, id, CampaignStatus.Paused, () => operations.ResumeAsync(id, SalesManager));

        await operations.ResumeAsync(id, Actors.Manager);
        Assert.Equal(CampaignStatus.Sending, await h.CampaignStatusAsync(id));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Cancel_AnotherDepartmentsCampaign_IsRefused_AnAdministratorMayCancel(DatabaseProvider provider)
    {
        var s = await SetUpAsync(provider);
        await using var h = s.H;
        var id = await SupportCampaignAsync(s, CampaignStatus.Scheduled);
        var operations = h.Get<ICampaignOperations>();

        await AssertRefusedAsync(s, id, CampaignStatus.Scheduled, () => operations.CancelAsync(id, SalesManager));

        await operations.CancelAsync(id, Actors.Operator);
        Assert.Equal(CampaignStatus.Cancelled, await h.CampaignStatusAsync(id));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Edit_AnotherDepartmentsDraft_IsRefused_AndTheDraftIsUnchanged(DatabaseProvider provider)
    {
        var s = await SetUpAsync(provider);
        await using var h = s.H;
        var id = await SupportCampaignAsync(s, CampaignStatus.Draft);
        var catalog = h.Get<CampaignCatalog>();
        var draft = CampaignDraft.From((await catalog.FindAsync(id, default))!);
        draft.Name = "Hijacked";
        // The segment is Support's: a Sales user is refused on the campaign before the segment check.
        await AssertRefusedAsync(s, id, CampaignStatus.Draft, () => catalog.SaveDraftAsync(id, draft, SalesManager, s.SalesId, default));

        await using var db = h.Database.CreateContext();
        Assert.Equal("Support outage", (await db.Campaigns.SingleAsync(c => c.Id == id)).Name);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task ARoleWithoutCampaigns_IsRefusedEvenOnASharedCampaign(DatabaseProvider provider)
    {
        var s = await SetUpAsync(provider);
        await using var h = s.H;
        // A campaign of no department written by the Analyst's own name: still not the Analyst's to run.
        var id = await h.CreateCampaignAsync(schedule: false);
        var analyst = Actors.Principal("u-analyst", "author", Roles.Analyst);

        var refused = await Assert.ThrowsAsync<DomainException>(() => h.Get<ICampaignOperations>().ScheduleAsync(id, analyst));

        Assert.Contains("does not exist", refused.Message);
        Assert.Equal(CampaignStatus.Draft, await h.CampaignStatusAsync(id));
    }
}
