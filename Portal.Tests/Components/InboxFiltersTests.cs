using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Extensions;
using MudBlazor.Services;
using Portal.Domain.Access;
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

/// <summary>The inbox's filters (kind, campaign, unread) and the auto-reply rules' edit, cancel and on/off switch.</summary>
public sealed class InboxFiltersTests : IAsyncLifetime
{
    private static readonly DateTime At = new(2026, 11, 20, 9, 0, 0, DateTimeKind.Utc);

    private readonly BunitContext _ctx = new();
    private TestDatabase _database = default!;
    private InboxQueries _queries = default!;
    private int _winterId;
    private int _springId;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using (var db = _database.CreateContext())
        {
            var client = new Client(PhoneNumber.Parse("+79161234567"), "Anna", null, At.AddDays(-5));
            db.Clients.Add(client);
            var winter = new Campaign("Winter sale", null, MessagePurpose.Advertising, PortalAppFactory.AdminEmail, At.AddDays(-2));
            var spring = new Campaign("Spring sale", null, MessagePurpose.Advertising, PortalAppFactory.AdminEmail, At.AddDays(-1));
            db.Campaigns.AddRange(winter, spring);
            await db.SaveChangesAsync();
            var toWinter = new Message(winter.Id, client.Id, client.Phone, At.AddHours(-5)) { Status = MessageStatus.Delivered };
            var toSpring = new Message(spring.Id, client.Id, client.Phone, At.AddHours(-3)) { Status = MessageStatus.Delivered };
            db.Messages.AddRange(toWinter, toSpring);
            await db.SaveChangesAsync();
            db.InboundMessages.Add(new InboundMessage(client.Phone, "1234", "When?", At, InboundKind.Reply)
            {
                ClientId = client.Id, CampaignId = winter.Id, MessageId = toWinter.Id,
            });
            db.InboundMessages.Add(new InboundMessage(client.Phone, "1234", "STOP", At.AddMinutes(5), InboundKind.OptOut)
            {
                ClientId = client.Id, CampaignId = spring.Id, MessageId = toSpring.Id, ReadAt = At.AddMinutes(6),
            });
            db.InboundMessages.Add(new InboundMessage(client.Phone, "1234", "START", At.AddMinutes(10), InboundKind.OptIn) { ClientId = client.Id });
            await db.SaveChangesAsync();
            (_winterId, _springId) = (winter.Id, spring.Id);
        }
        var audit = new AuditLog(_database.Factory, TimeProvider.System);
        _queries = new InboxQueries(_database.Factory, audit, TimeProvider.System);
        _ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        _ctx.Services.AddMudServices(o => o.PopoverOptions.CheckForPopoverProvider = false);
        _ctx.Services.AddLocalization();
        _ctx.Services.AddSingleton(audit);
        _ctx.Services.AddSingleton(_queries);
        _ctx.Services.AddSingleton(new CampaignCatalog(_database.Factory, audit, new Portal.Infrastructure.Identity.DepartmentScopes(_database.Factory), TimeProvider.System));
        _ctx.AddAuthorization().SetAuthorized(PortalAppFactory.AdminEmail).SetRoles(Roles.Administrator);
    }

    public async Task DisposeAsync()
    {
        await _ctx.DisposeAsync();
        await _database.DisposeAsync();
    }

    private IRenderedComponent<InboxPage> Open()
    {
        var page = _ctx.Render<InboxPage>();
        page.WaitForAssertion(() => Assert.Equal(3, Texts(page).Count), TimeSpan.FromSeconds(10));
        return page;
    }

    private static IReadOnlyList<string> Texts(IRenderedComponent<InboxPage> page) =>
        page.FindAll("[data-testid=inbox-table] tbody tr").Where(r => r.QuerySelector("[data-testid=inbox-from]") is not null)
            .Select(r => r.QuerySelectorAll("td")[2].TextContent.Trim()).ToList();

    private static Task FilterAsync(IRenderedComponent<InboxPage> page, string label, int value) =>
        page.InvokeAsync(() => page.FindComponents<MudSelect<int>>().Single(s => s.Instance.Label == label).Instance.ValueChanged.InvokeAsync(value));

    private static AngleSharp.Dom.IElement Field(IRenderedComponent<InboxPage> page, string testId) =>
        page.FindAll($"input[data-testid={testId}], textarea[data-testid={testId}]").FirstOrDefault()
            ?? page.Find($"[data-testid={testId}] input, [data-testid={testId}] textarea");

    [Fact]
    public async Task KindFilter_ShowsOneKind_AndEachKindHasItsColour()
    {
        var page = Open();
        var chips = page.FindAll("[data-testid=inbox-table] tbody .mud-chip").Select(c => (c.TextContent.Trim(), c.ClassList.Contains("mud-chip-color-success"), c.ClassList.Contains("mud-chip-color-error"))).ToList();
        Assert.Contains(("OptIn", true, false), chips);
        Assert.Contains(("OptOut", false, true), chips);
        Assert.Contains(("Reply", false, false), chips);

        await FilterAsync(page, "Kind", (int)InboundKind.OptOut);
        page.WaitForAssertion(() => Assert.Equal(["STOP"], Texts(page)), TimeSpan.FromSeconds(10));

        await FilterAsync(page, "Kind", 0);
        page.WaitForAssertion(() => Assert.Equal(3, Texts(page).Count), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task CampaignFilter_ShowsTheRepliesToThatCampaign()
    {
        var page = Open();

        await FilterAsync(page, "Campaign", _winterId);
        page.WaitForAssertion(() => Assert.Equal(["When?"], Texts(page)), TimeSpan.FromSeconds(10));

        await FilterAsync(page, "Campaign", _springId);
        page.WaitForAssertion(() => Assert.Equal(["STOP"], Texts(page)), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task UnreadOnly_HidesTheReadReplies_AndMarkUnreadBringsOneBack()
    {
        var page = Open();

        await page.InvokeAsync(() => page.FindComponents<MudSwitch<bool>>().Single(s => s.Instance.Label == "Unread only").Instance.ValueChanged.InvokeAsync(true));
        page.WaitForAssertion(() => Assert.Equal(["START", "When?"], Texts(page)), TimeSpan.FromSeconds(10));

        await page.InvokeAsync(() => page.FindComponents<MudSwitch<bool>>().Single(s => s.Instance.Label == "Unread only").Instance.ValueChanged.InvokeAsync(false));
        page.WaitForAssertion(() => Assert.Equal(3, Texts(page).Count), TimeSpan.FromSeconds(10));
        await page.InvokeAsync(() => page.FindAll("button").Single(b => b.TextContent.Trim() == "Mark unread").Click());
        page.WaitForAssertion(() => Assert.Equal(3, page.FindAll("[data-testid=inbox-mark-read]").Count), TimeSpan.FromSeconds(10));
        await using var db = _database.CreateContext();
        Assert.False(await db.InboundMessages.AnyAsync(m => m.ReadAt != null));
    }

    [Fact]
    public async Task AutoReplyRule_EditCancelSaveAndSwitchOff_AreStored()
    {
        await _queries.SaveRuleAsync(new System.Security.Claims.ClaimsPrincipal(), null, "BALANCE", "See your account.", enabled: true, default);
        var page = Open();
        page.WaitForAssertion(() => Assert.Contains("BALANCE", page.Find("[data-testid=rules-table]").TextContent), TimeSpan.FromSeconds(10));
        var rulesTable = () => page.Find("[data-testid=rules-table]");

        // Edit fills the form; Cancel empties it and the button adds again.
        await page.InvokeAsync(() => rulesTable().QuerySelector("button[aria-label=Edit]")!.Click());
        Assert.Equal("BALANCE", Field(page, "rule-keyword").GetAttribute("value"));
        Assert.Equal("Save", page.Find("button[data-testid=rule-save]").TextContent.Trim());
        await page.InvokeAsync(() => page.FindAll("button").Single(b => b.TextContent.Trim() == "Cancel").Click());
        Assert.Equal("Add", page.Find("button[data-testid=rule-save]").TextContent.Trim());
        Assert.True(string.IsNullOrEmpty(Field(page, "rule-keyword").GetAttribute("value")));

        // Edit and save changes the rule, it adds none.
        await page.InvokeAsync(() => rulesTable().QuerySelector("button[aria-label=Edit]")!.Click());
        await page.InvokeAsync(() => Field(page, "rule-reply").Change("Balance is in the app."));
        await page.InvokeAsync(() => page.Find("button[data-testid=rule-save]").Click());
        page.WaitForAssertion(() => Assert.Contains("Balance is in the app.", rulesTable().TextContent), TimeSpan.FromSeconds(10));
        Assert.Equal("Add", page.Find("button[data-testid=rule-save]").TextContent.Trim());

        // The switch in the row turns the rule off.
        var rowSwitch = page.FindComponents<MudSwitch<bool>>().Single(s => s.Instance.GetState(x => x.Value) && s.Instance.Label is null);
        await page.InvokeAsync(() => rowSwitch.Instance.ValueChanged.InvokeAsync(false));

        var rule = Assert.Single(await _queries.RulesAsync(default));
        Assert.Equal(("BALANCE", "Balance is in the app.", false), (rule.Keyword, rule.Reply, rule.Enabled));
    }
}
