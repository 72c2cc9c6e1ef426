using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Portal.Domain.Access;
using Portal.Tests.Support;

namespace Portal.Tests.EndToEnd;

/// <summary>A campaign manager imports a CRM export with mistakes, reads the errors, and finds a client.</summary>
[Collection(BrowserCollection.Name)]
public class ClientImportJourneyTests(BrowserFixture browser) : IAsyncLifetime
{
    private readonly PortalAppFactory _app = new(demoClients: 0);

    public async Task InitializeAsync() => await _app.StartAsync(kestrel: true);

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private async Task<IPage> SignInAsync(IBrowserContext context, string email, string password)
    {
        var page = await context.NewPageAsync();
        await page.GotoAsync(_app.RootUrl + "/Account/Login");
        await page.SignInAsync(email, password);
        return page;
    }

    [Fact]
    public async Task CsvWithBadRows_ImportsTheValidOnes_ShowsErrors_AndTheClientIsFound()
    {
        var (email, password) = await _app.CreateUserAsync(Roles.CampaignManager);
        await using var context = await browser.Browser.NewContextAsync(new() { Locale = "en-US", ViewportSize = new() { Width = 1366, Height = 900 } });
        var page = await SignInAsync(context, email, password);

        var csv = Path.Combine(Path.GetTempPath(), $"crm-{Guid.NewGuid():N}.csv");
        var lines = new List<string> { "Код клиента;Телефон;Фамилия;Имя;Дата рождения;Регион;Согласие на рекламу" };
        for (var i = 0; i < 200; i++)
        {
            lines.Add($"K{i};+7916{i:D7};Иванов;Пётр;01.02.1980;MOW;да");
        }
        lines.Add("K900;12345;Плохой;Телефон;01.02.1980;MOW;да");
        lines.Add("K901;+79031234567;Плохая;Дата;31.02.1980;MOW;да");
        lines.Add("K0;+79051234567;Дубль;Ключа;01.02.1980;MOW;да");
        await File.WriteAllLinesAsync(csv, lines);

        await page.GotoAsync(_app.RootUrl + "/clients/import");
        await page.WaitForSelectorAsync("#portal-interactive", new() { State = WaitForSelectorState.Attached });
        await page.Locator("[data-testid=import-file]").ChooseFileAsync(csv);
        await Assertions.Expect(page.Locator("[data-testid=import-mapping]")).ToContainTextAsync("Телефон");
        await page.Locator("[data-testid=mode-valid]").ClickAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "import-mapping.png"), FullPage = true });
        await page.Locator("[data-testid=import-start]").ClickAsync();

        var result = page.Locator("[data-testid=import-run] [data-testid=import-result]");
        await Assertions.Expect(result.Locator("[data-testid=import-status]")).ToHaveTextAsync("Completed", new() { Timeout = 30_000 });
        await Assertions.Expect(result.Locator("[data-testid=import-inserted]")).ToHaveTextAsync("200");
        await Assertions.Expect(result.Locator("[data-testid=import-rejected]")).ToHaveTextAsync("3");
        var errors = result.Locator("[data-testid=import-errors]");
        await Assertions.Expect(errors).ToContainTextAsync("'12345' is not a valid phone number.");
        await Assertions.Expect(errors).ToContainTextAsync("is not a birth date");
        await Assertions.Expect(errors).ToContainTextAsync("Duplicate: row 2 has the same external id.");
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "import-result.png"), FullPage = true });
        File.Delete(csv);

        await page.GotoAsync(_app.RootUrl + "/clients");
        await page.WaitForSelectorAsync("#portal-interactive", new() { State = WaitForSelectorState.Attached });
        // A part of the number lists the matches; a whole number opens the one client's card (issue 19).
        var search = page.GetByPlaceholder("Phone, last name or external id");
        await search.FillAsync("K199");
        var grid = page.Locator("[data-testid=clients-grid]");
        await Assertions.Expect(grid).ToContainTextAsync("K199");
        await Assertions.Expect(grid).Not.ToContainTextAsync("K198");
        await search.FillAsync("8 916 000 01 99");
        await page.WaitForURLAsync(new System.Text.RegularExpressions.Regex("/clients/\\d+$"));
        await Assertions.Expect(page.Locator("[data-testid=client-phone]")).ToHaveTextAsync("+79160000199");
        await Assertions.Expect(page.Locator("[data-testid=client-consents]")).ToContainTextAsync("import");
    }

    [Fact]
    public async Task Analyst_SeesMaskedPhonesAndNames()
    {
        await using (var scope = _app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<Portal.Infrastructure.Persistence.PortalDbContext>();
            await Portal.Infrastructure.Seeding.DemoClientWriter.WriteAsync(db,
                Portal.Infrastructure.Seeding.DemoClientGenerator.Generate(0, 30, DateTime.UtcNow), null, default);
        }
        var (email, password) = await _app.CreateUserAsync(Roles.Analyst);
        await using var context = await browser.Browser.NewContextAsync(new() { Locale = "en-US", ViewportSize = new() { Width = 390, Height = 844 } });
        var page = await SignInAsync(context, email, password);
        await page.GotoAsync(_app.RootUrl + "/clients");
        await page.WaitForSelectorAsync("#portal-interactive", new() { State = WaitForSelectorState.Attached });
        var grid = page.Locator("[data-testid=clients-grid]");
        await Assertions.Expect(grid).ToContainTextAsync("DEMO-00000000");
        var phone = Portal.Infrastructure.Seeding.DemoClientGenerator.PhoneFor(0);
        await Assertions.Expect(grid).Not.ToContainTextAsync(phone);
        await Assertions.Expect(grid).ToContainTextAsync(Portal.Domain.Access.PersonalDataMask.Phone(phone));
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "clients-masked-phone.png") });
    }

    [Fact]
    public async Task Administrator_ErasesAClient_FromTheCard()
    {
        long id;
        await using (var scope = _app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<Portal.Infrastructure.Persistence.PortalDbContext>();
            await Portal.Infrastructure.Seeding.DemoClientWriter.WriteAsync(db,
                Portal.Infrastructure.Seeding.DemoClientGenerator.Generate(0, 3, DateTime.UtcNow), null, default);
            id = db.Clients.Single(c => c.ExternalId == "DEMO-00000001").Id;
            var contract = new Portal.Domain.Clients.AttributeDefinition("contract_type", Portal.Domain.Clients.AttributeType.Text, "Contract type");
            db.AttributeDefinitions.Add(contract);
            await db.SaveChangesAsync();
            db.ClientAttributes.Add(new Portal.Domain.Clients.ClientAttribute(id, contract.Id, text: "corporate"));
            await db.SaveChangesAsync();
        }
        await using var context = await browser.Browser.NewContextAsync(new() { Locale = "en-US" });
        var page = await SignInAsync(context, PortalAppFactory.AdminEmail, PortalAppFactory.AdminPassword);
        await page.GotoAsync($"{_app.RootUrl}/clients/{id}");
        await page.WaitForSelectorAsync("#portal-interactive", new() { State = WaitForSelectorState.Attached });
        await Assertions.Expect(page.Locator("[data-testid=client-phone]")).ToHaveTextAsync(Portal.Infrastructure.Seeding.DemoClientGenerator.PhoneFor(1));
        await Assertions.Expect(page.Locator("[data-testid=client-attribute]")).ToHaveTextAsync("corporate");
        await page.Locator("[data-testid=client-erase]").ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Erase", Exact = true }).ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=client-phone]")).ToHaveTextAsync($"erased:{id}");
        await Assertions.Expect(page.Locator("[data-testid=client-erase]")).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("[data-testid=client-attribute]")).ToHaveCountAsync(0);

        await using var check = _app.Services.CreateAsyncScope();
        var read = check.ServiceProvider.GetRequiredService<Portal.Infrastructure.Persistence.PortalDbContext>();
        var client = read.Clients.Single(c => c.Id == id);
        Assert.Null(client.LastName);
        Assert.Equal(Portal.Domain.Clients.ClientStatus.Erased, client.Status);
        Assert.True(read.AuditEntries.Any(a => a.Action == Portal.Domain.Audit.AuditActions.ClientErased && a.EntityId == id.ToString()));
    }
}
