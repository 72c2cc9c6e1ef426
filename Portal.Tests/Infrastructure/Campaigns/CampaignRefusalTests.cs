using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Portal.Domain.Campaigns;
using Portal.Domain.Common;
using Portal.Domain.Messages;
using Portal.Domain.Segments;
using Portal.Infrastructure.Audit;
using Portal.Infrastructure.Campaigns;
using Portal.Infrastructure.Identity;
using Portal.Infrastructure.Persistence;
using Portal.Tests.Infrastructure.Sending;
using Portal.Tests.Support;

namespace Portal.Tests.Infrastructure.Campaigns;

/// <summary>
/// Issue 21 (coverage): what the campaign services refuse, in words, and the audience's exclusions:
/// a text too long or naming a deleted segment, a message that does not parse or render, a test
/// send from a sandbox or with no provider, an estimate without an audience. Real host on SQLite
/// with the SMSC simulator; the senders are off.
/// </summary>
public sealed class CampaignRefusalTests
{
    private const string OwnPhone = "+79995550011";

    private static readonly Dictionary<string, string?> NoSenders = new() { ["Sending:Enabled"] = "false" };

    private static CampaignCatalog Catalog(TestDatabase database) =>
        new(database.Factory, new AuditLog(database.Factory, TimeProvider.System), new DepartmentScopes(database.Factory), TimeProvider.System);

