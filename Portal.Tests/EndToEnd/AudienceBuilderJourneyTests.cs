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
        await page.SignInAsync(email, password);

        await page.GotoAsync(_app.RootUrl + "/segments/new");
        await page.WaitForSelectorAsync("#portal-interactive", new() { State = WaitForSelectorState.Attached });
        var count = page.Locator("[data-testid=audience-count]");
        var everyone = await NextCountAsync(count, -1);
        Assert.InRange(everyone, 100, 600);

        await page.Locator("[data-testid=add-condition]").First.ClickAsync();
        await page.Locator("[data-testid=criterion-select]").First.ClickAsync();
        await page.Locator(".mud-popover-open .mud-list-item").Filter(new() { HasText = "Gender" }).First.ClickAsync();
        await page.Locator("[data-testid=value-choice]").First.ClickAsync();
        await page.Locator(".mud-popover-open .mud-list-item").Filter(new() { HasText = "Female" }).First.ClickAsync();

        // The count passes through "—" while the condition is incomplete and while it recounts.
        var women = await NextCountAsync(count, everyone);
        Assert.InRange(women, everyone / 4, everyone * 3 / 4);
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, $"audience-{device}.png"), FullPage = true });
    }

    /// <summary>Waits (up to 15 s) until the count shows a number other than <paramref name="previous"/>.</summary>
    private static async Task<int> NextCountAsync(ILocator count, int previous)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (DateTime.UtcNow < deadline)
        {
            var digits = new string((await count.TextContentAsync() ?? "").Where(char.IsAsciiDigit).ToArray());
            if (digits.Length > 0 && int.Parse(digits) is var value && value != previous)
            {
                return value;
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"The audience count never changed from {previous}.");
    }
}
