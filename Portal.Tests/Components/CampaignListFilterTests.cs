using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using Portal.Components.Pages.Campaigns;
using Portal.Domain.Access;
using Portal.Domain.Campaigns;
using Portal.Infrastructure.Campaigns;
using Portal.Tests.Infrastructure.Campaigns;

namespace Portal.Tests.Components;

/// <summary>The campaign list's status filter, its mark of a recurring campaign, and a row that opens its campaign.</summary>
public class CampaignListFilterTests
{
    private static readonly DateTime Now = new(2026, 11, 25, 12, 0, 0, DateTimeKind.Utc);

    [Fact]
    public async Task StatusFilter_ShowsThatStatusOnly_ARecurringCampaignIsMarked_AndARowOpensItsCampaign()
    {
        await using var f = await CampaignPageFixture.CreateAsync("cm@portal.local", Roles.CampaignManager);
        var user = CampaignCatalogTests.User("cm@portal.local");
        var weekly = await f.Catalog.SaveDraftAsync(null, new CampaignDraft
        {
            Name = "Weekly digest",
            Settings = new CampaignSettings { SegmentId = f.World.Everyone, Body = "Hi", ScheduleKind = ScheduleKind.Recurring, Cron = "0 0 10 ? * MON", RecurrenceEndsAt = Now.AddMonths(3) },
        }, user, f.World.Sales, default);
        var scheduled = await f.Catalog.SaveDraftAsync(null, new CampaignDraft { Name = "Black Friday", Settings = new CampaignSettings { SegmentId = f.World.Everyone, Body = "Hi" } }, user, f.World.Sales, default);
        await using (var db = f.Database.CreateContext())
        {
            db.Campaigns.Single(c => c.Id == scheduled).Schedule(Now, Now);
            await db.SaveChangesAsync();
        }

        var page = f.Context.Render<CampaignList>();
        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("[data-testid=campaigns-table] tbody tr").Count));
        var recurringMarks = page.FindAll("[data-testid=campaigns-table] tbody tr")
            .Select(r => (Name: r.QuerySelector("td b")!.TextContent, Marked: r.QuerySelector("td:first-child .mud-icon-root") is not null)).OrderBy(r => r.Name).ToList();
        Assert.Equal([("Black Friday", false), ("Weekly digest", true)], recurringMarks);

        var status = page.FindComponents<MudSelect<int>>().Single(s => s.Instance.Label == "Status").Instance;
        await page.InvokeAsync(() => status.ValueChanged.InvokeAsync((int)CampaignStatus.Scheduled));
        page.WaitForAssertion(() => Assert.Equal(["Black Friday"], page.FindAll("[data-testid=campaigns-table] tbody tr td:first-child b").Select(b => b.TextContent)));
        await page.InvokeAsync(() => status.ValueChanged.InvokeAsync((int)CampaignStatus.Sending));
        page.WaitForAssertion(() => page.Find("[data-testid=campaigns-empty]"));
        await page.InvokeAsync(() => status.ValueChanged.InvokeAsync(-1));
        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("[data-testid=campaigns-table] tbody tr").Count));

        var row = page.FindAll("[data-testid=campaigns-table] tbody tr").Single(r => r.TextContent.Contains("Weekly digest", StringComparison.Ordinal));
        await page.InvokeAsync(() => row.Click());
        Assert.EndsWith($"/campaigns/{weekly}", f.Context.Services.GetRequiredService<NavigationManager>().Uri);
    }
}
