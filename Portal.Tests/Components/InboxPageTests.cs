using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;
using Portal.Domain.Access;
using Portal.Domain.Audit;
using Portal.Domain.Campaigns;
using Portal.Domain.Clients;
using Portal.Domain.Messages;
using Portal.Infrastructure.Audit;
using Portal.Infrastructure.Campaigns;
using Portal.Infrastructure.Inbound;
using Portal.Infrastructure.Persistence;
using Portal.Tests.Support;
using InboxPage = Portal.Components.Pages.Inbox.Inbox;

namespace Portal.Tests.Components;

/// <summary>The inbox (issue 7, item 5): masking per role, audit of unmasked reads, the replied-to campaign, mark read, rules.</summary>
public sealed class InboxPageTests
{
    private static readonly DateTime At = new(2026, 11, 20, 9, 0, 0, DateTimeKind.Utc);

    private static async Task<(TestDatabase Database, int CampaignId)> SeedAsync()
    {
        var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using var db = database.CreateContext();
        var client = new Client(PhoneNumber.Parse("+79161234567"), "Anna", null, At.AddDays(-5));
        db.Clients.Add(client);
        var campaign = new Campaign("Winter sale", null, MessagePurpose.Advertising, PortalAppFactory.AdminEmail, At.AddDays(-1));
        db.Campaigns.Add(campaign);
        await db.SaveChangesAsync();
        var message = new Message(campaign.Id, client.Id, client.Phone, At.AddHours(-3)) { Status = MessageStatus.Delivered };
        db.Messages.Add(message);
        await db.SaveChangesAsync();
        db.InboundMessages.Add(new InboundMessage(client.Phone, "1234", "Когда доставка?", At, InboundKind.Reply)
        {
            ClientId = client.Id, CampaignId = campaign.Id, MessageId = message.Id,
        });
        db.InboundMessages.Add(new InboundMessage(client.Phone, "1234", "СТОП", At.AddMinutes(5), InboundKind.OptOut)
        {
            ClientId = client.Id, CampaignId = campaign.Id, MessageId = message.Id, AutoReply = "Вы отписаны.",
        });
        await db.SaveChangesAsync();
        return (database, campaign.Id);
    }

    private static BunitContext Context(TestDatabase database, string role)
    {
        var ctx = new BunitContext();
        ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        ctx.Services.AddMudServices(o => o.PopoverOptions.CheckForPopoverProvider = false);
        ctx.Services.AddLocalization();
        var audit = new AuditLog(database.Factory, TimeProvider.System);
        ctx.Services.AddSingleton(audit);
        ctx.Services.AddSingleton(new InboxQueries(database.Factory, audit, TimeProvider.System));
        ctx.Services.AddSingleton(new CampaignCatalog(database.Factory, audit, new Portal.Infrastructure.Identity.DepartmentScopes(database.Factory), TimeProvider.System));
        ctx.AddAuthorization().SetAuthorized(PortalAppFactory.AdminEmail).SetRoles(role);
        return ctx;
    }

    private static AngleSharp.Dom.IElement Field(IRenderedComponent<InboxPage> page, string testId) =>
        page.FindAll($"input[data-testid={testId}], textarea[data-testid={testId}]").FirstOrDefault()
            ?? page.Find($"[data-testid={testId}] input, [data-testid={testId}] textarea");