    [Fact]
    public async Task SaveDraft_TextOverFiveThousandCharacters_IsRefusedAndNothingIsSaved()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);

        var error = await Assert.ThrowsAsync<DomainException>(() => Catalog(database).SaveDraftAsync(null,
            new CampaignDraft { Name = "Long", Settings = new CampaignSettings { Body = new string('a', 5001) } },
            CampaignCatalogTests.User("cm@portal.local"), null, default));

        Assert.Equal("A message text is at most 5,000 characters.", error.Message);
        await using var db = database.CreateContext();
        Assert.Equal(0, await db.Campaigns.CountAsync());
    }

    [Fact]
    public async Task SaveDraft_SegmentDeletedMeanwhile_IsRefusedNamingIt()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);

        var error = await Assert.ThrowsAsync<DomainException>(() => Catalog(database).SaveDraftAsync(null,
            new CampaignDraft { Name = "Stale form", Settings = new CampaignSettings { SegmentId = 424242, Body = "Hi" } },
            CampaignCatalogTests.User("cm@portal.local"), null, default));

        Assert.Equal("Segment 424242 no longer exists: choose another audience.", error.Message);
        await using var db = database.CreateContext();
        Assert.Equal(0, await db.Campaigns.CountAsync());
    }

    [Fact]
    public async Task List_ByStatus_ShowsOnlyCampaignsInThatStatus()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        var catalog = Catalog(database);
        var user = CampaignCatalogTests.User("cm@portal.local");
        var draft = await catalog.SaveDraftAsync(null, new CampaignDraft { Name = "Still a draft" }, user, null, default);
        var other = await catalog.SaveDraftAsync(null, new CampaignDraft { Name = "Cancelled one" }, user, null, default);
        await using (var db = database.CreateContext())
        {
            await db.Campaigns.Where(c => c.Id == other).ExecuteUpdateAsync(s => s.SetProperty(c => c.Status, CampaignStatus.Cancelled));
        }

        var drafts = await catalog.ListAsync(new CampaignListQuery(Status: CampaignStatus.Draft), default);
        var cancelled = await catalog.ListAsync(new CampaignListQuery(Status: CampaignStatus.Cancelled), default);
        var sending = await catalog.ListAsync(new CampaignListQuery(Status: CampaignStatus.Sending), default);

        Assert.Equal([draft], drafts.Select(r => r.Id));
        Assert.Equal([other], cancelled.Select(r => r.Id));
        Assert.Empty(sending);
    }

    [Fact]
    public async Task Schedule_MessageThatDoesNotParse_IsRefusedAndTheCampaignStaysADraft()
    {
        await using var h = await DispatchHarness.CreateAsync(DatabaseProvider.Sqlite, rabbit: false, settings: NoSenders);
        await h.SeedClientsAsync(2);
        await h.StartAsync();
        var campaignId = await h.CreateCampaignAsync(body: "Hi {{ client.nope }}", schedule: false);

        var error = await Assert.ThrowsAsync<DomainException>(() => h.Get<ICampaignOperations>().ScheduleAsync(campaignId, Actors.Author));

        Assert.StartsWith("The message does not parse: ", error.Message);
        Assert.Equal(CampaignStatus.Draft, await h.CampaignStatusAsync(campaignId));
    }

    [Fact]
    public async Task TestSend_MessageThatDoesNotParse_IsRefusedAndNothingIsSent()
    {
        await using var h = await WithUserAsync(sandboxMode: false);
        var campaignId = await h.CreateCampaignAsync(body: "Hi {{ client.nope }}", schedule: false);

        var error = await Assert.ThrowsAsync<DomainException>(() => h.Get<ICampaignOperations>().SendTestAsync(campaignId, null, Actors.Manager));

        Assert.StartsWith("The message does not parse: ", error.Message);
        Assert.Empty(h.Smsc.Messages);
    }

    [Fact]
    public async Task TestSend_FromTheTrainingSandbox_IsRefused_TheSimulatorGetsTheRealSendInstead()
    {
        await using var h = await WithUserAsync(sandboxMode: true);
        var campaignId = await h.CreateCampaignAsync(schedule: false, shape: c => c.PlaceInSandbox(Portal.Domain.Sandbox.SandboxPartition.Owner("u-manager")));

        var error = await Assert.ThrowsAsync<DomainException>(() => h.Get<ICampaignOperations>().SendTestAsync(campaignId, null, Actors.Manager));

        Assert.Equal("A sandbox campaign has no test send: send it, and the simulator receives it.", error.Message);
        Assert.Empty(h.Smsc.Messages);
    }

    [Fact]
    public async Task TestSend_NoProviderEnabled_IsRecordedRejectedAsNoProvider()
    {
        await using var h = await WithUserAsync(sandboxMode: false, disableProviders: true);
        var campaignId = await h.CreateCampaignAsync(schedule: false);

        var status = await h.Get<ICampaignOperations>().SendTestAsync(campaignId, null, Actors.Manager);

        Assert.Equal(MessageStatus.Rejected, status);
        await using var db = h.Database.CreateContext();
        var message = await db.Messages.SingleAsync(m => m.CampaignId == null);
        Assert.Equal((MessageStatus.Rejected, "no-provider", OwnPhone), (message.Status, message.ErrorCode, message.Phone));
        Assert.Empty(h.Smsc.Messages);
    }

    /// <summary>An excluded segment's clients get no message at launch.</summary>
    [Fact]
    public async Task Launch_WithAnExcludedSegment_LeavesItsClientsOut()
    {
        await using var h = await DispatchHarness.CreateAsync(DatabaseProvider.Sqlite, rabbit: false, settings: NoSenders);
        await h.SeedClientsAsync(5, (c, i) => c.Tariff = i < 2 ? "Gold" : "Basic");
        int gold;
        await using (var db = h.Database.CreateContext())
        {
            var rule = new SegmentRule { Root = new RuleGroup { Children = [new RuleCondition { Criterion = Criteria.Tariff, Operator = RuleOperator.Equals, Value = JsonValue.Create("Gold") }] } };
            var segment = new Segment("Gold", null, SegmentRuleJson.Serialize(rule), "test", DateTime.UtcNow);
            db.Segments.Add(segment);
            await db.SaveChangesAsync();
            gold = segment.Id;
        }
        await h.StartAsync();
        var campaignId = await h.CreateCampaignAsync(s => s with { ExcludedSegmentIds = [gold] });

        var launched = await h.Get<CampaignLauncher>().LaunchAsync(campaignId, default);

        Assert.Equal(3, launched!.Messages);
        await using var check = h.Database.CreateContext();
        var phones = await check.Messages.Where(m => m.CampaignId == campaignId).Select(m => m.Phone).OrderBy(p => p).ToListAsync();
        Assert.Equal(["+79000000003", "+79000000004", "+79000000005"], phones);
    }

    [Fact]
    public async Task Estimate_WithoutAnAudience_IsRefused()
    {
        await using var h = await DispatchHarness.CreateAsync(DatabaseProvider.Sqlite, rabbit: false, settings: NoSenders);
        await h.StartAsync();
        var campaignId = await h.CreateCampaignAsync(s => s with { SegmentId = null }, schedule: false);
        await using var db = h.Database.CreateContext();
        var campaign = await db.Campaigns.AsNoTracking().SingleAsync(c => c.Id == campaignId);

        var error = await Assert.ThrowsAsync<DomainException>(() => h.Get<ICampaignEstimator>().EstimateAsync(campaign));

        Assert.Equal("A campaign needs an audience.", error.Message);
    }

    /// <summary>A message that fails to render for a client names the client (by id, not by personal data).</summary>
    [Fact]
    public async Task Estimate_MessageThatFailsToRender_NamesTheClient()
    {
        await using var h = await DispatchHarness.CreateAsync(DatabaseProvider.Sqlite, rabbit: false, settings: NoSenders);
        await h.SeedClientsAsync(2);
        await h.StartAsync();
        var campaignId = await h.CreateCampaignAsync(body: "{% for i in (1..100000000) %}x{% endfor %}", schedule: false);
        await using var db = h.Database.CreateContext();
        var campaign = await db.Campaigns.AsNoTracking().SingleAsync(c => c.Id == campaignId);
        var first = await db.Clients.MinAsync(c => c.Id);

        var error = await Assert.ThrowsAsync<Portal.Domain.Templates.TemplateRenderException>(() => h.Get<ICampaignEstimator>().EstimateAsync(campaign));

        Assert.StartsWith($"Client {first}: ", error.Message);
        Assert.DoesNotContain("+7900", error.Message);
    }

    [Theory]
    [InlineData("{not json")]
    [InlineData("[1, 2]")]
    [InlineData("{\"MaxPartsPerSecond\": \"fast\"}")]
    public void PartsPerSecond_UnreadableProviderSettings_FallsBackToTheDefault(string settings) =>
        Assert.Equal(CampaignEstimator.DefaultPartsPerSecond, CampaignEstimator.PartsPerSecond(settings));

    private static async Task<DispatchHarness> WithUserAsync(bool sandboxMode, bool disableProviders = false)
    {
        var h = await DispatchHarness.CreateAsync(DatabaseProvider.Sqlite, rabbit: false, settings: NoSenders);
        await h.SeedClientsAsync(1);
        await using (var db = h.Database.CreateContext())
        {
            db.Users.Add(new PortalUser
            {
                Id = "u-manager", UserName = "manager@portal.local", NormalizedUserName = "MANAGER@PORTAL.LOCAL",
                PhoneNumber = OwnPhone, PhoneNumberConfirmed = true, SandboxMode = sandboxMode,
            });
            await db.SaveChangesAsync();
            if (disableProviders) await db.Providers.ExecuteUpdateAsync(s => s.SetProperty(p => p.Enabled, false));
        }
        await h.StartAsync();
        return h;
    }
}
