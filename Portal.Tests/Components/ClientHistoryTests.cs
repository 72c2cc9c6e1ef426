using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;
using Portal.Components.Pages.Clients;
using Portal.Domain.Audit;
using Portal.Domain.Campaigns;
using Portal.Domain.Clients;
using Portal.Domain.Integrations;
using Portal.Domain.Messages;
using Portal.Domain.Segments;
using Portal.Domain.Templates;
using Portal.Infrastructure.Audit;
using Portal.Infrastructure.Clients;
using Portal.Infrastructure.Persistence;
using Portal.Tests.Support;

namespace Portal.Tests.Components;

/// <summary>Issue 19: the client card's message history: sources, keyset paging, "why?", texts only for personal-data roles (audited).</summary>
public sealed class ClientHistoryTests
{
    private static readonly DateTime At = new(2026, 11, 20, 9, 0, 0, DateTimeKind.Utc);

    private static async Task<(TestDatabase Database, long ClientId)> SeedAsync(int campaignMessages)
    {
        var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using var db = database.CreateContext();
        var client = new Client(PhoneNumber.Parse("+79161234567"), "Anna", null, At.AddDays(-5));
        db.Clients.Add(client);
        var segment = new Segment("Moscow VIP", null, SegmentRuleJson.Serialize(SegmentRule.Everyone()), "test", At);
        db.Segments.Add(segment);
        await db.SaveChangesAsync();
        var campaign = new Campaign("Winter sale", null, MessagePurpose.Advertising, PortalAppFactory.AdminEmail, At.AddDays(-1), new CampaignSettings { SegmentId = segment.Id, Body = "Hello {{ client.first_name }}, -20% today" });
        db.Campaigns.Add(campaign);
        var key = new ApiKey("Billing system", "bill0001", new string('0', 64), [ApiScopes.MessagesSend], 100, "test", At);
        db.ApiKeys.Add(key);
        await db.SaveChangesAsync();
        for (var i = 0; i < campaignMessages; i++)
        {
            db.Messages.Add(new Message(campaign.Id, client.Id, client.Phone, At.AddMinutes(-100 + i)) { Status = MessageStatus.Delivered, Parts = 1, Cost = 0.35m });
        }
        var api = new Message(null, client.Id, client.Phone, At) { Status = MessageStatus.Delivered, Parts = 1, Cost = 0.5m };
        db.Messages.Add(api);
        await db.SaveChangesAsync();
        db.PriorityMessages.Add(new PriorityMessage(api.Id, PrioritySource.Api, key.Id, "Payment of 1 200 RUB received", "Bank", null, MessagePurpose.Service, At.AddDays(1), null, At));
        db.InboundMessages.Add(new InboundMessage(client.Phone, "1234", "STOP", At.AddMinutes(5), InboundKind.OptOut) { ClientId = client.Id, CampaignId = campaign.Id });
        await db.SaveChangesAsync();
        return (database, client.Id);
    }

    private static BunitContext Context(TestDatabase database, out AuditLog audit)
    {
        var ctx = new BunitContext();
        ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        ctx.Services.AddMudServices(o => o.PopoverOptions.CheckForPopoverProvider = false);
        ctx.Services.AddLocalization();
        audit = new AuditLog(database.Factory, TimeProvider.System);
        ctx.Services.AddSingleton(audit);
        ctx.Services.AddSingleton(new ClientMessageHistory(database.Factory, audit, new TemplateEngine(), TimeProvider.System));
        ctx.AddAuthorization().SetAuthorized(PortalAppFactory.AdminEmail);
        return ctx;
    }

    [Fact]
    public async Task PersonalDataReader_SeesSourcesPagesOlder_WhyAndAuditedText()
    {
        var (database, clientId) = await SeedAsync(campaignMessages: 24);
        await using var owned = database;
        await using var ctx = Context(database, out _);
        var page = ctx.Render<ClientHistory>(p => p.Add(c => c.ClientId, clientId).Add(c => c.SeesPersonalData, true));

        page.WaitForAssertion(() => Assert.Equal(20, page.FindAll("[data-testid=history-source]").Count));
        // Newest first: the API message on top, named by its key.
        Assert.Equal("API · Billing system", page.FindAll("[data-testid=history-source]")[0].TextContent);
        Assert.Equal("Winter sale", page.FindAll("[data-testid=history-source]")[1].TextContent);
        page.Find("[data-testid=history-more]").Click();
        page.WaitForAssertion(() => Assert.Equal(25, page.FindAll("[data-testid=history-source]").Count));
        Assert.Empty(page.FindAll("[data-testid=history-more]"));
        Assert.Contains("Opt-out by SMS", page.Find("[data-testid=history-replies]").TextContent);

        page.FindAll("[data-testid=history-why]")[1].Click();
        page.WaitForAssertion(() => Assert.Contains("Moscow VIP", page.Find("[data-testid=history-detail]").TextContent));
        Assert.Contains("Winter sale", page.Find("[data-testid=history-detail]").TextContent);
        page.FindAll("[data-testid=history-why]")[0].Click();
        page.WaitForAssertion(() => Assert.Contains("Billing system (bill0001)", page.Find("[data-testid=history-detail]").TextContent));

        page.FindAll("[data-testid=history-text]")[0].Click();
        page.WaitForAssertion(() => Assert.Contains("Payment of 1 200 RUB received", page.Find("[data-testid=history-detail]").TextContent));
        page.FindAll("[data-testid=history-text]")[1].Click();
        page.WaitForAssertion(() => Assert.Contains("Hello Anna, -20% today", page.Find("[data-testid=history-detail]").TextContent));
        await using var db = database.CreateContext();
        Assert.Equal(2, await db.AuditEntries.CountAsync(e => e.Action == AuditActions.MessageTextViewed));
    }

    [Fact]
    public async Task MaskedReader_GetsNoTextButtonNoReplyTexts_AndTheServiceRefusesText()
    {
        var (database, clientId) = await SeedAsync(campaignMessages: 2);
        await using var owned = database;
        await using var ctx = Context(database, out _);
        var page = ctx.Render<ClientHistory>(p => p.Add(c => c.ClientId, clientId).Add(c => c.SeesPersonalData, false));

        page.WaitForAssertion(() => Assert.Equal(3, page.FindAll("[data-testid=history-source]").Count));
        Assert.Empty(page.FindAll("[data-testid=history-text]"));
        Assert.DoesNotContain("STOP", page.Find("[data-testid=history-replies]").TextContent);
        var history = ctx.Services.GetRequiredService<ClientMessageHistory>();
        await using var db = database.CreateContext();
        var id = await db.PriorityMessages.Select(p => p.MessageId).SingleAsync();
        Assert.Null(await history.TextAsync(new System.Security.Claims.ClaimsPrincipal(), false, clientId, id, default));
        Assert.Equal(0, await db.AuditEntries.CountAsync(e => e.Action == AuditActions.MessageTextViewed));
        // Another client's message id reveals nothing.
        Assert.Null(await history.ReasonAsync(clientId + 1, id, default));
    }
}
