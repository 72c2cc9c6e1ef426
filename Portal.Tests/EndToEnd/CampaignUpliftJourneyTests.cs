using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Portal.Domain.Access;
using Portal.Domain.Campaigns;
using Portal.Domain.Clients;
using Portal.Domain.Integrations;
using Portal.Domain.Messages;
using Portal.Domain.Segments;
using Portal.Infrastructure.Integrations;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Segments;
using Portal.Infrastructure.Templates;
using Portal.Tests.Api;
using Portal.Tests.Support;
using static Portal.Tests.EndToEnd.CampaignJourneyTests;

namespace Portal.Tests.EndToEnd;

/// <summary>
/// Issue 15, "done when", the whole loop in a real browser: a campaign manager sends a campaign with
/// a 20 % control group and a purchase goal through the wizard (embedded SMSC simulator); the shop's
/// purchases arrive through <c>POST /api/v1/events</c> with a planted effect (two in three delivered
/// recipients buy, one in five of the control group); an Analyst opens the campaign's results and
/// reads the rates, the uplift and the breakdown by gender, which must equal a computation in this
/// test from the raw message, client and event rows; the CSV download is the table shown, cell by cell.
/// SQLite only: the PostgreSQL variant of the same path is covered by the attribution and results tests.
/// </summary>
[Collection(BrowserCollection.Journeys)]
public class CampaignUpliftJourneyTests(BrowserFixture browser)
{
    private static readonly CultureInfo En = CultureInfo.GetCultureInfo("en-US");

