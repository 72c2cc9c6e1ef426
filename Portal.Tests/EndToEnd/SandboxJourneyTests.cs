using Microsoft.Playwright;
using Portal.Tests.Support;

namespace Portal.Tests.EndToEnd;

/// <summary>
/// Issue 18, item 4 in a real browser: a user enters the training sandbox, sees the banner and the
/// amber app bar on every page, cannot open a page of real data, sends a practice campaign through
/// the embedded simulator and reads the simulator's replies in the sandbox inbox; then leaves.
/// </summary>
[Collection(BrowserCollection.Journeys)]
public class SandboxJourneyTests(BrowserFixture browser) : IAsyncLifetime
{
    private readonly PortalAppFactory _app = new(demoClients: 20);

    public async Task InitializeAsync() => await _app.StartAsync(kestrel: true);

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task Trainee_EntersTheSandbox_SendsAPracticeCampaign_AndSeesAReplyInTheInbox()
    {
        await using var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = 1366, Height = 900 },
            Locale = "en-US",
        });
        var page = await context.NewPageAsync();
        // Generous waits: the shared 2-core machine runs several builds at once.
        page.SetDefaultTimeout(30_000);
        await page.GotoAsync(_app.RootUrl + "/training/sandbox");
        await page.WaitForURLAsync("**/Account/Login**");
        await page.SignInAsync(PortalAppFactory.AdminEmail, PortalAppFactory.AdminPassword);
        await page.WaitForSelectorAsync("#portal-interactive", new PageWaitForSelectorOptions { State = WaitForSelectorState.Attached });
        await Assertions.Expect(page.Locator("#page-title")).ToHaveTextAsync("Training sandbox", new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("[data-testid=sandbox-banner]")).ToHaveCountAsync(0, new() { Timeout = 30_000 });

        await page.Locator("[data-testid=sandbox-enter]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=sandbox-banner]")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("header[data-sandbox=on]")).ToHaveCountAsync(1, new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("[data-testid=sandbox-clients]")).ToContainTextAsync("24 synthetic clients", new() { Timeout = 30_000 });

        await page.Locator("[data-testid=sandbox-send]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=sandbox-campaigns]")).ToContainTextAsync("Practice", new() { Timeout = 30_000 });
        // The embedded simulator answers every 2nd sandbox SMS (and STOPs every 5th) about a second later.
        await Assertions.Expect(page.Locator("[data-testid=sandbox-reply]").First).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "sandbox-desktop.png") });

        // A page of real data is not shown in the sandbox; the banner stays.
        await page.GotoAsync(_app.RootUrl + "/clients");
        await page.WaitForSelectorAsync("#portal-interactive", new PageWaitForSelectorOptions { State = WaitForSelectorState.Attached });
        await Assertions.Expect(page.Locator("[data-testid=sandbox-blocked]")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("[data-testid=sandbox-banner]")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("[data-testid=clients-grid]")).ToHaveCountAsync(0, new() { Timeout = 30_000 });

        await page.Locator("[data-testid=sandbox-leave]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=sandbox-banner]")).ToHaveCountAsync(0, new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("header[data-sandbox=off]")).ToHaveCountAsync(1, new() { Timeout = 30_000 });
    }
}
