using Microsoft.Playwright;
using Portal.Domain.Access;
using Portal.Tests.Support;

namespace Portal.Tests.EndToEnd;

/// <summary>A campaign manager narrows an audience with a condition and watches the live count, on a phone and a desktop.</summary>
[Collection(BrowserCollection.Name)]
public class AudienceBuilderJourneyTests(BrowserFixture browser) : IAsyncLifetime
{
    private readonly PortalAppFactory _app = new(demoClients: 600);

    public async Task InitializeAsync() => await _app.StartAsync(kestrel: true);

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Theory]
    [InlineData("desktop", 1366, 900)]
    [InlineData("phone", 390, 844)]
    public async Task AddingAGenderCondition_NarrowsTheLiveCount(string device, int width, int height)
    {
        var (email, password) = await _app.CreateUserAsync(Roles.CampaignManager);
        await using var context = await browser.Browser.NewContextAsync(new() { Locale = "en-US", ViewportSize = new() { Width = width, Height = height } });
        var page = await context.NewPageAsync();
        await page.GotoAsync(_app.RootUrl + "/Account/Login");
        await page.FillAsync("#email", email);
        await page.FillAsync("#password", password);
        await page.ClickAsync("#sign-in");
        await page.WaitForSelectorAsync("#portal-interactive", new() { State = WaitForSelectorState.Attached });

        await page.GotoAsync(_app.RootUrl + "/segments/new");
        await page.WaitForSelectorAsync("#portal-interactive", new() { State = WaitForSelectorState.Attached });
        var count = page.Locator("[data-testid=audience-count]");
        await Assertions.Expect(count).Not.ToHaveTextAsync("—", new() { Timeout = 15_000 });
        var everyone = Parse(await count.TextContentAsync());
        Assert.InRange(everyone, 100, 600);

        await page.Locator("[data-testid=add-condition]").First.ClickAsync();
        await page.Locator("[data-testid=criterion-select]").First.ClickAsync();
        await page.Locator(".mud-popover-open .mud-list-item").Filter(new() { HasText = "Gender" }).First.ClickAsync();
        await page.Locator("[data-testid=value-choice]").First.ClickAsync();
        await page.Locator(".mud-popover-open .mud-list-item").Filter(new() { HasText = "Female" }).First.ClickAsync();

        await Assertions.Expect(count).Not.ToHaveTextAsync(everyone.ToString("N0", System.Globalization.CultureInfo.GetCultureInfo("en-US")), new() { Timeout = 15_000 });
        var women = Parse(await count.TextContentAsync());
        Assert.InRange(women, everyone / 4, everyone * 3 / 4);
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, $"audience-{device}.png"), FullPage = true });
    }

    private static int Parse(string? text) => int.Parse(new string((text ?? "").Where(char.IsAsciiDigit).ToArray()));
}
