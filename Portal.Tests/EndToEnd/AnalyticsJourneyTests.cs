using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Portal.Domain.Access;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Seeding;
using Portal.Tests.Support;

namespace Portal.Tests.EndToEnd;

/// <summary>
/// Issue 15, "done when" (the reading half): an Analyst opens a past campaign with a control group
/// from the embedded default's demo history (a planted effect), reads the uplift and the verdict,
/// switches the breakdown and the table view, and downloads the table shown, on a desktop and on a
/// phone, without a phone number anywhere. The screenshots are the README's.
/// </summary>
[Collection(BrowserCollection.Journeys)]
public class AnalyticsJourneyTests(BrowserFixture browser) : IAsyncLifetime
{
    private readonly PortalAppFactory _app = new(demoClients: 300);

    public async Task InitializeAsync()
    {
        _app.Settings["Sending:EmbeddedSimulator"] = "false";
        _app.Settings["Seed:DemoHistory"] = "true";
        await _app.StartAsync(kestrel: true);
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Theory]
    [InlineData(1366, 900, "desktop")]
    [InlineData(390, 844, "phone")]
    public async Task Analyst_ReadsUpliftAndBreakdown_AndDownloadsTheTableShown(int width, int height, string shot)
    {
        var name = DemoHistory.Campaigns[0].Name;
        int id;
        await using (var scope = _app.Services.CreateAsyncScope())
        {
            id = await scope.ServiceProvider.GetRequiredService<PortalDbContext>().Campaigns.Where(c => c.Name == name).Select(c => c.Id).SingleAsync();
        }

        var (email, password) = await _app.CreateUserAsync(Roles.Analyst);
        await using var context = await browser.Browser.NewContextAsync(new() { Locale = "en-US", ViewportSize = new() { Width = width, Height = height } });
        var page = await context.NewPageAsync();
        await page.GotoAsync(_app.RootUrl + "/Account/Login");
        await page.SignInAsync(email, password);

        // From the analytics overview to the campaign's results, as a user would.
        await page.GotoAsync(_app.RootUrl + "/analytics");
        await page.WaitForSelectorAsync("[data-testid=interactive]", new() { State = WaitForSelectorState.Attached, Timeout = 60_000 });
        await page.GotoAsync($"{_app.RootUrl}/analytics/campaigns/{id}");
        await page.WaitForSelectorAsync("[data-testid=interactive]", new() { State = WaitForSelectorState.Attached, Timeout = 60_000 });
        await Assertions.Expect(page.Locator("#page-title")).ToContainTextAsync(name, new() { Timeout = 60_000 });

        // The demo campaign had a 10 % control group and a planted effect: an uplift is shown with its interval and a verdict.
        await Assertions.Expect(page.Locator("[data-testid=results-no-control]")).ToHaveCountAsync(0);
        var uplift = page.Locator("[data-testid=tile-uplift]");
        await Assertions.Expect(uplift).Not.ToContainTextAsync("—");
        await Assertions.Expect(uplift).ToContainTextAsync("…");
        await Assertions.Expect(page.Locator("[data-testid=tile-verdict]")).Not.ToBeEmptyAsync();
        await Assertions.Expect(page.Locator("[data-testid=results-counts]")).ToContainTextAsync("control group");
        await Assertions.Expect(page.Locator("[data-testid=results-chart]")).ToBeVisibleAsync();

        // Breakdown by gender, as a table.
        await page.Locator("[data-testid=results-dimension]").First.ClickAsync();
        await page.Locator(".mud-popover-open .mud-list-item").Filter(new LocatorFilterOptions { HasText = "Gender" }).First.ClickAsync();
        await page.Locator("[data-testid=results-as-table]").First.ClickAsync();
        var table = page.Locator("[data-testid=results-table]");
        await Assertions.Expect(table).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Assertions.Expect(table.Locator("tbody tr")).Not.ToHaveCountAsync(0);
        var shown = await table.Locator("tbody tr").CountAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, $"analytics-results-{shot}.png"), FullPage = true });

        // The CSV is the table shown: the header, then the same rows (the total first).
        var href = await page.Locator("[data-testid=results-csv]").First.GetAttributeAsync("href");
        Assert.Contains("by=gender", href);
        var csv = await context.APIRequest.GetAsync(new Uri(new Uri(_app.RootUrl + "/"), href!).ToString());
        Assert.Equal(200, csv.Status);
        var lines = (await csv.TextAsync()).TrimStart('\uFEFF').Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("Group,Recipients,", lines[0]);
        Assert.StartsWith("All recipients", lines[1]);
        Assert.Equal(shown, lines.Length - 1);
        Assert.DoesNotMatch(@"\+7\d{10}", string.Join("\n", lines));
        Assert.DoesNotMatch(@"\+7\d{10}", await page.ContentAsync());
    }
}
