using Microsoft.Playwright;
using Portal.Tests.Support;

namespace Portal.Tests.EndToEnd;

/// <summary>Issue 18, item 3: a trainer picks a step's anchor by clicking the control in a preview of the step's page.</summary>
[Collection(BrowserCollection.Tours)]
public class TourAnchorPickerJourneyTests(BrowserFixture browser) : IAsyncLifetime
{
    private readonly PortalAppFactory _app = new(demoClients: 20);

    public async Task InitializeAsync() => await _app.StartAsync(kestrel: true);

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task Trainer_ClicksAControlInThePreview_AndTheStepTakesItsAnchor()
    {
        await using var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = 1366, Height = 900 },
            Locale = "en-US",
        });
        var page = await context.NewPageAsync();
        // Generous waits: the shared 2-core machine runs several builds at once.
        page.SetDefaultTimeout(30_000);
        await page.GotoAsync(_app.RootUrl + "/training");
        await page.WaitForURLAsync("**/Account/Login**");
        await page.SignInAsync(PortalAppFactory.AdminEmail, PortalAppFactory.AdminPassword);
        await page.WaitForSelectorAsync("#portal-interactive", new PageWaitForSelectorOptions { State = WaitForSelectorState.Attached });
        await page.Locator("[data-testid=edit-tour-orientation]").ClickAsync();
        var firstAnchor = page.Locator("input[data-testid=step-anchor], [data-testid=step-anchor] input").First;
        await Assertions.Expect(firstAnchor).ToHaveValueAsync("overview-stats", new() { Timeout = 30_000 });

        await page.Locator("[data-testid=step-pick]").First.ClickAsync();
        // The preview opens below the steps: bring it on screen (the app bar inside it is fixed, so only the frame can scroll).
        await page.Locator("#tour-preview").ScrollIntoViewIfNeededAsync();
        var preview = page.FrameLocator("#tour-preview");
        // The overview in the preview, with its anchors outlined: a click on the "?" button picks "help" and opens nothing.
        await preview.Locator("[data-tour=help]").ClickAsync();

        await Assertions.Expect(page.Locator("[data-testid=tour-picker]")).ToHaveCountAsync(0, new() { Timeout = 30_000 });
        await Assertions.Expect(firstAnchor).ToHaveValueAsync("help", new() { Timeout = 30_000 });
    }
}
