using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Portal.Domain.Access;
using Portal.Domain.Campaigns;
using Portal.Domain.Messages;
using Portal.Domain.Segments;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Segments;
using Portal.Infrastructure.Templates;
using Portal.Tests.Support;
using static Portal.Tests.EndToEnd.CampaignJourneyTests;

namespace Portal.Tests.EndToEnd;

/// <summary>
/// Issue 20, "done when": for one campaign, the numbers a user reads on the wizard's review
/// (recipients, parts, cost), the campaign's page, the live dashboard and the results page are the
/// database's (messages by status, parts, cost). The demo base has inactive, opted-out and
/// non-consenting clients, so a review that counts clients the launch will not send to fails here.
/// </summary>
[Collection(BrowserCollection.Journeys)]
public class CampaignNumbersJourneyTests(BrowserFixture browser)
{
    private static readonly CultureInfo En = CultureInfo.GetCultureInfo("en-US");

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task OneCampaign_ShowsTheDatabasesNumbers_OnReviewCampaignPageDashboardAndResults(DatabaseProvider provider)
    {
        await using var app = new PortalAppFactory(provider, demoClients: 120);
        app.Settings["Sending:SweepInterval"] = "00:00:02";
        await app.StartAsync(kestrel: true);
        var segments = app.Services.GetRequiredService<SegmentStore>();
        var templates = app.Services.GetRequiredService<TemplateStore>();
        await segments.SaveAsync(null, "Numbers: everyone", SegmentRule.Everyone(), null, "test", CancellationToken.None);
        // Two GSM-7 parts for every client: 170 characters of text around a name.
        await templates.SaveAsync(null, "Numbers: two parts", "{{ client.first_name }}! " + new string('x', 170), null, "test", CancellationToken.None);

        var (email, password) = await app.CreateUserAsync(Roles.CampaignManager);
        await using var context = await browser.Browser.NewContextAsync(new() { Locale = "en-US", TimezoneId = "UTC", ViewportSize = new() { Width = 1366, Height = 900 } });
        var page = await SignInAsync(app, context, email, password);

        // The wizard's review.
        await GoAsync(page, app, "/campaigns/new");
        const string name = "Numbers campaign";
        await page.GetByLabel("Campaign name").FillAsync(name);
        await PickAsync(page, page.Locator("[data-testid=audience-segment]"), "Numbers: everyone");
        await page.GetByRole(AriaRole.Button, new() { Name = "Next" }).ClickAsync();
        await PickAsync(page, page.Locator("[data-testid=message-template]"), "Numbers: two parts");
        await page.GetByRole(AriaRole.Button, new() { Name = "Next" }).ClickAsync();
        var quiet = page.GetByLabel("Quiet hours");
        await quiet.SetCheckedAsync(false, new() { Force = true });
        await page.GetByRole(AriaRole.Button, new() { Name = "Next" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Next" }).ClickAsync();
        var estimate = page.Locator("[data-testid=estimate]");
        await Assertions.Expect(page.Locator("[data-testid=estimate-recipients]")).ToHaveTextAsync(new Regex("^[1-9]"), new() { Timeout = 30_000 });
        var review = new Shown(
            Recipients: Number(await page.Locator("[data-testid=estimate-recipients]").InnerTextAsync()),
            Parts: Number(await estimate.Locator("tr").Filter(new() { HasTextRegex = new Regex("^Parts") }).Locator("td").Nth(1).InnerTextAsync()),
            Cost: Money(await page.Locator("[data-testid=estimate-cost]").InnerTextAsync()));
        await page.Locator("[data-testid=wizard-schedule]").ClickAsync();
        await page.WaitForURLAsync(new Regex("/campaigns/\\d+$"), new() { Timeout = 30_000 });
        var campaignId = int.Parse(Regex.Match(page.Url, "/campaigns/(\\d+)$").Groups[1].Value, CultureInfo.InvariantCulture);

        var db = await DatabaseAsync(app, campaignId);
        Assert.True(db.Total > 50, $"only {db.Total} messages");
        Assert.Equal(0, db.Control);
        Assert.True(review.Recipients == db.Total, $"the review said {review.Recipients} recipients, the campaign has {db.Total} messages");
        Assert.True(review.Parts == db.Parts, $"the review said {review.Parts} parts, the messages have {db.Parts}");
        Assert.True(review.Cost == db.Cost, $"the review said a cost of {review.Cost}, the messages cost {db.Cost}");

        // The campaign's page.
        await GoAsync(page, app, $"/campaigns/{campaignId}");
        var progress = page.Locator("[data-testid=campaign-progress]");
        await Assertions.Expect(progress.Locator("[data-testid=progress-text]"))
            .ToHaveTextAsync($"{db.Total} of {db.Total} messages are final (100.0 %).", new() { Timeout = 15_000 });
        var counts = await PairsAsync(progress.Locator("[data-testid=progress-counts] tr"));
        Assert.Equal(db.Delivered, counts["Delivered"]);
        Assert.Equal(db.Failed, counts["Failed"]);
        Assert.Equal(db.Cancelled, counts["Cancelled"]);
        Assert.Equal(0, counts["Queued"] + counts["Submitted"] + counts["Deferred"] + counts["Uncertain"]);
        var results = await PairsAsync(progress.Locator("[data-testid=progress-results] tr"));
        Assert.Equal(db.Parts, results["Parts"]);
        Assert.Equal(db.Cost, Money(await progress.Locator("[data-testid=progress-cost]").InnerTextAsync()));

        // The live dashboard (a Manager's), where a finished campaign stays for a while.
        var (managerEmail, managerPassword) = await app.CreateUserAsync(Roles.Manager);
        await using var managerContext = await browser.Browser.NewContextAsync(new() { Locale = "en-US", TimezoneId = "UTC", ViewportSize = new() { Width = 1366, Height = 900 } });
        var dashboard = await SignInAsync(app, managerContext, managerEmail, managerPassword);
        await GoAsync(dashboard, app, "/dashboard");
        var card = dashboard.Locator("[data-testid=live-campaign]").Filter(new() { HasText = name });
        await Assertions.Expect(card.Locator("[data-testid=live-campaign-percent]")).ToHaveTextAsync("100.0 %", new() { Timeout = 30_000 });
        var live = Pairs(await card.Locator("[data-testid=live-campaign-counts]").InnerTextAsync());
        Assert.Equal(db.Delivered, live["Delivered"]);
        Assert.Equal(db.Failed, live["Failed"]);
        Assert.Equal(db.Cancelled, live["Cancelled"]);
        var today = await TodayAsync(app);
        Assert.Equal(today.Sent, Number(await dashboard.Locator("[data-testid=today-sent]").InnerTextAsync()));
        Assert.Equal(today.Delivered, Number(await dashboard.Locator("[data-testid=today-delivered]").InnerTextAsync()));
        Assert.Equal(today.Failed, Number(await dashboard.Locator("[data-testid=today-failed]").InnerTextAsync()));
        Assert.Equal(today.Parts, Number(await dashboard.Locator("[data-testid=today-parts]").InnerTextAsync()));
        Assert.Equal(today.Cost, Money(await dashboard.Locator("[data-testid=today-cost]").InnerTextAsync()));

        // The results page: the sent and control groups.
        await GoAsync(page, app, $"/analytics/campaigns/{campaignId}");
        var line = page.Locator("[data-testid=results-counts]");
        await Assertions.Expect(line).ToContainTextAsync("Sent group", new() { Timeout = 15_000 });
        var groups = Regex.Match(await line.InnerTextAsync(), @"Sent group ([\d,]+), control group ([\d,]+)");
        Assert.True(groups.Success, await line.InnerTextAsync());
        Assert.Equal(db.Total - db.Control, Number(groups.Groups[1].Value));
        Assert.Equal(db.Control, Number(groups.Groups[2].Value));
    }

    /// <summary>Statuses the campaign page counts as not final yet.</summary>
    private static readonly MessageStatus[] Pending =
        [MessageStatus.Queued, MessageStatus.Deferred, MessageStatus.Submitting, MessageStatus.Submitted, MessageStatus.Uncertain];

    private sealed record Shown(long Recipients, long Parts, decimal Cost);

    private sealed record Counted(int Total, int Delivered, int Failed, int Cancelled, int Control, long Parts, decimal Cost);

    /// <summary>
    /// The campaign's messages once it has completed and every receipt is in (parts and cost are written
    /// before it completes). A campaign completes when nothing is left to send, while submitted messages
    /// still wait for their receipts: on PostgreSQL the receipts came after the completion and the counts
    /// read at that moment said 0 delivered.
    /// </summary>
    private static async Task<Counted> DatabaseAsync(PortalAppFactory app, int campaignId)
    {
        var contexts = app.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            await using var db = await contexts.CreateDbContextAsync();
            if (await db.Campaigns.AnyAsync(c => c.Id == campaignId && c.Status == CampaignStatus.Completed)
                && !await db.Messages.AnyAsync(m => m.CampaignId == campaignId && Pending.Contains(m.Status)))
            {
                var rows = await db.Messages.Where(m => m.CampaignId == campaignId).Select(m => new { m.Status, m.Parts, m.Cost }).ToListAsync();
                int Count(params MessageStatus[] statuses) => rows.Count(r => statuses.Contains(r.Status));
                return new Counted(rows.Count, Count(MessageStatus.Delivered),
                    Count(MessageStatus.Undeliverable, MessageStatus.Expired, MessageStatus.Rejected, MessageStatus.Unknown),
                    Count(MessageStatus.Cancelled), Count(MessageStatus.Control), rows.Sum(r => (long)r.Parts), Math.Round(rows.Sum(r => r.Cost), 2));
            }
            Assert.True(DateTime.UtcNow < deadline, $"campaign {campaignId} did not complete with every receipt in within 60 s");
            await Task.Delay(500);
        }
    }

    /// <summary>Today's totals (UTC day) over every message, as the dashboard defines them: submitted today; final today.</summary>
    private static async Task<(long Sent, long Delivered, long Failed, long Parts, decimal Cost)> TodayAsync(PortalAppFactory app)
    {
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var day = DateTime.UtcNow.Date;
        var sent = await db.Messages.Where(m => m.SubmittedAt >= day).Select(m => new { m.Parts, m.Cost }).ToListAsync();
        var done = await db.Messages.Where(m => m.DoneAt >= day).Select(m => m.Status).ToListAsync();
        return (sent.Count, done.Count(s => s == MessageStatus.Delivered),
            done.Count(s => s is MessageStatus.Undeliverable or MessageStatus.Expired or MessageStatus.Rejected or MessageStatus.Unknown),
            sent.Sum(m => (long)m.Parts), Math.Round(sent.Sum(m => m.Cost), 2));
    }

    private static async Task<Dictionary<string, long>> PairsAsync(ILocator rows)
    {
        var pairs = new Dictionary<string, long>();
        foreach (var row in await rows.AllAsync())
        {
            var cells = row.Locator("td");
            pairs[(await cells.Nth(0).InnerTextAsync()).Trim()] = Number(await cells.Nth(1).InnerTextAsync());
        }
        return pairs;
    }

    /// <summary>"Delivered 57 Failed 2 Control group 0 …" as label → count.</summary>
    private static Dictionary<string, long> Pairs(string text) =>
        Regex.Matches(text, @"([A-Za-z][A-Za-z ]*?)\s+([\d,]+)").ToDictionary(m => m.Groups[1].Value.Trim(), m => Number(m.Groups[2].Value));

    private static long Number(string text) => long.Parse(Regex.Match(text, @"[\d,]+").Value.Replace(",", ""), En);

    private static decimal Money(string text) => decimal.Parse(Regex.Match(text, @"[\d,]+(\.\d+)?").Value.Replace(",", ""), En);
}
