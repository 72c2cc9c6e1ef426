using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Portal.Domain.Access;
using Portal.Tests.Support;

namespace Portal.Tests.EndToEnd;

/// <summary>A campaign manager writes a template, drops a merge field at the caret, sees encoding and parts, saves it: on a phone and a desktop.</summary>
[Collection(BrowserCollection.Name)]
public class TemplateEditorJourneyTests(BrowserFixture browser) : IAsyncLifetime
{
    private readonly PortalAppFactory _app = new(demoClients: 50);

    public async Task InitializeAsync() => await _app.StartAsync(kestrel: true);

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Theory]
    [InlineData("desktop", 1366, 900)]
    [InlineData("phone", 390, 844)]
    public async Task MergeFieldAtTheCaret_ThenSave_KeepsAVersion(string device, int width, int height)
    {
        var (email, password) = await _app.CreateUserAsync(Roles.CampaignManager);
        await using var context = await browser.Browser.NewContextAsync(new() { Locale = "en-US", ViewportSize = new() { Width = width, Height = height } });
        var page = await context.NewPageAsync();
        await page.GotoAsync(_app.RootUrl + "/Account/Login");
        await page.SignInAsync(email, password);

        await page.GotoAsync(_app.RootUrl + "/templates/new");
        await page.WaitForSelectorAsync("#portal-interactive", new() { State = WaitForSelectorState.Attached });
        await page.Locator("[data-testid=template-name] input, input[data-testid=template-name]").First.FillAsync($"Pickup {device}");
        var body = page.Locator("textarea").First;
        await body.FillAsync("Hi , your order is ready.");
        await body.PressAsync("Home");
        for (var i = 0; i < 3; i++) await body.PressAsync("ArrowRight");

        await page.Locator("[data-testid=pick-client] button, button[data-testid=pick-client]").First.ClickAsync();
        await page.Locator(".mud-popover-open .mud-menu-item, .mud-popover-open .mud-list-item").Filter(new() { HasText = "client.first_name" }).First.ClickAsync();

        await Assertions.Expect(body).ToHaveValueAsync("Hi {{ client.first_name }}, your order is ready.");
        // The made-up preview client is "Анна": Cyrillic, so UCS-2.
        await Assertions.Expect(page.Locator("[data-testid=template-encoding]")).ToHaveTextAsync(new Regex("UCS-2"));
        await Assertions.Expect(page.Locator("[data-testid=template-preview]")).ToHaveTextAsync("Hi Анна, your order is ready.");

        await page.Locator("[data-testid=template-save] button, button[data-testid=template-save]").First.ClickAsync();
        try
        {
            // Generous: on a loaded CI machine the save waits behind the app's own background writers on one SQLite file.
            // Polls what the page shows and its URL rather than waiting for a navigation event: a CI run timed out on
            // WaitForURL with the saved template (v1) already on screen, i.e. the in-circuit navigation had happened.
            await Assertions.Expect(page.Locator("[data-testid=template-versions]")).ToContainTextAsync("v1", new() { Timeout = 90_000 });
            await Assertions.Expect(page).ToHaveURLAsync(new Regex("/templates/\\d+$"), new() { Timeout = 10_000 });
        }
        catch (PlaywrightException)
        {
            await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, $"template-editor-{device}-save-failed.png"), FullPage = true });
            var said = await page.Locator(".mud-snackbar, .mud-alert").AllInnerTextsAsync();
            throw new Xunit.Sdk.XunitException($"Save did not open the saved template; the page said: {string.Join(" | ", said.DefaultIfEmpty("(nothing)"))}");
        }
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, $"template-editor-{device}.png"), FullPage = true });
    }
}