    [Fact]
    public async Task Manager_SeesMaskedPhonesAndMaskedReplyTexts_AndNoPersonalDataReadIsAudited()
    {
        var (database, _) = await SeedAsync();
        await using var _ = database;
        await using var ctx = Context(database, Roles.Manager);
        var page = ctx.Render<InboxPage>();

        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("[data-testid=inbox-from]").Count));
        Assert.All(page.FindAll("[data-testid=inbox-from]"), e => Assert.Equal("+7916*****67", e.TextContent));
        Assert.DoesNotContain("+79161234567", page.Markup);
        Assert.Contains("Winter sale", page.Markup);
        Assert.Contains("Вы отписаны.", page.Markup);
        // Newest first: the opt-out above the question.
        var rows = page.FindAll("[data-testid=inbox-table] tbody tr");
        // Issue 14: a reply's text is what a client wrote (it may hold a name or a card): masked for a Manager.
        Assert.Contains("С***", rows[0].TextContent);
        Assert.Contains("К**** д*******?", rows[1].TextContent);
        Assert.DoesNotContain("Когда доставка", page.Markup);
        Assert.DoesNotContain("СТОП", page.Markup);
        // A Manager edits the auto-reply rules.
        Assert.NotEmpty(page.FindAll("[data-testid=rules-table]"));
        await using var db = database.CreateContext();
        Assert.False(await db.AuditEntries.AnyAsync(a => a.Action == AuditActions.PersonalDataRead));
    }

    [Fact]
    public async Task CampaignManager_SeesPhonesUnmaskedAndEveryPageIsAudited_NoRulesEditor()
    {
        var (database, _) = await SeedAsync();
        await using var _ = database;
        await using var ctx = Context(database, Roles.CampaignManager);
        var page = ctx.Render<InboxPage>();

        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("[data-testid=inbox-from]").Count));
        Assert.All(page.FindAll("[data-testid=inbox-from]"), e => Assert.Equal("+79161234567", e.TextContent));
        Assert.Empty(page.FindAll("[data-testid=rules-table]"));
        await using var db = database.CreateContext();
        var audit = await db.AuditEntries.SingleAsync(a => a.Action == AuditActions.PersonalDataRead);
        Assert.Equal(PortalAppFactory.AdminEmail, audit.UserName);
        Assert.Contains("inbox", audit.Details);
        Assert.DoesNotContain("+7916", audit.Details);
    }

    [Fact]
    public async Task MarkRead_SetsReadAt_AndUnreadFilterHidesIt()
    {
        var (database, _) = await SeedAsync();
        await using var _ = database;
        await using var ctx = Context(database, Roles.Administrator);
        var page = ctx.Render<InboxPage>();
        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("[data-testid=inbox-mark-read]").Count));

        await page.InvokeAsync(() => page.FindAll("[data-testid=inbox-mark-read]")[0].Click());
        page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-testid=inbox-mark-read]")));
        await using var db = database.CreateContext();
        var read = await db.InboundMessages.SingleAsync(m => m.ReadAt != null);
        Assert.Equal("СТОП", read.Text);

        var queries = ctx.Services.GetRequiredService<InboxQueries>();
        var unread = await queries.PageAsync(new InboxQuery(UnreadOnly: true), 0, 25, unmasked: true, default);
        Assert.Equal("Когда доставка?", Assert.Single(unread.Rows).Text);
        var optOuts = await queries.PageAsync(new InboxQuery(Kind: InboundKind.OptOut), 0, 25, unmasked: false, default);
        Assert.Equal(1, optOuts.Total);
    }

    [Fact]
    public async Task Rules_AddEditDisable_AreStoredAudited_AndStopIsRefused()
    {
        var (database, _) = await SeedAsync();
        await using var _ = database;
        await using var ctx = Context(database, Roles.Administrator);
        var page = ctx.Render<InboxPage>();
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-testid=rules-table]")));

        await page.InvokeAsync(() => Field(page, "rule-keyword").Change("balance"));
        await page.InvokeAsync(() => Field(page, "rule-reply").Change("Баланс в личном кабинете."));
        await page.InvokeAsync(() => page.Find("[data-testid=rule-save]").Click());
        page.WaitForAssertion(() => Assert.Contains("BALANCE", page.Find("[data-testid=rules-table]").TextContent));

        await page.InvokeAsync(() => Field(page, "rule-keyword").Change("stop"));
        await page.InvokeAsync(() => Field(page, "rule-reply").Change("no"));
        await page.InvokeAsync(() => page.Find("[data-testid=rule-save]").Click());
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-testid=rule-error]")));

        var queries = ctx.Services.GetRequiredService<InboxQueries>();
        var rule = Assert.Single(await queries.RulesAsync(default));
        await queries.SaveRuleAsync(new System.Security.Claims.ClaimsPrincipal(), rule.Id, "BALANCE", "Новый текст", enabled: false, default);
        var changed = Assert.Single(await queries.RulesAsync(default));
        Assert.False(changed.Enabled);
        Assert.Equal("Новый текст", changed.Reply);
        await using var db = database.CreateContext();
        Assert.Equal(2, await db.AuditEntries.CountAsync(a => a.Action == AuditActions.AutoReplyRuleSaved));
    }
}
