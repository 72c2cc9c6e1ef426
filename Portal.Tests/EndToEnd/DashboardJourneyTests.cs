using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Portal.Domain.Campaigns;
using Portal.Domain.Clients;
using Portal.Domain.Messages;
using Portal.Domain.Providers;
using Portal.Domain.Segments;
using Portal.Infrastructure.Dashboard;
using Portal.Infrastructure.Persistence;
using Portal.Tests.Support;

namespace Portal.Tests.EndToEnd;

/// <summary>The live dashboard in a real browser: figures from the database, pushed every second, readable on a phone.</summary>
[Collection(BrowserCollection.Journeys)]
public class DashboardJourneyTests(BrowserFixture browser) : IAsyncLifetime
{
    private readonly PortalAppFactory _app = new(demoClients: 0);

    public async Task InitializeAsync()
    {
        // No embedded SMSC (its shutdown can hang the host's disposal); the data below stands in for a send.
        _app.Settings["Sending:EmbeddedSimulator"] = "false";
        await _app.StartAsync(kestrel: true);
        await SeedAsync();
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private async Task SeedAsync()
    {
        var contexts = _app.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        await using var db = await contexts.CreateDbContextAsync();
        var now = DateTime.UtcNow;
        var client = new Client(PhoneNumber.Parse("+79160000042"), "Anna", "Smith", now);
        db.Clients.Add(client);
        var segment = new Segment("Everyone", null, SegmentRuleJson.Serialize(SegmentRule.Everyone()), "e2e", now);
        db.Segments.Add(segment);
        var provider = new SmsProvider("Main SMSC", ProviderKind.Smpp, "{}");
        db.Providers.Add(provider);
        await db.SaveChangesAsync();
        var campaign = new Campaign("Black Friday reminder", null, MessagePurpose.Service, "e2e", now, new CampaignSettings { SegmentId = segment.Id, Body = "Hi" });
        campaign.Schedule(now, now);
        campaign.Start(now);
        db.Campaigns.Add(campaign);
        await db.SaveChangesAsync();
        for (var i = 0; i < 40; i++)
        {
            var delivered = i < 30;
            db.Messages.Add(new Message(campaign.Id, client.Id, client.Phone, now)
            {
                Status = delivered ? MessageStatus.Delivered : MessageStatus.Queued,
                SubmittedAt = delivered ? now.AddSeconds(-60 - i) : null,
                DoneAt = delivered ? now.AddSeconds(-55 - i) : null,
                Parts = delivered ? 1 : 0,
                Cost = delivered ? 0.35m : 0,
            });
        }
        // A node's reading dated ahead so it stays fresh for the whole test.
        db.ProviderNodeStats.Add(new ProviderNodeStats
        {
            NodeId = "node-e2e", ProviderId = provider.Id, UpdatedAt = now.AddHours(1), BindsUp = 2, BindsConfigured = 2,
            WindowInUse = 3, WindowSize = 200, SubmittedTotal = 30,
        });
        await db.SaveChangesAsync();
    }

    [Theory]
    [InlineData("desktop", 1366, 900)]
    [InlineData("phone", 390, 844)]
    public async Task Manager_WatchesTheDashboard_UpdatedEverySecond_WithoutSideScrolling(string device, int width, int height)
    {
        var (email, password) = await _app.CreateUserAsync(Portal.Domain.Access.Roles.Manager);
        await using var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = width, Height = height },
            Locale = "en-US",
        });
        var page = await context.NewPageAsync();
        await page.GotoAsync(_app.RootUrl + "/dashboard");
        await page.WaitForURLAsync("**/Account/Login**");
        await page.SignInAsync(email, password);

        await Assertions.Expect(page.Locator("#page-title")).ToHaveTextAsync("Live dashboard");
        await Assertions.Expect(page.Locator("[data-testid=today-sent]")).ToHaveTextAsync("30");
        await Assertions.Expect(page.Locator("[data-testid=live-campaign-percent]")).ToHaveTextAsync("75.0 %");
        await Assertions.Expect(page.Locator("[data-testid=bind-state]")).ToContainTextAsync("2 of 2 up");

        // Pushed through the circuit: the "updated" time moves without a reload.
        var first = await page.Locator("[data-testid=dashboard-updated]").InnerTextAsync();
        await Assertions.Expect(page.Locator("[data-testid=dashboard-updated]")).Not.ToHaveTextAsync(first, new() { Timeout = 5000 });

        var overflow = await page.EvaluateAsync<int>("document.documentElement.scrollWidth");
        Assert.True(overflow <= width, $"the page is {overflow}px wide on a {width}px screen");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotFolder, $"dashboard-{device}.png"), FullPage = true });
    }
}
