using System.Collections.Concurrent;
using Microsoft.Playwright;
using Portal.Tests.Support;

namespace Portal.Tests.EndToEnd;

/// <summary>
/// Issue 14: the first administrator of a new installation signs in with the printed password, is
/// sent straight to MFA enrolment (QR code, key, recovery codes), works through the real pages under
/// the CSP without a single violation in Chromium's console, signs out, and signs in with a code.
/// </summary>
[Collection(BrowserCollection.Journeys)]
public class MfaJourneyTests(BrowserFixture browser) : IAsyncLifetime
{
    private readonly PortalAppFactory _app = new(demoClients: 50) { EnrolAdministrator = false };

    public async Task InitializeAsync() => await _app.StartAsync(kestrel: true);

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private static readonly string[] Pages =
        ["/", "/clients", "/clients/import", "/segments", "/segments/new", "/segments/lists", "/templates", "/templates/new",
         "/campaigns", "/campaigns/new", "/dashboard", "/inbox", "/audit", "/admin/users", "/admin/providers", "/admin/providers/route",
         "/admin/api-keys", "/admin/sync-sources"];

    [Fact]
    public async Task FirstAdministrator_EnrolsAnAuthenticator_UsesThePortalUnderTheCsp_AndSignsInWithACode()
    {
        await using var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = 1366, Height = 900 },
            Locale = "en-US",
        });
        // Chromium reports every CSP refusal as this event (and a console error): collect both.
        await context.AddInitScriptAsync(
            "document.addEventListener('securitypolicyviolation', e => console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));");
        var problems = new ConcurrentQueue<string>();
        var page = await context.NewPageAsync();
        page.Console += (_, message) =>
        {
            if (message.Type == "error" && (message.Text.Contains("CSP", StringComparison.Ordinal) || message.Text.Contains("Content Security Policy", StringComparison.Ordinal)))
            {
                problems.Enqueue(page.Url + ": " + message.Text);
            }
        };
        page.PageError += (_, error) => problems.Enqueue(page.Url + ": " + error);

        await page.GotoAsync(_app.RootUrl + "/");
        await page.WaitForURLAsync("**/Account/Login**");
        await page.FillAsync("#email", PortalAppFactory.AdminEmail);
        await page.FillAsync("#password", PortalAppFactory.AdminPassword);
        await page.ClickAsync("#sign-in");

        // Straight to enrolment: a QR code and the key to type by hand.
        await page.WaitForURLAsync("**/Account/EnableAuthenticator**");
        await Assertions.Expect(page.Locator("[data-testid=mfa-required]")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("[data-testid=mfa-qr]")).ToBeVisibleAsync();
        Assert.True(await page.Locator("[data-testid=mfa-qr]").EvaluateAsync<bool>("img => img.complete && img.naturalWidth > 100"));
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "mfa-enrol.png") });
        var key = (await page.Locator("#authenticator-key").InnerTextAsync()).Replace(" ", "").ToUpperInvariant();
        await page.FillAsync("#enrol-code", Totp.Code(key));
        await page.ClickAsync("#enrol");
        await Assertions.Expect(page.Locator("[data-testid=recovery-codes] li")).ToHaveCountAsync(10);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "mfa-recovery-codes.png") });
        await page.ClickAsync("#continue");
        await page.WaitForSelectorAsync("#portal-interactive", new PageWaitForSelectorOptions { State = WaitForSelectorState.Attached });
        await Assertions.Expect(page.Locator("#page-title")).ToHaveTextAsync("Overview");

        // Every page of the shell works under the CSP (Blazor's circuit, MudBlazor's styles and scripts).
        foreach (var path in Pages)
        {
            await page.GotoAsync(_app.RootUrl + path);
            await page.WaitForSelectorAsync("#portal-interactive", new PageWaitForSelectorOptions { State = WaitForSelectorState.Attached });
            await Assertions.Expect(page.Locator("#page-title")).Not.ToBeEmptyAsync();
        }
        Assert.True(problems.IsEmpty, string.Join("\n", problems));
        // A MudBlazor popover (the user menu) opens: its script and inline styles are allowed.
        await page.Locator("[data-testid=user-menu] button").First.ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await page.WaitForURLAsync("**/Account/Login**");

        // Next time: password, then the code from the app.
        await page.FillAsync("#email", PortalAppFactory.AdminEmail);
        await page.FillAsync("#password", PortalAppFactory.AdminPassword);
        await page.ClickAsync("#sign-in");
        await page.WaitForURLAsync("**/Account/LoginWith2fa**");
        await page.FillAsync("#totp-code", Totp.Wrong(key));
        await page.ClickAsync("#verify");
        await Assertions.Expect(page.Locator("[data-testid=login-error]")).ToContainTextAsync("Wrong code");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "mfa-code.png") });
        await page.FillAsync("#totp-code", Totp.Code(key));
        await page.ClickAsync("#verify");
        await page.WaitForSelectorAsync("#portal-interactive", new PageWaitForSelectorOptions { State = WaitForSelectorState.Attached });
        await Assertions.Expect(page.Locator("#page-title")).ToHaveTextAsync("Overview");

        Assert.True(problems.IsEmpty, string.Join("\n", problems));
    }
}
