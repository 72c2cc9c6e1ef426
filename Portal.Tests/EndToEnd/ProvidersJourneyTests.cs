using Microsoft.Playwright;
using Portal.Tests.Support;

namespace Portal.Tests.EndToEnd;

/// <summary>An administrator registers a provider and asks where a number would go, on a desktop and on a phone.</summary>
[Collection(BrowserCollection.Journeys)]
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

    /// <summary>
    /// The HTTP section on a phone: Kannel preset, secrets write-only, the callback URLs shown after
    /// saving, and the dialog no wider than the screen.
    /// </summary>
    [Fact]
    public async Task Administrator_AddsAKannelProvider_OnAPhone_SeesItsCallbackUrls()
    {
        await using var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = 390, Height = 844 },
            Locale = "en-US",
        });
        var page = await context.NewPageAsync();
        await page.GotoAsync(_app.RootUrl + "/admin/providers");
        await page.WaitForURLAsync("**/Account/Login**");
        await page.SignInAsync(PortalAppFactory.AdminEmail, PortalAppFactory.AdminPassword);
        await Assertions.Expect(page.Locator("#page-title")).ToHaveTextAsync("SMS providers");

        await page.ClickAsync("[data-testid=create-provider]");
        await page.FillAsync("input[data-testid=provider-name]", "Kannel phone");
        await PickAsync(page, page.Locator("[data-testid=provider-kind]").First, "HTTP");
        await PickAsync(page, page.Locator("[data-testid=provider-preset]").First, "Kannel (sendsms)");
        await Assertions.Expect(page.Locator("textarea[data-testid=provider-url]")).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("/cgi-bin/sendsms\\?username=\\{username\\}"));
        await page.FillAsync("input[data-testid=provider-username]", "portal");
        await page.FillAsync("input[data-testid=provider-http-password]", "kannel-pw");
        await page.FillAsync("input[data-testid=provider-callback-secret]", "phone-callback-secret-123");
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), "the editor is wider than the phone");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "provider-editor-http-phone.png"), FullPage = true });
        await page.ClickAsync("[data-testid=provider-save]");
        await Assertions.Expect(page.Locator("[data-testid=providers-table]")).ToContainTextAsync("Kannel phone");

        await page.Locator("[data-testid=providers-table] tr").Filter(new() { HasText = "Kannel phone" }).Locator("[data-testid^=edit-]").ClickAsync();
        await Assertions.Expect(page.Locator("input[data-testid=provider-receipts-url]")).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("/api/providers/[0-9]+/receipts$"));
        await Assertions.Expect(page.Locator("input[data-testid=provider-inbound-url]")).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("/api/providers/[0-9]+/inbound$"));
        await Assertions.Expect(page.Locator("input[data-testid=provider-callback-secret]")).ToHaveValueAsync("");
        Assert.DoesNotContain("phone-callback-secret-123", await page.ContentAsync());
        Assert.DoesNotContain("kannel-pw", await page.ContentAsync());
    }

    private static async Task PickAsync(IPage page, ILocator select, string option)
    {
        await select.ClickAsync();
        await page.Locator(".mud-popover-open .mud-list-item").Filter(new() { HasText = option }).First.ClickAsync();
        await Assertions.Expect(page.Locator(".mud-popover-open .mud-list-item")).ToHaveCountAsync(0);
    }
}
