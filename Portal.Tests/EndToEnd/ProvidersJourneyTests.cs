using Microsoft.Playwright;
using Portal.Tests.Support;

namespace Portal.Tests.EndToEnd;

/// <summary>An administrator registers a provider and asks where a number would go, on a desktop and on a phone.</summary>
[Collection(BrowserCollection.Name)]
public class ProvidersJourneyTests(BrowserFixture browser) : IAsyncLifetime
{
    private readonly PortalAppFactory _app = new(demoClients: 0);

    public async Task InitializeAsync() => await _app.StartAsync(kestrel: true);

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Theory]
    [InlineData("desktop", 1366, 900)]
    [InlineData("phone", 390, 844)]
    public async Task Administrator_AddsAProvider_AndRoutesANumber(string device, int width, int height)
    {
        await using var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = width, Height = height },
            Locale = "en-US",
        });
        var page = await context.NewPageAsync();
        await page.GotoAsync(_app.RootUrl + "/admin/providers");
        await page.WaitForURLAsync("**/Account/Login**");
        await page.SignInAsync(PortalAppFactory.AdminEmail, PortalAppFactory.AdminPassword);
        await Assertions.Expect(page.Locator("#page-title")).ToHaveTextAsync("SMS providers");

        await page.ClickAsync("[data-testid=create-provider]");
        await page.FillAsync("input[data-testid=provider-name]", "Cheap " + device);
        await page.FillAsync("input[data-testid=provider-host]", "127.0.0.1");
        await page.FillAsync("input[data-testid=provider-system-id]", "cheap");
        await page.FillAsync("input[data-testid=provider-password]", "pw");
        await page.FillAsync("input[data-testid=provider-price]", "0.01");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotFolder, $"provider-editor-{device}.png") });
        await page.ClickAsync("[data-testid=provider-save]");
        await Assertions.Expect(page.Locator("[data-testid=providers-table]")).ToContainTextAsync("Cheap " + device);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotFolder, $"providers-{device}.png") });

        await page.ClickAsync("[data-testid=route-tool-link]");
        await Assertions.Expect(page.Locator("#page-title")).ToHaveTextAsync("Route this number");
        await page.WaitForSelectorAsync("#portal-interactive", new PageWaitForSelectorOptions { State = WaitForSelectorState.Attached });
        await page.FillAsync("input[data-testid=route-phone]", "+7 916 123-45-67");
        await page.ClickAsync("[data-testid=route-go]");
        await Assertions.Expect(page.Locator("[data-testid=route-operator]")).ToHaveTextAsync("MTS");
        await Assertions.Expect(page.Locator("[data-testid=route-best]")).ToContainTextAsync("Cheap " + device);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotFolder, $"route-tool-{device}.png") });
    }
}
