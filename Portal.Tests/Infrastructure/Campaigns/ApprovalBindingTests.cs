using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Portal.Domain.Audit;
using Portal.Domain.Campaigns;
using Portal.Domain.Segments;
using Portal.Infrastructure.Campaigns;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Segments;
using Portal.Tests.Infrastructure.Sending;

namespace Portal.Tests.Infrastructure.Campaigns;

/// <summary>
/// Issue 14: an approval covers the audience's rule version and the size and cost the Manager saw.
/// At launch the rule is compared and size and cost estimated again; a changed rule or growth
/// beyond the tolerance refuses the launch and returns the campaign to Draft needing approval.
/// </summary>
public sealed class ApprovalBindingTests
{
    public static TheoryData<DatabaseProvider> Providers => [DatabaseProvider.Sqlite, DatabaseProvider.Postgres];

    private static readonly Dictionary<string, string?> NoSenders = new() { ["Sending:Enabled"] = "false" };

    private static SegmentRule Gold() => new()
    {
        Root = new RuleGroup { Children = [new RuleCondition { Criterion = Criteria.Tariff, Operator = RuleOperator.Equals, Value = JsonValue.Create("Gold") }] },
    };

    /// <summary>3,000 clients, 1,000 of them Gold; a campaign to the Gold segment, approved and scheduled.</summary>
    private static async Task<(DispatchHarness H, int CampaignId, int SegmentId)> ApprovedAsync(DatabaseProvider provider)
    {
        var h = await DispatchHarness.CreateAsync(provider, rabbit: false, settings: NoSenders);
        await h.SeedClientsAsync(3_000, (c, i) => c.Tariff = i % 3 == 0 ? "Gold" : "Basic");
        await h.StartAsync();
        var (segmentId, _) = await h.Get<SegmentStore>().SaveAsync(null, "Gold", Gold(), null, "test", default);
        var campaignId = await h.CreateCampaignAsync(s => s with { SegmentId = segmentId }, shape: c => c.RequiresApproval = true, schedule: false);
        var operations = h.Get<ICampaignOperations>();
        await operations.ApproveAsync(campaignId, Actors.Manager);
        await operations.ScheduleAsync(campaignId, Actors.Author);
        return (h, campaignId, segmentId);
    }

    private static async Task<Campaign> CampaignAsync(DispatchHarness h, int id)
    {
        await using var db = h.Database.CreateContext();
        return await db.Campaigns.AsNoTracking().SingleAsync(c => c.Id == id);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Approval_RecordsRuleVersionSizeAndCost(DatabaseProvider provider)
    {
        var (h, campaignId, segmentId) = await ApprovedAsync(provider);
        await using var _ = h;

        var campaign = await CampaignAsync(h, campaignId);

        Assert.Equal($"s{segmentId}v1", campaign.ApprovedAudience);
        Assert.Equal(1_000, campaign.ApprovedRecipients);
        Assert.Equal(350m, campaign.ApprovedCost);
        Assert.Equal(CampaignStatus.Scheduled, campaign.Status);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task ApprovedAtAThousand_RuleChangedToMatchEveryone_LaunchRefused_BackToDraftNeedingApproval_Audited(DatabaseProvider provider)
    {
        var (h, campaignId, segmentId) = await ApprovedAsync(provider);
        await using var _ = h;

        await h.Get<SegmentStore>().SaveAsync(segmentId, "Gold", SegmentRule.Everyone(), null, "someone", default);
        var result = await h.Get<CampaignLauncher>().LaunchAsync(campaignId, default);

        Assert.Null(result);
        var campaign = await CampaignAsync(h, campaignId);
        Assert.Equal(CampaignStatus.Draft, campaign.Status);
        Assert.True(campaign.RequiresApproval);
        Assert.Null(campaign.ApprovedAt);
        Assert.Null(campaign.ApprovedAudience);
        await using var db = h.Database.CreateContext();
        Assert.Equal(0, await db.Messages.CountAsync(m => m.CampaignId == campaignId));
        var refusal = await db.AuditEntries.SingleAsync(a => a.Action == AuditActions.CampaignLaunchRefused && a.EntityId == campaignId.ToString());
        Assert.Contains("rules changed", refusal.Details);
        // Scheduling again needs a new approval.
        await Assert.ThrowsAsync<Portal.Domain.Common.DomainException>(() => h.Get<ICampaignOperations>().ScheduleAsync(campaignId, Actors.Author));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task SameRule_AudienceGrewBeyondTheTolerance_LaunchRefused(DatabaseProvider provider)
    {
        var (h, campaignId, _) = await ApprovedAsync(provider);
        await using var __ = h;
        // 500 more Gold clients (numbers after the first 3,000): 1,500 > 1,000 + 10 %.
        await using (var db = h.Database.CreateContext())
        {
            for (var i = 0; i < 500; i++)
            {
                db.Clients.Add(new Portal.Domain.Clients.Client(Portal.Domain.Clients.PhoneNumber.Parse($"+7901{i:D7}"), "New" + i, null, DateTime.UtcNow) { Tariff = "Gold" });
            }
            await db.SaveChangesAsync();
        }

        Assert.Null(await h.Get<CampaignLauncher>().LaunchAsync(campaignId, default));

        var campaign = await CampaignAsync(h, campaignId);
        Assert.Equal(CampaignStatus.Draft, campaign.Status);
        await using var check = h.Database.CreateContext();
        Assert.Contains("audience grew", (await check.AuditEntries.SingleAsync(a => a.Action == AuditActions.CampaignLaunchRefused)).Details);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task SameRule_GrowthWithinTheTolerance_Launches(DatabaseProvider provider)
    {
        var (h, campaignId, _) = await ApprovedAsync(provider);
        await using var __ = h;
        await using (var db = h.Database.CreateContext())
        {
            for (var i = 0; i < 50; i++)
            {
                db.Clients.Add(new Portal.Domain.Clients.Client(Portal.Domain.Clients.PhoneNumber.Parse($"+7901{i:D7}"), "New" + i, null, DateTime.UtcNow) { Tariff = "Gold" });
            }
            await db.SaveChangesAsync();
        }

        var result = await h.Get<CampaignLauncher>().LaunchAsync(campaignId, default);

        Assert.NotNull(result);
        Assert.Equal(1_050, result.Messages);
        Assert.Equal(CampaignStatus.Sending, (await CampaignAsync(h, campaignId)).Status);
    }
}
