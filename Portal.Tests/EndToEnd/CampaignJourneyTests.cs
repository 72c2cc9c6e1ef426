using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Portal.Domain.Access;
using Portal.Domain.Messages;
using Portal.Infrastructure.Persistence;
using Portal.Tests.Support;

namespace Portal.Tests.EndToEnd;

/// <summary>
/// The whole journey as a new user would take it, in a real browser: a CSV of 1,000 clients with
/// mistakes, an audience of three conditions, a template, a campaign sent now through the embedded
/// SMSC simulator, the live dashboard reaching 100 %, and the campaign's results. Desktop and phone.
/// </summary>
[Collection(BrowserCollection.Journeys)]
public class CampaignJourneyTests(BrowserFixture browser)
{
    private const int Rows = 1000;
    private static readonly int[] BadRows = [137, 512, 733, 901, 998];

    [Theory]
    [InlineData("desktop", 1366, 900, DatabaseProvider.Sqlite)]
    [InlineData("phone", 390, 844, DatabaseProvider.Postgres)]
    public async Task FromCsvToDeliveredMessages(string device, int width, int height, DatabaseProvider provider)
    {
        await using var app = new PortalAppFactory(provider, demoClients: 0);
        app.Settings["Sending:SweepInterval"] = "00:00:02";
        await app.StartAsync(kestrel: true);
        var viewport = new ViewportSize { Width = width, Height = height };

        // 1. Sign in as a campaign manager.
        var (email, password) = await app.CreateUserAsync(Roles.CampaignManager);
        await using var context = await browser.Browser.NewContextAsync(new() { Locale = "en-US", ViewportSize = viewport });
        var page = await SignInAsync(app, context, email, password);

        // 2. Import 1,000 rows, five of them wrong, and read the row errors.
        var csv = Path.Combine(Path.GetTempPath(), $"journey-{Guid.NewGuid():N}.csv");
        await File.WriteAllLinesAsync(csv, CsvLines());
        await GoAsync(page, app, "/clients/import");
        await page.Locator("[data-testid=import-file]").ChooseFileAsync(csv);
        await Assertions.Expect(page.Locator("[data-testid=import-mapping]")).ToContainTextAsync("Город");
        await page.Locator("[data-testid=mode-valid]").ClickAsync();
        await page.Locator("[data-testid=import-start]").ClickAsync();
        var result = page.Locator("[data-testid=import-run] [data-testid=import-result]");
        await Assertions.Expect(result.Locator("[data-testid=import-status]")).ToHaveTextAsync("Completed", new() { Timeout = 60_000 });
        await Assertions.Expect(result.Locator("[data-testid=import-inserted]")).ToHaveTextAsync((Rows - BadRows.Length).ToString(CultureInfo.InvariantCulture));
        await Assertions.Expect(result.Locator("[data-testid=import-rejected]")).ToHaveTextAsync(BadRows.Length.ToString(CultureInfo.InvariantCulture));
        var errors = result.Locator("[data-testid=import-errors]");
        await Assertions.Expect(errors).ToContainTextAsync("'8916123' is not a valid phone number.");
        await Assertions.Expect(errors).ToContainTextAsync("'+74951234567' is not a mobile number.");
        await Assertions.Expect(errors).ToContainTextAsync("The phone number is empty.");
        await Assertions.Expect(errors).ToContainTextAsync("is not a birth date");
        await ShotAsync(page, $"journey-1-import-{device}");
        await AssertLabelledAsync(page, "import");
        File.Delete(csv);

        // 3. An audience of three conditions: women, in Moscow, aged at least 30.
        var expected = Enumerable.Range(0, Rows).Count(i => !BadRows.Contains(i) && IsFemale(i) && InMoscow(i) && Aged(i));
        await GoAsync(page, app, "/segments/new");
        await page.GetByLabel("Name").First.FillAsync($"Moscow women 30+ {device}");
        await AddConditionAsync(page, 0, "Gender");
        await PickAsync(page, page.Locator("[data-testid=value-choice]").Nth(0), "Female");
        await AddConditionAsync(page, 1, "City");
        await page.Locator("[data-testid=value-text] input, input[data-testid=value-text]").First.FillAsync("Москва");
        await AddConditionAsync(page, 2, "Age");
        await PickAsync(page, page.Locator("[data-testid=operator-select]").Nth(2), "at least");
        await page.Locator("[data-testid=value-number] input, input[data-testid=value-number]").First.FillAsync("30");
        await page.Keyboard.PressAsync("Tab");
        await Assertions.Expect(page.Locator("[data-testid=audience-count]")).ToHaveTextAsync(expected.ToString("N0", CultureInfo.GetCultureInfo("en-US")), new() { Timeout = 15_000 });
        await ShotAsync(page, $"journey-2-audience-{device}");
        await AssertLabelledAsync(page, "audience");
        // By keyboard: Playwright's scroll-into-view of the sticky size panel leaves the button under
        // the fold on a 390 px screen and the pointer click lands beside it (a user scrolls and taps).
        await page.GetByRole(AriaRole.Button, new() { Name = "Save", Exact = true }).FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForURLAsync(new Regex("/segments/\\d+$"));

        // 4. A template with merge fields: preview, encoding and parts.
        await GoAsync(page, app, "/templates/new");
        await page.GetByLabel("Name").First.FillAsync($"Order ready {device}");
        await page.GetByLabel("Message text").FillAsync("{{ client.first_name }}, ваш заказ готов. Ждём вас, {{ client.city }}!");
        await Assertions.Expect(page.Locator("[data-testid=template-preview]")).ToHaveTextAsync(new Regex("^Анна, ваш заказ готов\\. Ждём вас, .+!$"), new() { Timeout = 15_000 });
        await Assertions.Expect(page.Locator("[data-testid=template-encoding]")).ToHaveTextAsync("UCS-2");
        await Assertions.Expect(page.Locator("[data-testid=template-parts]")).ToHaveTextAsync("Parts: 1");
        await ShotAsync(page, $"journey-3-template-{device}");
        await AssertLabelledAsync(page, "template");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save", Exact = true }).ClickAsync();
        await page.WaitForURLAsync(new Regex("/templates/\\d+$"));

        // 5. The wizard: that audience and template, now, quiet hours off (never depends on the clock).
        await GoAsync(page, app, "/campaigns/new");
        var campaignName = $"Order ready campaign {device}";
        await page.GetByLabel("Campaign name").FillAsync(campaignName);
        await PickAsync(page, page.Locator("[data-testid=audience-segment]"), $"Moscow women 30+ {device}");
        await Assertions.Expect(page.Locator("[data-testid=audience-count]")).ToContainTextAsync($"{expected} clients in this audience now", new() { Timeout = 15_000 });
        await ShotAsync(page, $"wizard-audience-{device}", fullPage: false);
        await AssertLabelledAsync(page, "wizard audience");
        await page.GetByRole(AriaRole.Button, new() { Name = "Next" }).ClickAsync();
        await PickAsync(page, page.Locator("[data-testid=message-template]"), $"Order ready {device}");
        await Assertions.Expect(page.GetByLabel("Text", new() { Exact = true })).ToHaveValueAsync("{{ client.first_name }}, ваш заказ готов. Ждём вас, {{ client.city }}!");
        await Assertions.Expect(page.Locator("[data-testid=message-encoding]")).ToHaveTextAsync("UCS-2");
        await page.GetByRole(AriaRole.Button, new() { Name = "Next" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Radio, new() { Name = "Now" })).ToBeCheckedAsync();
        var quiet = page.GetByLabel("Quiet hours");
        await quiet.SetCheckedAsync(false, new() { Force = true });
        await Assertions.Expect(quiet).Not.ToBeCheckedAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Next" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Next" }).ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=estimate-recipients]")).ToHaveTextAsync(expected.ToString(CultureInfo.InvariantCulture), new() { Timeout = 30_000 });
        await ShotAsync(page, $"wizard-review-{device}", fullPage: false);
        await AssertLabelledAsync(page, "wizard review");
        await page.Locator("[data-testid=wizard-schedule]").ClickAsync();
        await page.WaitForURLAsync(new Regex("/campaigns/\\d+$"), new() { Timeout = 30_000 });
        var campaignId = int.Parse(Regex.Match(page.Url, "/campaigns/(\\d+)$").Groups[1].Value, CultureInfo.InvariantCulture);

        // 6. The manager watches the live dashboard reach 100 % final states.
        var (managerEmail, managerPassword) = await app.CreateUserAsync(Roles.Manager);
        await using var managerContext = await browser.Browser.NewContextAsync(new() { Locale = "en-US", ViewportSize = viewport });
        var dashboard = await SignInAsync(app, managerContext, managerEmail, managerPassword);
        await GoAsync(dashboard, app, "/dashboard");
        var card = dashboard.Locator("[data-testid=live-campaign]").Filter(new() { HasText = campaignName });
        await Assertions.Expect(card.Locator("[data-testid=live-campaign-percent]")).ToHaveTextAsync("100.0 %", new() { Timeout = 90_000 });
        await Assertions.Expect(dashboard.Locator("[data-testid=today-totals]")).ToContainTextAsync(expected.ToString(CultureInfo.InvariantCulture));
        var overflow = await dashboard.EvaluateAsync<int>("document.documentElement.scrollWidth");
        Assert.True(overflow <= width, $"the dashboard is {overflow}px wide on a {width}px screen");
        await ShotAsync(dashboard, $"dashboard-journey-{device}", fullPage: false);
        await AssertLabelledAsync(dashboard, "dashboard");

        // 7. The campaign's results: every message final, delivered as the database says.
        var (delivered, total) = await CountsAsync(app, campaignId);
        Assert.Equal(expected, total);
        await GoAsync(page, app, $"/campaigns/{campaignId}");
        var progress = page.Locator("[data-testid=campaign-progress]");
        await Assertions.Expect(page.Locator("[data-testid=progress-results]")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Assertions.Expect(progress.Locator("[data-testid=progress-text]")).ToHaveTextAsync($"{expected} of {expected} messages are final (100.0 %).", new() { Timeout = 15_000 });
        var deliveredRow = progress.Locator("[data-testid=progress-counts] tr").Filter(new() { HasText = "Delivered" });
        await Assertions.Expect(deliveredRow.Locator("td").Nth(1)).ToHaveTextAsync(delivered.ToString(CultureInfo.InvariantCulture));
        Assert.True(delivered > expected / 2, $"only {delivered} of {expected} delivered");
        await ShotAsync(page, $"journey-4-results-{device}");
        await AssertLabelledAsync(page, "results");
    }

    private static bool IsFemale(int i) => i % 2 == 0;

    private static bool InMoscow(int i) => i % 3 == 0;

    /// <summary>Born 1970 (56 today) or 2000 (26).</summary>
    private static bool Aged(int i) => i % 5 < 2;

    private static IEnumerable<string> CsvLines()
    {
        yield return "Код клиента;Телефон;Фамилия;Имя;Пол;Дата рождения;Город";
        for (var i = 0; i < Rows; i++)
        {
            var phone = $"+7916{i:D7}";
            var birth = Aged(i) ? "15.06.1970" : "15.06.2000";
            var gender = IsFemale(i) ? "ж" : "м";
            var first = IsFemale(i) ? "Мария" : "Иван";
            var city = InMoscow(i) ? "Москва" : "Казань";
            (phone, birth) = Array.IndexOf(BadRows, i) switch
            {
                0 => ("8916123", birth),
                1 => ("+74951234567", birth),
                2 => (phone, "31.02.1980"),
                3 => (phone, "someday"),
                4 => ("", birth),
                _ => (phone, birth),
            };
            yield return $"J{i};{phone};Петрова;{first};{gender};{birth};{city}";
        }
    }

    private static async Task<(int Delivered, int Total)> CountsAsync(PortalAppFactory app, int campaignId)
    {
        var contexts = app.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        await using var db = await contexts.CreateDbContextAsync();
        var messages = db.Messages.Where(m => m.CampaignId == campaignId);
        return (await messages.CountAsync(m => m.Status == MessageStatus.Delivered), await messages.CountAsync());
    }

    internal static async Task<IPage> SignInAsync(PortalAppFactory app, IBrowserContext context, string email, string password)
    {
        var page = await context.NewPageAsync();
        await page.GotoAsync(app.RootUrl + "/Account/Login");
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.CompleteSignInAsync(email);
        return page;
    }

    internal static async Task GoAsync(IPage page, PortalAppFactory app, string path)
    {
        await page.GotoAsync(app.RootUrl + path);
        await page.WaitForSelectorAsync("#portal-interactive", new() { State = WaitForSelectorState.Attached });
    }

    private static async Task AddConditionAsync(IPage page, int index, string criterion)
    {
        await page.Locator("[data-testid=add-condition]").First.ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=criterion-select]")).ToHaveCountAsync(index + 1);
        await page.Locator("[data-testid=criterion-select]").Nth(index).ClickAsync();
        await page.Locator(".mud-popover-open .mud-list-item").Filter(new() { HasTextRegex = new Regex($"· {criterion}$") }).First.ClickAsync();
    }

    internal static async Task PickAsync(IPage page, ILocator select, string option)
    {
        await select.ClickAsync();
        await page.Locator(".mud-popover-open .mud-list-item").Filter(new() { HasText = option }).First.ClickAsync();
        await Assertions.Expect(page.Locator(".mud-popover-open .mud-list-item")).ToHaveCountAsync(0);
    }

    /// <summary>Every visible form control must have an accessible name (label, aria-label or aria-labelledby).</summary>
    private static async Task AssertLabelledAsync(IPage page, string where)
    {
        var unlabelled = await page.EvaluateAsync<string[]>("""
            () => [...document.querySelectorAll('input, textarea, select, button')]
              .filter(e => e.type !== 'hidden' && e.type !== 'file' && e.offsetParent !== null)
              .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !e.getAttribute('aria-labelledby')
                           && !(e.tagName === 'BUTTON' && e.innerText.trim()) && !e.title)
              .map(e => e.outerHTML.slice(0, 160))
            """);
        Assert.True(unlabelled.Length == 0, $"controls without an accessible name on {where}: " + string.Join(" ; ", unlabelled));
    }

    private static async Task ShotAsync(IPage page, string name, bool fullPage = true) =>
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, name + ".png"), FullPage = fullPage });
}
