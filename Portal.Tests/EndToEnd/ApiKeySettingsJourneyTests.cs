using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Portal.Domain.Integrations;
using Portal.Infrastructure.Integrations;
using Portal.Tests.Support;

namespace Portal.Tests.EndToEnd;

/// <summary>
/// Issue 19: an administrator opens a key's settings from the list, sets the daily quota and the
/// status callback URL and copies the generated signing secret: on a desktop in English and on a
/// phone in Russian, the page no wider than the screen.
/// </summary>
[Collection(BrowserCollection.Name)]
public class ApiKeySettingsJourneyTests(BrowserFixture browser) : IAsyncLifetime
{
    private readonly PortalAppFactory _app = new(demoClients: 0);

    public async Task InitializeAsync() => await _app.StartAsync(kestrel: true);

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Theory]
    [InlineData("desktop", 1366, 900, "en-US", "Daily quota of messages")]
    [InlineData("phone", 390, 844, "ru-RU", "Суточная квота сообщений")]
    public async Task Administrator_SetsQuotaAndCallback_CopiesNewSecret(string device, int width, int height, string locale, string quotaLabel)
    {
        var (key, _) = await _app.Services.GetRequiredService<ApiKeyService>().CreateAsync(Api.ApiTestHost.Admin, "Billing " + device, [ApiScopes.MessagesSend], 600, default);
        await using var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = width, Height = height },
            Locale = locale,
        });
        var page = await context.NewPageAsync();
        await page.GotoAsync(_app.RootUrl + "/admin/api-keys");
        await page.WaitForURLAsync("**/Account/Login**");
        await page.SignInAsync(PortalAppFactory.AdminEmail, PortalAppFactory.AdminPassword);
        await page.WaitForURLAsync("**/admin/api-keys");
        await page.ClickAsync($"[data-testid=settings-{key.Prefix}]");

        await page.WaitForURLAsync($"**/admin/api-keys/{key.Id}");
        await Assertions.Expect(page.Locator("#page-title")).ToHaveTextAsync("Billing " + device);
        await page.WaitForSelectorAsync("#portal-interactive", new PageWaitForSelectorOptions { State = WaitForSelectorState.Attached });
        await Assertions.Expect(page.Locator("body")).ToContainTextAsync(quotaLabel);
        await page.FillAsync("input[data-testid=settings-quota]", "5000");
        await page.FillAsync("input[data-testid=settings-callback]", "https://crm.example/sms-status");
        await page.ClickAsync("[data-testid=settings-save]");

        var secret = page.Locator("[data-testid=new-callback-secret]");
        await Assertions.Expect(secret).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^[A-Za-z0-9]{40}$"));
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), "the settings page is wider than the screen");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotFolder, $"api-key-settings-{device}.png"), FullPage = true });

        var stored = await _app.Services.GetRequiredService<ApiKeyService>().FindAsync(key.Id, default);
        Assert.Equal((5000, "https://crm.example/sms-status", true), (stored!.DailyQuota, stored.CallbackUrl, stored.HasCallbackSecret));
    }
}
