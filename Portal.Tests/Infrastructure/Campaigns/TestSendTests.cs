using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Portal.Domain.Access;
using Portal.Domain.Audit;
using Portal.Domain.Clients;
using Portal.Domain.Common;
using Portal.Domain.Messages;
using Portal.Infrastructure.Campaigns;
using Portal.Infrastructure.Identity;
using Portal.Infrastructure.Persistence;
using Portal.Tests.Infrastructure.Sending;

namespace Portal.Tests.Infrastructure.Campaigns;

/// <summary>
/// Issue 14: a test send goes only to the signed-in user's own verified phone, carries no real
/// client's data for a role without personal data, is limited per user and audited with its target.
/// Through the real host (SMSC simulator over TCP) on both databases.
/// </summary>
public sealed class TestSendTests
{
    public static TheoryData<DatabaseProvider> Providers => [DatabaseProvider.Sqlite, DatabaseProvider.Postgres];

    private const string Body = "Hi {{ client.first_name }} {{ client.external_id }} {{ attr.card }}";
    private const string OwnPhone = "+79995550011";

    internal static ClaimsPrincipal Principal(string id, string name, string role) =>
        new(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, id), new Claim(ClaimTypes.Name, name), new Claim(ClaimTypes.Role, role)], "test"));

    private static async Task<DispatchHarness> SetUpAsync(DatabaseProvider provider, Dictionary<string, string?>? settings = null)
    {
        var h = await DispatchHarness.CreateAsync(provider, rabbit: false, settings: settings);
        h.CaptureLogs = true;
        // One real client, the audience's first: an external id and attribute nobody masked may see.
        await h.SeedClientsAsync(1, (c, _) =>
        {
            c.FirstName = "Zinaida";
            c.LastName = "Kuznetsova";
            c.ExternalId = "CRM-SECRET-77";
            c.Balance = 98765.43m;
        });
        await using var db = h.Database.CreateContext();
        var card = new AttributeDefinition("card", AttributeType.Text, "Loyalty card");
        db.AttributeDefinitions.Add(card);
        await db.SaveChangesAsync();
        db.ClientAttributes.Add(new ClientAttribute(await db.Clients.Select(c => c.Id).FirstAsync(), card.Id, text: "4111-SECRET"));
        db.Users.Add(new PortalUser { Id = "u-manager", UserName = "manager@portal.local", NormalizedUserName = "MANAGER@PORTAL.LOCAL", PhoneNumber = OwnPhone, PhoneNumberConfirmed = true });
        db.Users.Add(new PortalUser { Id = "u-author", UserName = "author", NormalizedUserName = "AUTHOR", PhoneNumber = "+79995550022", PhoneNumberConfirmed = true });
        db.Users.Add(new PortalUser { Id = "u-unverified", UserName = "new@portal.local", NormalizedUserName = "NEW@PORTAL.LOCAL", PhoneNumber = "+79995550033", PhoneNumberConfirmed = false });
        await db.SaveChangesAsync();
        await h.StartAsync();
        return h;
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Manager_TestSend_GoesToTheOwnVerifiedPhone_RenderedForTheSampleClient_NoRealClientData_AndTheAuditNamesTheTarget(DatabaseProvider provider)
    {
        await using var h = await SetUpAsync(provider);
        var campaignId = await h.CreateCampaignAsync(body: Body, schedule: false);

        var status = await h.Get<ICampaignOperations>().SendTestAsync(campaignId, null, Principal("u-manager", "manager@portal.local", Roles.Manager));

        Assert.Equal(MessageStatus.Submitted, status);
        var sms = Assert.Single(h.Smsc.Messages);
        Assert.Equal(OwnPhone.TrimStart('+'), sms.To.Value);
        Assert.DoesNotContain("Zinaida", sms.Text);
        Assert.DoesNotContain("CRM-SECRET-77", sms.Text);
        Assert.DoesNotContain("4111-SECRET", sms.Text);
        Assert.Contains("Анна", sms.Text);
        await using var db = h.Database.CreateContext();
        var entry = await db.AuditEntries.SingleAsync(a => a.Action == AuditActions.CampaignTestSent);
        Assert.Equal("manager@portal.local", entry.UserName);
        Assert.Contains(PersonalDataMask.Phone(OwnPhone), entry.Details);
        Assert.Contains("sample client", entry.Details);
        Assert.DoesNotContain(OwnPhone, entry.Details);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task CampaignManager_TestSend_RendersTheFirstRealClient_ToTheOwnPhone(DatabaseProvider provider)
    {
        await using var h = await SetUpAsync(provider);
        var campaignId = await h.CreateCampaignAsync(body: Body, schedule: false);

        await h.Get<ICampaignOperations>().SendTestAsync(campaignId, null, Principal("u-author", "author", Roles.CampaignManager));

        var sms = Assert.Single(h.Smsc.Messages);
        Assert.Equal("79995550022", sms.To.Value);
        Assert.Contains("Zinaida", sms.Text);
        Assert.Contains("4111-SECRET", sms.Text);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task TypedNumber_OtherThanTheOwnVerifiedPhone_IsRefusedAndAudited_AndAnUnverifiedPhoneSendsNothing(DatabaseProvider provider)
    {
        await using var h = await SetUpAsync(provider);
        var campaignId = await h.CreateCampaignAsync(body: Body, schedule: false);
        var operations = h.Get<ICampaignOperations>();

        var typed = await Assert.ThrowsAsync<DomainException>(() =>
            operations.SendTestAsync(campaignId, "+7 916 123-45-67", Principal("u-manager", "manager@portal.local", Roles.Manager)));
        var unverified = await Assert.ThrowsAsync<DomainException>(() =>
            operations.SendTestAsync(campaignId, null, Principal("u-unverified", "new@portal.local", Roles.Administrator)));
        // The own phone typed in another format is the same number: allowed.
        await operations.SendTestAsync(campaignId, "8 (999) 555-00-11", Principal("u-manager", "manager@portal.local", Roles.Manager));

        Assert.Contains("own verified phone", typed.Message);
        Assert.Contains("no verified phone", unverified.Message);
        var sms = Assert.Single(h.Smsc.Messages);
        Assert.Equal("79995550011", sms.To.Value);
        await using var db = h.Database.CreateContext();
        Assert.Equal(1, await db.AuditEntries.CountAsync(a => a.Action == AuditActions.AccessRefused && a.UserName == "manager@portal.local"));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task RateLimit_PerUserPerHour_Holds_OtherUsersAreNotAffected(DatabaseProvider provider)
    {
        await using var h = await SetUpAsync(provider, new() { ["Campaigns:TestSendsPerHour"] = "2" });
        var campaignId = await h.CreateCampaignAsync(body: Body, schedule: false);
        var operations = h.Get<ICampaignOperations>();
        var manager = Principal("u-manager", "manager@portal.local", Roles.Manager);

        await operations.SendTestAsync(campaignId, null, manager);
        await operations.SendTestAsync(campaignId, null, manager);
        var third = await Assert.ThrowsAsync<DomainException>(() => operations.SendTestAsync(campaignId, null, manager));
        await operations.SendTestAsync(campaignId, null, Principal("u-author", "author", Roles.CampaignManager));

        Assert.Contains("Too many test messages", third.Message);
        Assert.Equal(2, h.Smsc.Messages.Count(m => m.To.Value == "79995550011"));
        Assert.Equal(1, h.Smsc.Messages.Count(m => m.To.Value == "79995550022"));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task TestSend_OfAnotherDepartmentsCampaign_IsRefusedAndAudited_NothingIsSent(DatabaseProvider provider)
    {
        await using var h = await SetUpAsync(provider);
        int campaignId;
        await using (var db = h.Database.CreateContext())
        {
            var support = new Portal.Domain.Departments.Department("Support");
            db.Departments.Add(support);
            await db.SaveChangesAsync();
            var segment = new Portal.Domain.Segments.Segment("Support everyone", support.Id,
                Portal.Domain.Segments.SegmentRuleJson.Serialize(Portal.Domain.Segments.SegmentRule.Everyone()), "seed", DateTime.UtcNow);
            db.Segments.Add(segment);
            await db.SaveChangesAsync();
            var campaign = new Portal.Domain.Campaigns.Campaign("Support outage", support.Id, Portal.Domain.Campaigns.MessagePurpose.Service, "support@portal.local", DateTime.UtcNow,
                new Portal.Domain.Campaigns.CampaignSettings { SegmentId = segment.Id, Body = Body });
            db.Campaigns.Add(campaign);
            await db.SaveChangesAsync();
            campaignId = campaign.Id;
        }

        // A campaign manager of no department, not the author: the campaign is not theirs to see.
        var refused = await Assert.ThrowsAsync<DomainException>(() =>
            h.Get<ICampaignOperations>().SendTestAsync(campaignId, null, Principal("u-author", "author", Roles.CampaignManager)));

        Assert.Contains("does not exist", refused.Message);
        Assert.Empty(h.Smsc.Messages);
        await using var check = h.Database.CreateContext();
        Assert.True(await check.AuditEntries.AnyAsync(a => a.Action == AuditActions.AccessRefused && a.EntityId == campaignId.ToString() && a.UserName == "author"));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Logs_OfTestSendsAndARefusal_CarryNoPhoneNameOrText(DatabaseProvider provider)
    {
        await using var h = await SetUpAsync(provider);
        var campaignId = await h.CreateCampaignAsync(body: Body, schedule: false);
        var operations = h.Get<ICampaignOperations>();

        await operations.SendTestAsync(campaignId, null, Principal("u-manager", "manager@portal.local", Roles.Manager));
        await operations.SendTestAsync(campaignId, null, Principal("u-author", "author", Roles.CampaignManager));
        await Assert.ThrowsAsync<DomainException>(() => operations.SendTestAsync(campaignId, "+79161112233", Principal("u-manager", "manager@portal.local", Roles.Manager)));

        Assert.Equal(2, h.Smsc.Messages.Count);
        Assert.NotEmpty(h.Logs);
        foreach (var secret in new[] { "9995550011", "9995550022", "9161112233", "Zinaida", "CRM-SECRET-77", "4111-SECRET", "Hi Zinaida" })
        {
            Assert.DoesNotContain(h.Logs, line => line.Contains(secret, StringComparison.Ordinal));
        }
    }
}
