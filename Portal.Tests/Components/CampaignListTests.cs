using Bunit;
using MudBlazor;
using Portal.Components.Pages.Campaigns;
using Portal.Domain.Access;
using Portal.Domain.Campaigns;
using Portal.Domain.Messages;
using Portal.Infrastructure.Campaigns;
using Portal.Tests.Infrastructure.Campaigns;

namespace Portal.Tests.Components;

public class CampaignListTests
{
    private static readonly DateTime Now = new(2026, 11, 25, 12, 0, 0, DateTimeKind.Utc);

    private static async Task SeedCampaignsAsync(CampaignPageFixture f)
    {
        var user = CampaignCatalogTests.User("cm@portal.local");
        var sending = await f.Catalog.SaveDraftAsync(null, new CampaignDraft { Name = "Sales: Black Friday", Settings = new CampaignSettings { SegmentId = f.World.Everyone, Body = "Hi" } }, user, f.World.Sales, default);
        await f.Catalog.SaveDraftAsync(null, new CampaignDraft { Name = "Sales: draft" }, user, f.World.Sales, default);
        // Another author's campaign of another department: a campaign manager of Sales does not see it.
        await f.Catalog.SaveDraftAsync(null, new CampaignDraft { Name = "Support: outage notice" }, CampaignCatalogTests.User("support@portal.local"), f.World.Support, default);
        await using var db = f.Database.CreateContext();
        var c = db.Campaigns.Single(x => x.Id == sending);
        c.Schedule(Now, Now);
        c.Start(Now);
        await db.SaveChangesAsync();
        // The list counts the campaign's messages by status itself (issue 20, item 18): 50 of 200 final.
        var client = new Portal.Domain.Clients.Client(Portal.Domain.Clients.PhoneNumber.Parse("+79161234567"), "Анна", "Иванова", Now);
        db.Clients.Add(client);
        await db.SaveChangesAsync();
        for (var i = 0; i < 200; i++)
        {
            db.Messages.Add(new Message(sending, client.Id, client.Phone, Now) { Status = i < 50 ? MessageStatus.Delivered : MessageStatus.Queued });
        }
        await db.SaveChangesAsync();
        f.Operations.Progress = _ => throw new InvalidOperationException("the list no longer reads the campaign page's full progress");
    }

    private static string[] Names(IRenderedComponent<CampaignList> page) =>
        page.FindAll("[data-testid=campaigns-table] tbody tr td:first-child b").Select(b => b.TextContent).Order().ToArray();

    [Fact]
    public async Task CampaignManager_SeesOwnDepartmentOnly_WithProgressForSending()
    {
        await using var f = await CampaignPageFixture.CreateAsync("cm@portal.local", Roles.CampaignManager);
        await SeedCampaignsAsync(f);
        var page = f.Context.Render<CampaignList>();
        page.WaitForAssertion(() => Assert.Equal(["Sales: Black Friday", "Sales: draft"], Names(page)));
        Assert.Empty(page.FindAll("[data-testid=campaign-department]"));
        Assert.Single(page.FindAll("[data-testid=row-progress]"));
        Assert.Contains("50 / 200", page.Markup);
    }

    [Fact]
    public async Task Administrator_SeesAllDepartments_AndFiltersBySearchAndDepartment()
    {
        await using var f = await CampaignPageFixture.CreateAsync("admin@portal.local", Roles.Administrator);
        await SeedCampaignsAsync(f);
        var page = f.Context.Render<CampaignList>();
        page.WaitForAssertion(() => Assert.Equal(3, Names(page).Length));

        await page.InvokeAsync(() => page.FindComponents<MudTextField<string>>()[0].Instance.ValueChanged.InvokeAsync("outage"));
        page.WaitForAssertion(() => Assert.Equal(["Support: outage notice"], Names(page)));

        await page.InvokeAsync(() => page.FindComponents<MudTextField<string>>()[0].Instance.ValueChanged.InvokeAsync(""));
        var department = page.FindComponents<MudSelect<int>>().Single(s => s.Instance.Label == "Department");
        await page.InvokeAsync(() => department.Instance.ValueChanged.InvokeAsync(f.World.Sales));
        page.WaitForAssertion(() => Assert.Equal(["Sales: Black Friday", "Sales: draft"], Names(page)));
    }

    [Fact]
    public async Task CompletedCampaigns_ShowAFullBar_WithTheMessagesSent_OrSayNoneWere()
    {
        // Issue 20 item 6: the Progress column was blank for completed campaigns.
        await using var f = await CampaignPageFixture.CreateAsync("admin@portal.local", Roles.Administrator);
        var user = CampaignCatalogTests.User("cm@portal.local");
        var sent = await f.Catalog.SaveDraftAsync(null, new CampaignDraft { Name = "Done: 1,500 sent", Settings = new CampaignSettings { SegmentId = f.World.Everyone, Body = "Hi" } }, user, f.World.Sales, default);
        var empty = await f.Catalog.SaveDraftAsync(null, new CampaignDraft { Name = "Done: empty audience", Settings = new CampaignSettings { SegmentId = f.World.Everyone, Body = "Hi" } }, user, f.World.Sales, default);
        await using (var db = f.Database.CreateContext())
        {
            foreach (var c in db.Campaigns.Where(x => x.Id == sent || x.Id == empty).ToList())
            {
                c.Schedule(Now, Now);
                c.Start(Now);
                c.Complete(Now);
            }
            db.MessageChunks.Add(new Portal.Domain.Messages.MessageChunk(sent, 1, 1_000, 1_000));
            db.MessageChunks.Add(new Portal.Domain.Messages.MessageChunk(sent, 1_001, 1_500, 500));
            await db.SaveChangesAsync();
        }
        f.Operations.Progress = _ => throw new InvalidOperationException("a completed campaign's messages are not counted one campaign at a time");

        var page = f.Context.Render<CampaignList>();

        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("[data-testid=row-progress]").Count));
        var rows = page.FindAll("[data-testid=campaigns-table] tbody tr");
        Assert.Contains("1,500 messages sent", rows.Single(r => r.TextContent.Contains("Done: 1,500 sent")).QuerySelector("[data-testid=row-sent]")!.TextContent);
        Assert.Contains("No messages were sent.", rows.Single(r => r.TextContent.Contains("Done: empty audience")).QuerySelector("[data-testid=row-sent]")!.TextContent);
    }
}