    [Fact]
    public async Task ManagerSendsWithControlGroup_EventsArriveByApi_AnalystReadsUpliftBreakdownAndCsv()
    {
        await using var app = new PortalAppFactory(DatabaseProvider.Sqlite, demoClients: 200);
        app.Settings["Sending:SweepInterval"] = "00:00:02";
        app.Settings["Analytics:AttributionInterval"] = "00:00:01";
        await app.StartAsync(kestrel: true);
        await app.Services.GetRequiredService<SegmentStore>().SaveAsync(null, "Uplift: everyone", SegmentRule.Everyone(), null, "test", CancellationToken.None);
        await app.Services.GetRequiredService<TemplateStore>().SaveAsync(null, "Uplift: offer", "{{ client.first_name }}, -20 % this week only.", null, "test", CancellationToken.None);

        // 1. The campaign manager sends it with a control group and a purchase goal.
        var (email, password) = await app.CreateUserAsync(Roles.CampaignManager);
        await using var context = await browser.Browser.NewContextAsync(new() { Locale = "en-US", TimezoneId = "UTC", ViewportSize = new() { Width = 1366, Height = 900 } });
        var page = await SignInAsync(app, context, email, password);
        await GoAsync(page, app, "/campaigns/new");
        const string name = "Uplift campaign";
        await page.GetByLabel("Campaign name").FillAsync(name);
        await PickAsync(page, page.Locator("[data-testid=audience-segment]"), "Uplift: everyone");
        await page.GetByRole(AriaRole.Button, new() { Name = "Next" }).ClickAsync();
        await PickAsync(page, page.Locator("[data-testid=message-template]"), "Uplift: offer");
        await page.GetByRole(AriaRole.Button, new() { Name = "Next" }).ClickAsync();
        await page.GetByLabel("Quiet hours").SetCheckedAsync(false, new() { Force = true });
        var slider = page.Locator("[data-testid=schedule-control] input[type=range], input[type=range][data-testid=schedule-control]").First;
        await slider.FocusAsync();
        for (var i = 0; i < 20; i++) await page.Keyboard.PressAsync("ArrowRight");
        await Assertions.Expect(page.GetByText("Control group: 20 %")).ToBeVisibleAsync();
        await page.GetByLabel("Purchase", new() { Exact = true }).SetCheckedAsync(true, new() { Force = true });
        await Assertions.Expect(page.Locator("[data-testid=goal-window] input, input[data-testid=goal-window]").First).ToHaveValueAsync("168");
        await page.GetByRole(AriaRole.Button, new() { Name = "Next" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Next" }).ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=estimate-recipients]")).ToHaveTextAsync(new Regex("^[1-9]"), new() { Timeout = 30_000 });
        await page.Locator("[data-testid=wizard-schedule]").ClickAsync();
        await page.WaitForURLAsync(new Regex("/campaigns/\\d+$"), new() { Timeout = 30_000 });
        var campaignId = int.Parse(Regex.Match(page.Url, "/campaigns/(\\d+)$").Groups[1].Value, CultureInfo.InvariantCulture);
        var recipients = await FinishedRecipientsAsync(app, campaignId);
        Assert.True(recipients.Count(r => r.Status == MessageStatus.Control) >= 20, "the control group is too small to measure");

        // 2. The shop's purchases arrive through the events API: the planted effect, plus noise that must not count.
        var (_, key) = await app.Services.GetRequiredService<ApiKeyService>().CreateAsync(ApiTestHost.Admin, "shop", [ApiScopes.EventsWrite], 6_000, CancellationToken.None);
        using var http = new HttpClient { BaseAddress = new Uri(app.RootUrl + "/") };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        var now = DateTime.UtcNow;
        var events = new List<object>();
        foreach (var r in recipients.Where(r => r.ExternalId is not null))
        {
            var buys = r.Status == MessageStatus.Control ? r.ClientId % 5 == 0 : r.ClientId % 3 != 0;
            if (buys) events.Add(new { externalId = r.ExternalId, eventId = $"p{r.ClientId}", type = "purchase", amount = 1000 + r.ClientId % 7 * 100, occurredAt = now });
            if (r.ClientId % 4 == 0) events.Add(new { externalId = r.ExternalId, eventId = $"l{r.ClientId}", type = "login", occurredAt = now });
            if (r.ClientId % 6 == 0) events.Add(new { externalId = r.ExternalId, eventId = $"b{r.ClientId}", type = "purchase", amount = 900, occurredAt = now.AddDays(-30) });
        }
        var posted = await http.PostAsync("api/v1/events", new StringContent(JsonSerializer.Serialize(events), Encoding.UTF8, "application/json"));
        var answer = await posted.Content.ReadAsStringAsync();
        Assert.True(posted.IsSuccessStatusCode, answer);
        Assert.Equal(events.Count, JsonDocument.Parse(answer).RootElement.GetProperty("accepted").GetInt32());

        // The expected figures, from raw rows: recipients, their gender and the purchases stored.
        var truth = await TruthAsync(app, campaignId);
        Assert.True(truth.Total.SentConversions > 0 && truth.Total.ControlConversions > 0);
        await WaitForConversionsAsync(app, campaignId, truth.Total.SentConversions + truth.Total.ControlConversions);

        // 3. The Analyst reads the results.
        var (analystEmail, analystPassword) = await app.CreateUserAsync(Roles.Analyst);
        await using var analystContext = await browser.Browser.NewContextAsync(new() { Locale = "en-US", TimezoneId = "UTC", ViewportSize = new() { Width = 1366, Height = 900 } });
        var analyst = await SignInAsync(app, analystContext, analystEmail, analystPassword);
        await analyst.GotoAsync($"{app.RootUrl}/analytics/campaigns/{campaignId}");
        await analyst.WaitForSelectorAsync("[data-testid=interactive]", new() { State = WaitForSelectorState.Attached, Timeout = 60_000 });
        await Assertions.Expect(analyst.Locator("#page-title")).ToContainTextAsync(name, new() { Timeout = 30_000 });
        var t = truth.Total;
        await Assertions.Expect(analyst.Locator("[data-testid=results-counts]")).ToContainTextAsync(
            $"Sent group {t.Sent.ToString("N0", En)}, control group {t.Control.ToString("N0", En)};");
        await Assertions.Expect(analyst.Locator("[data-testid=results-counts]")).ToContainTextAsync(
            $"conversions {t.SentConversions.ToString("N0", En)} and {t.ControlConversions.ToString("N0", En)}.");
        await Assertions.Expect(analyst.Locator("[data-testid=tile-sent-rate]")).ToContainTextAsync(Percent(t.SentRate));
        await Assertions.Expect(analyst.Locator("[data-testid=tile-control-rate]")).ToContainTextAsync(Percent(t.ControlRate));
        await Assertions.Expect(analyst.Locator("[data-testid=tile-uplift]")).ToContainTextAsync(Points(t.SentRate - t.ControlRate));
        await Assertions.Expect(analyst.Locator("[data-testid=tile-verdict]")).ToContainTextAsync("Significant increase");

        // The breakdown by gender, as a table: each group's recipients and rates are the rows'.
        await analyst.Locator("[data-testid=results-dimension]").First.ClickAsync();
        await analyst.Locator(".mud-popover-open .mud-list-item").Filter(new() { HasText = "Gender" }).First.ClickAsync();
        await analyst.Locator("[data-testid=results-as-table]").First.ClickAsync();
        var table = analyst.Locator("[data-testid=results-table]");
        await Assertions.Expect(table.Locator("tbody tr").First).ToContainTextAsync("All recipients", new() { Timeout = 30_000 });
        await Assertions.Expect(table.Locator("tbody tr")).ToHaveCountAsync(1 + truth.ByGender.Count, new() { Timeout = 30_000 });
        var shown = new List<string[]>();
        foreach (var row in await table.Locator("tbody tr").AllAsync())
        {
            shown.Add([.. (await row.Locator("td").AllInnerTextsAsync()).Select(c => c.Trim())]);
        }
        Assert.Equal(t.Sent.ToString("N0", En), shown[0][1]);
        foreach (var (gender, g) in truth.ByGender)
        {
            var cells = shown.Single(c => c[0].TrimEnd(' ', '*') == gender.ToString());
            Assert.Equal(g.Sent.ToString("N0", En), cells[1]);
            Assert.Equal(Percent(g.SentRate), cells[5]);
            Assert.Equal(g.Control == 0 ? "—" : Percent(g.ControlRate), cells[6]);
            Assert.Equal(g.Control == 0 ? "—" : Points(g.SentRate - g.ControlRate), cells[7]);
        }
        await analyst.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "analytics-uplift-journey.png"), FullPage = true });

        // 4. The CSV download is the table shown: its header, then the same cells row by row, formula-safe
        // (a cell that a spreadsheet would run, such as the uplift "+50.54", gets a leading apostrophe).
        var href = await analyst.Locator("[data-testid=results-csv]").First.GetAttributeAsync("href");
        Assert.Contains("by=gender", href);
        var csv = await analystContext.APIRequest.GetAsync(new Uri(new Uri(app.RootUrl + "/"), href!).ToString());
        Assert.Equal(200, csv.Status);
        var lines = (await csv.TextAsync()).TrimStart('\uFEFF').Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Select(ParseCsvLine).ToList();
        var header = (await table.Locator("thead th").AllInnerTextsAsync()).Select(h => h.Trim()).ToArray();
        Assert.Equal(header, lines[0]);
        Assert.Equal(shown.Count, lines.Count - 1);
        for (var i = 0; i < shown.Count; i++)
        {
            Assert.Equal(shown[i].Select(Defused), lines[i + 1]);
        }
        Assert.Contains(lines.Skip(1), l => l[7].StartsWith("'+", StringComparison.Ordinal));
    }

    private sealed record Recipient(long ClientId, string? ExternalId, MessageStatus Status, DateTime? DoneAt, DateTime CreatedAt, Gender Gender);

    private sealed record Group(long Sent, long Control, long SentConversions, long ControlConversions)
    {
        public double SentRate => Sent == 0 ? 0 : (double)SentConversions / Sent;
        public double ControlRate => Control == 0 ? 0 : (double)ControlConversions / Control;
    }

    private sealed record Truth(Group Total, Dictionary<Gender, Group> ByGender);

    /// <summary>Waits until the campaign has completed and every message is final; its recipients with what the test needs.</summary>
    private static async Task<List<Recipient>> FinishedRecipientsAsync(PortalAppFactory app, int campaignId)
    {
        var contexts = app.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            await using var db = await contexts.CreateDbContextAsync();
            if (await db.Campaigns.AnyAsync(c => c.Id == campaignId && c.Status == CampaignStatus.Completed)
                && !await db.Messages.AnyAsync(m => m.CampaignId == campaignId
                    && (m.Status == MessageStatus.Queued || m.Status == MessageStatus.Submitting || m.Status == MessageStatus.Submitted)))
            {
                return await db.Messages.Where(m => m.CampaignId == campaignId)
                    .Join(db.Clients, m => m.ClientId, c => c.Id, (m, c) => new Recipient(c.Id, c.ExternalId, m.Status, m.DoneAt, m.CreatedAt, c.Gender))
                    .ToListAsync();
            }
            Assert.True(DateTime.UtcNow < deadline, $"campaign {campaignId} did not finish within 60 s");
            await Task.Delay(500);
        }
    }

    /// <summary>
    /// The issue's rule, written here from the raw rows (not the conversions table): a recipient converts when a purchase
    /// of theirs falls within 168 h after delivery (control: after the message's creation, when it would have been sent).
    /// </summary>
    private static async Task<Truth> TruthAsync(PortalAppFactory app, int campaignId)
    {
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var recipients = await db.Messages.Where(m => m.CampaignId == campaignId)
            .Join(db.Clients, m => m.ClientId, c => c.Id, (m, c) => new Recipient(c.Id, c.ExternalId, m.Status, m.DoneAt, m.CreatedAt, c.Gender))
            .ToListAsync();
        var ids = recipients.Select(r => r.ClientId).ToList();
        var purchases = (await db.ClientEvents.Where(e => ids.Contains(e.ClientId) && e.Type == ClientEventType.Purchase)
                .Select(e => new { e.ClientId, e.OccurredAt }).ToListAsync())
            .ToLookup(e => e.ClientId, e => e.OccurredAt);
        bool Converted(Recipient r)
        {
            DateTime? from = r.Status == MessageStatus.Control ? r.CreatedAt : r.Status == MessageStatus.Delivered ? r.DoneAt : null;
            return from is { } f && purchases[r.ClientId].Any(at => at > f && at <= f.AddHours(168));
        }
        Group Of(IEnumerable<Recipient> rows)
        {
            var list = rows.ToList();
            var control = list.Where(r => r.Status == MessageStatus.Control).ToList();
            var sent = list.Where(r => r.Status != MessageStatus.Control).ToList();
            return new Group(sent.Count, control.Count, sent.Count(Converted), control.Count(Converted));
        }
        return new Truth(Of(recipients), recipients.GroupBy(r => r.Gender).ToDictionary(g => g.Key, g => Of(g)));
    }

    private static async Task WaitForConversionsAsync(PortalAppFactory app, int campaignId, long expected)
    {
        var contexts = app.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        long count;
        while ((count = await CountAsync()) != expected && DateTime.UtcNow < deadline)
        {
            await Task.Delay(250);
        }
        Assert.Equal(expected, count);

        async Task<long> CountAsync()
        {
            await using var db = await contexts.CreateDbContextAsync();
            return await db.Conversions.LongCountAsync(c => c.CampaignId == campaignId);
        }
    }

    private static string Percent(double rate) => (rate * 100).ToString("0.00", En) + " %";

    private static string Points(double diff) => (diff * 100).ToString("+0.00;-0.00;0.00", En);

    private static string Defused(string cell) => cell.Length > 0 && cell[0] is '=' or '+' or '-' or '@' ? "'" + cell : cell;

    /// <summary>One RFC 4180 line: commas split cells, double quotes enclose a cell and "" is a quote.</summary>
    private static string[] ParseCsvLine(string line)
    {
        var cells = new List<string>();
        var cell = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var ch = line[i];
            if (quoted)
            {
                if (ch == '"' && i + 1 < line.Length && line[i + 1] == '"') { cell.Append('"'); i++; }
                else if (ch == '"') quoted = false;
                else cell.Append(ch);
            }
            else if (ch == '"') quoted = true;
            else if (ch == ',') { cells.Add(cell.ToString()); cell.Clear(); }
            else cell.Append(ch);
        }
        cells.Add(cell.ToString());
        return [.. cells];
    }
}
