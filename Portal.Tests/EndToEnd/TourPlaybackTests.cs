using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Portal.Domain.Access;
using Portal.Domain.Tours;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Tours;
using Portal.Tests.Support;

namespace Portal.Tests.EndToEnd;

/// <summary>
/// Issue 18: every built-in tour played step by step in Chromium, in English and Russian, at desktop
/// and phone width. Each step's anchor must exist, be visible and carry driver.js's highlight, the
/// popover must show the step's title and "n of N", and each "wait for" step must advance when the
/// action is done (the test clicks the control, as a user would). A renamed anchor fails here.
/// </summary>
[Collection(BrowserCollection.Tours)]
public class TourPlaybackTests(BrowserFixture browser) : IAsyncLifetime
{
    private readonly PortalAppFactory _app = new(demoClients: 200);

    public async Task InitializeAsync()
    {
        _app.Settings["Seed:DemoHistory"] = "true";
        _app.Settings["Tours:OfferOrientation"] = "true";
        await _app.StartAsync(kestrel: true);
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Theory]
    [InlineData("en", "desktop", 1366, 900)]
    [InlineData("ru", "desktop", 1366, 900)]
    [InlineData("en", "phone", 390, 844)]
    [InlineData("ru", "phone", 390, 844)]
    public async Task EveryBuiltInTour_PlaysStepByStep(string language, string device, int width, int height)
    {
        var russian = language == "ru";
        var (email, password) = await _app.CreateUserAsync(Roles.Administrator);
        var options = new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = width, Height = height },
            Locale = russian ? "ru-RU" : "en-US",
        };
        await using (var context = await browser.Browser.NewContextAsync(options))
        {
            var page = await context.NewPageAsync();
            page.SetDefaultTimeout(30_000);
            await page.GotoAsync(_app.RootUrl + "/");
            await page.SignInAsync(email, password);

            // A new user is offered the orientation: it starts from the offer.
            await page.Locator("[data-testid=tour-offer-start]").ClickAsync();
            await PlayAsync(page, BuiltInTours.All.Single(t => t.Key == BuiltInTours.Orientation), russian, device, checkBack: true);

            foreach (var tour in BuiltInTours.All.Where(t => t.Key != BuiltInTours.Orientation))
            {
                // The others from the "?" menu of the app bar, from whatever page the last one ended on.
                await page.Locator("[data-tour=help] button").First.ClickAsync();
                await page.Locator($"[data-tour-start={tour.Key}]").ClickAsync();
                await PlayAsync(page, tour, russian, device, checkBack: false);
                await page.Keyboard.PressAsync("Escape"); // a dialog the tour left open (the provider editor)
            }
        }

        // Progress is in the database, per user: every tour finished.
        await using (var scope = _app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
            var userId = await db.Users.Where(u => u.Email == email).Select(u => u.Id).SingleAsync();
            var finished = await db.TourProgress.Where(p => p.UserId == userId && p.Status == TourStatus.Finished).CountAsync();
            Assert.Equal(BuiltInTours.All.Count, finished);
        }

        // Signed in again (a new browser, so a new session): the orientation is not offered twice.
        await using (var again = await browser.Browser.NewContextAsync(options))
        {
            var page = await again.NewPageAsync();
            await page.GotoAsync(_app.RootUrl + "/");
            await page.SignInAsync(email, password);
            await Assertions.Expect(page.Locator("[data-tour=overview-stats]")).ToBeVisibleAsync();
            await page.WaitForTimeoutAsync(1500);
            Assert.Equal(0, await page.Locator("[data-testid=tour-offer]").CountAsync());
        }
    }

    /// <summary>
    /// Issue 18: the audience, template and campaign tours played inside the training sandbox
    /// (banner shown, desktop width): every anchor is there, and nothing the tours make the user do
    /// writes a real audience, template or campaign.
    /// </summary>
    [Fact]
    public async Task AudienceTemplateAndCampaignTours_PlayInTheSandbox_AndWriteNoRealRow()
    {
        var (email, password) = await _app.CreateUserAsync(Roles.Administrator);
        await using (var scope = _app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
            var userId = await db.Users.Where(u => u.Email == email).Select(u => u.Id).SingleAsync();
            var principal = new System.Security.Claims.ClaimsPrincipal(new System.Security.Claims.ClaimsIdentity(
                [new(System.Security.Claims.ClaimTypes.NameIdentifier, userId), new(System.Security.Claims.ClaimTypes.Name, email)], "test"));
            await scope.ServiceProvider.GetRequiredService<Portal.Infrastructure.Sandbox.TrainingSandbox>().SetModeAsync(principal, userId, true, default);
        }
        var before = await RealRowsAsync();
        await using (var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1366, Height = 900 } }))
        {
            var page = await context.NewPageAsync();
            page.SetDefaultTimeout(30_000);
            await page.GotoAsync(_app.RootUrl + "/");
            await page.SignInAsync(email, password);
            await Assertions.Expect(page.Locator("[data-testid=sandbox-banner]")).ToBeVisibleAsync();
            foreach (var key in new[] { BuiltInTours.Audience, BuiltInTours.Template, BuiltInTours.Campaign })
            {
                await page.Locator("[data-tour=help] button").First.ClickAsync();
                await page.Locator($"[data-tour-start={key}]").ClickAsync();
                await PlayAsync(page, BuiltInTours.All.Single(t => t.Key == key), russian: false, "sandbox-desktop", checkBack: false);
                await page.Keyboard.PressAsync("Escape");
                await Assertions.Expect(page.Locator("[data-testid=sandbox-banner]")).ToBeVisibleAsync();
                Assert.Equal(0, await page.Locator("[data-testid=sandbox-blocked]").CountAsync());
            }
        }
        Assert.Equal(before, await RealRowsAsync());
    }

    private async Task<(int Segments, int Templates, int Campaigns, int Clients)> RealRowsAsync()
    {
        await using var scope = _app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        return (await db.Segments.CountAsync(s => s.SandboxOwnerId == null), await db.Templates.CountAsync(t => t.SandboxOwnerId == null),
            await db.Campaigns.CountAsync(c => c.SandboxOwnerId == null), await db.Clients.CountAsync(c => c.SandboxOwnerId == null));
    }

    private static async Task PlayAsync(IPage page, BuiltInTour tour, bool russian, string device, bool checkBack)
    {
        var count = tour.Steps.Count;
        for (var i = 0; i < count; i++)
        {
            var step = tour.Steps[i];
            var where = $"{tour.Key} step {i + 1} ({step.Anchor}, {(russian ? "ru" : "en")}, {device})";
            var popover = page.Locator($".driver-popover[data-tour-step=\"{i}\"]");
            await Assertions.Expect(popover).ToBeVisibleAsync(new() { Timeout = 30_000 });
            var anchor = page.Locator($"[data-tour=\"{step.Anchor}\"]").First;
            Assert.True(await anchor.IsVisibleAsync(), $"{where}: anchor not visible");
            await Assertions.Expect(anchor).ToHaveClassAsync(new Regex("driver-active-element"));
            Assert.Equal(step.Anchor, await popover.GetAttributeAsync("data-tour-anchor"));
            await Assertions.Expect(popover.Locator(".driver-popover-title")).ToHaveTextAsync(step.Title(russian));
            await Assertions.Expect(popover.Locator(".driver-popover-progress-text"))
                .ToHaveTextAsync(russian ? $"{i + 1} из {count}" : $"{i + 1} of {count}");
            if (i == 0 && tour.Key == BuiltInTours.Audience)
            {
                await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotFolder, $"tour-{(russian ? "ru" : "en")}-{device}.png") });
            }
            if (tour.Key == BuiltInTours.Audience && step.Anchor == "condition")
            {
                await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotFolder, $"tour-step-{(russian ? "ru" : "en")}-{device}.png") });
            }

            if (checkBack && i == 1)
            {
                // Back returns to the previous step, then Next comes here again.
                await popover.Locator(".driver-popover-prev-btn").ClickAsync();
                await Assertions.Expect(page.Locator(".driver-popover[data-tour-step=\"0\"]")).ToBeVisibleAsync();
                await page.Locator(".driver-popover .driver-popover-next-btn").ClickAsync();
                await Assertions.Expect(popover).ToBeVisibleAsync();
            }

            if (step.Wait == TourWait.None)
            {
                Assert.Equal(0, await popover.Locator(".driver-popover-next-btn[style*='none']").CountAsync());
                await popover.Locator(".driver-popover-next-btn").ClickAsync();
            }
            else
            {
                // A "wait for" step has no Next: only doing the action moves the tour on.
                Assert.False(await popover.Locator(".driver-popover-next-btn").IsVisibleAsync(), $"{where}: a wait-for step offers Next");
                await page.WaitForTimeoutAsync(300);
                await Assertions.Expect(popover).ToBeVisibleAsync();
                await anchor.ClickAsync();
            }
        }
        await Assertions.Expect(page.Locator(".driver-popover")).ToHaveCountAsync(0);
    }
}
