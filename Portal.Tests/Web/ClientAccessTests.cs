using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Domain.Access;
using Portal.Domain.Clients;
using Portal.Infrastructure.Persistence;
using Portal.Tests.Support;

namespace Portal.Tests.Web;

/// <summary>
/// Issue 14 through the real host: the client pages are behind a policy that fits each role
/// (Trainer and Auditor do not browse the client base), and the card a masked role receives (the
/// same render the circuit sends over SignalR) holds no phone digits, name, consent evidence or
/// custom attribute value of the client.
/// </summary>
public class ClientAccessTests
{
    private const string Phone = "+79167654321";
    private const string Evidence = "SMS reply from +79167654321 at kiosk 42";
    private const string Card = "4111-2222-3333-4444";

    private static async Task<(PortalAppFactory App, long ClientId)> StartAsync(DatabaseProvider provider)
    {
        var app = new PortalAppFactory(provider, demoClients: 0);
        app.Settings["Sending:EmbeddedSimulator"] = "false";
        await app.StartAsync();
        var contexts = app.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        await using var db = await contexts.CreateDbContextAsync();
        var client = new Client(PhoneNumber.Parse(Phone), "Evlampiya", "Shcherbakova", DateTime.UtcNow) { ExternalId = "CRM-ACCESS-1" };
        db.Clients.Add(client);
        var definition = new AttributeDefinition("card", AttributeType.Text, "Loyalty card");
        db.AttributeDefinitions.Add(definition);
        await db.SaveChangesAsync();
        db.ClientAttributes.Add(new ClientAttribute(client.Id, definition.Id, text: Card));
        db.ConsentRecords.Add(new ConsentRecord(client.Id, ConsentPurpose.Advertising, true, DateTime.UtcNow, "sms", Evidence));
        await db.SaveChangesAsync();
        return (app, client.Id);
    }

    [Theory]
    [InlineData(Roles.Administrator, true)]
    [InlineData(Roles.CampaignManager, true)]
    [InlineData(Roles.Manager, true)]
    [InlineData(Roles.Analyst, true)]
    [InlineData(Roles.Trainer, false)]
    [InlineData(Roles.Auditor, false)]
    public async Task ClientList_IsServedToTheRolesThatWorkWithAudiences_NotToTrainerOrAuditor(string role, bool allowed)
    {
        var (app, _) = await StartAsync(DatabaseProvider.Sqlite);
        await using var _ = app;

        var html = await app.OpenPageAsAsync(role, "clients", allowed);

        if (allowed) Assert.Contains("data-testid=\"clients-grid\"", html);
    }

    [Theory]
    [InlineData(Roles.Trainer)]
    [InlineData(Roles.Auditor)]
    public async Task ClientCard_ById_IsRefusedToTrainerAndAuditor(string role)
    {
        var (app, clientId) = await StartAsync(DatabaseProvider.Sqlite);
        await using var _ = app;
        var (email, password) = await app.CreateUserAsync(role);
        var http = app.CreateBrowserlikeClient();
        await PortalAppFactory.PostLoginAsync(http, email, password);

        var response = await http.GetAsync($"/clients/{clientId}");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains("/Account/AccessDenied", response.Headers.Location!.ToString());
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task ClientCard_ForAMaskedRole_HoldsNoDigitsNameEvidenceOrAttributeValue_ForACampaignManagerItDoes(DatabaseProvider provider)
    {
        var (app, clientId) = await StartAsync(provider);
        await using var _ = app;

        var masked = await CardAsync(app, Roles.Analyst, clientId);
        var clear = await CardAsync(app, Roles.CampaignManager, clientId);

        Assert.Contains("+7916*****21", masked);
        Assert.DoesNotContain("7654321", masked);
        Assert.DoesNotContain("Evlampiya", masked);
        Assert.DoesNotContain("Shcherbakova", masked);
        Assert.DoesNotContain("kiosk", masked);
        Assert.DoesNotContain(Card, masked);
        Assert.Contains("Loyalty card", masked);
        // The same page for a role with personal data shows them: the test can tell.
        Assert.Contains(Phone, clear);
        Assert.Contains(Card, clear);
        Assert.Contains("kiosk 42", clear);
    }

    private static async Task<string> CardAsync(PortalAppFactory app, string role, long clientId)
    {
        var (email, password) = await app.CreateUserAsync(role);
        var http = app.CreateBrowserlikeClient();
        await PortalAppFactory.PostLoginAsync(http, email, password);
        var response = await http.GetAsync($"/clients/{clientId}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
    }
}
