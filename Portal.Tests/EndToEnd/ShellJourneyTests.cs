using Microsoft.Playwright;
using Portal.Tests.Support;

namespace Portal.Tests.EndToEnd;

/// <summary>A new administrator's first minutes, in a real browser, on a desktop and on a phone.</summary>
[Collection(BrowserCollection.Name)]
public class ShellJourneyTests(BrowserFixture browser) : IAsyncLifetime
{
    private readonly PortalAppFactory _app = new(demoClients: 250);

    public async Task InitializeAsync() => await _app.StartAsync(kestrel: true);

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Theory]
    [InlineData("desktop", 1366, 900)]
    [InlineData("phone", 390, 844)]
    public async Task Administrator_SignsIn_SeesTheShell_AndSwitchesToRussian(string device, int width, int height)
    {
        await using var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = width, Height = height },
            Locale = "en-US",
        });
        var page = await context.NewPageAsync();

        await page.GotoAsync(_app.RootUrl + "/");
        await page.WaitForURLAsync("**/Account/Login**");
        await page.SignInAsync(PortalAppFactory.AdminEmail, PortalAppFactory.AdminPassword);
        await Assertions.Expect(page.Locator("#page-title")).ToHaveTextAsync("Overview");
        await Assertions.Expect(page.Locator("[data-testid=stat-clients]")).ToHaveTextAsync("250");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotFolder, $"overview-{device}.png") });

        if (device == "phone")
        {
            // On a phone the drawer starts closed: the menu button opens it.
            await page.GetByLabel("Menu").ClickAsync();
        }
        await page.GetByRole(AriaRole.Link, new() { Name = "Users" }).ClickAsync();
        await Assertions.Expect(page.Locator("#page-title")).ToHaveTextAsync("Users");
        await Assertions.Expect(page.Locator("[data-testid=users-table]")).ToContainTextAsync("auditor@portal.local");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotFolder, $"users-{device}.png") });

        await page.Locator("[data-testid=language-menu] button").ClickAsync();
        await page.GetByText("Русский").ClickAsync();
        await page.WaitForSelectorAsync("#portal-interactive", new PageWaitForSelectorOptions { State = WaitForSelectorState.Attached });
        await Assertions.Expect(page.Locator("#page-title")).ToHaveTextAsync("Пользователи");
    }
}
