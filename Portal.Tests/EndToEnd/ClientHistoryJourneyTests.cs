using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Portal.Domain.Campaigns;
using Portal.Domain.Clients;
using Portal.Domain.Integrations;
using Portal.Infrastructure.Integrations;
using Portal.Infrastructure.MessagesApi;
using Portal.Infrastructure.Persistence;
using Portal.Tests.Support;

namespace Portal.Tests.EndToEnd;

/// <summary>
/// Issue 19 in a browser: a message sent through the API (delivered by the embedded simulator over
/// SMPP) shows on the client's card, found by a phone search in one step, with "why?" and its text.
/// </summary>
[Collection(BrowserCollection.Name)]
public class ClientHistoryJourneyTests(BrowserFixture browser) : IAsyncLifetime
{
    private readonly PortalAppFactory _app = new(demoClients: 0);

    public async Task InitializeAsync() => await _app.StartAsync(kestrel: true);

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task Operator_SearchesByPhone_LandsOnCard_SeesApiMessageDelivered_WhyAndText()
    {
        var factory = _app.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        long clientId;
        await using (var db = await factory.CreateDbContextAsync())
        {
            var client = new Client(PhoneNumber.Parse("+79165550101"), "Olga", "Ivanova", DateTime.UtcNow.AddDays(-3)) { ExternalId = "crm-1" };
            db.Clients.Add(client);
            db.Clients.Add(new Client(PhoneNumber.Parse("+79165550102"), "Other", null, DateTime.UtcNow.AddDays(-3)));
            await db.SaveChangesAsync();
            clientId = client.Id;
        }
        var (key, _) = await _app.Services.GetRequiredService<ApiKeyService>().CreateAsync(Api.ApiTestHost.Admin, "Billing", [ApiScopes.MessagesSend], 100, default);
        var result = await _app.Services.GetRequiredService<MessageSubmission>().SubmitAsync(key.Id, null,
            [new SendItem(0, null, "crm-1", "Your parcel is at the pick-up point", null, null, MessagePurpose.Service, "Portal", null, null)], null, "h", default);
        Assert.IsType<SubmitResult.Accepted>(result);

        await using var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1366, Height = 900 }, Locale = "en-US" });
        var page = await context.NewPageAsync();
        await page.GotoAsync(_app.RootUrl + "/clients");
        await page.WaitForURLAsync("**/Account/Login**");
        await page.SignInAsync(PortalAppFactory.AdminEmail, PortalAppFactory.AdminPassword);
        await page.WaitForURLAsync("**/clients");
        await page.WaitForSelectorAsync("#portal-interactive", new PageWaitForSelectorOptions { State = WaitForSelectorState.Attached });
        var search = page.Locator("input[data-testid=clients-search], [data-testid=clients-search] input").First;
        await search.FillAsync("8 916 555-01-01");
        await search.PressAsync("Enter");

        await page.WaitForURLAsync($"**/clients/{clientId}");
        await Assertions.Expect(page.Locator("[data-testid=client-phone]")).ToHaveTextAsync("+79165550101");
        var history = page.Locator("[data-testid=client-history]");
        await Assertions.Expect(history.Locator("[data-testid=history-source]").First).ToHaveTextAsync("API · Billing");
        // Final, whichever way: the embedded SMSC fails 4 % of messages at random (Undeliverable, Expired, Rejected).
        await Assertions.Expect(history.Locator("[data-testid=history-status]").First).ToContainTextAsync(
            new System.Text.RegularExpressions.Regex("^(Delivered|Undeliverable|Expired|Rejected)"), new() { Timeout = 60_000 });
        await history.Locator("[data-testid=history-why]").First.ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=history-detail]")).ToContainTextAsync("Sent through the API by the key Billing");
        await history.Locator("[data-testid=history-text]").First.ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=history-detail]")).ToContainTextAsync("Your parcel is at the pick-up point");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "client-history.png"), FullPage = true });
    }
}
