using System.Security.Claims;
using Portal.Domain.Access;
using Portal.Domain.Audit;
using Portal.Domain.Clients;
using Portal.Domain.Templates;
using Portal.Infrastructure.Audit;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Templates;
using Portal.Tests.Support;

namespace Portal.Tests.Infrastructure.Templates;

public class TemplatePreviewTests
{
    public static TheoryData<DatabaseProvider> Providers => [DatabaseProvider.Sqlite, DatabaseProvider.Postgres];

    private static ClaimsPrincipal User(string role) =>
        new(new ClaimsIdentity([new Claim(ClaimTypes.Name, "reader@portal.local"), new Claim(ClaimTypes.NameIdentifier, "u1"), new Claim(ClaimTypes.Role, role)], "test"));

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task FindByPhoneOrExternalId_RendersWithAttributes_MaskedPerRole_AuditedWhenClear(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        long id;
        await using (var db = database.CreateContext())
        {
            var client = new Client(PhoneNumber.Parse("+79161234567"), "Борис", "Петров", DateTime.UtcNow) { ExternalId = "CRM-42" };
            db.Clients.Add(client);
            var definition = new AttributeDefinition("contract", AttributeType.Number, "Contract");
            db.AttributeDefinitions.Add(definition);
            await db.SaveChangesAsync();
            db.ClientAttributes.Add(new ClientAttribute(client.Id, definition.Id, number: 1017m));
            await db.SaveChangesAsync();
            id = client.Id;
        }
        var clock = TimeProvider.System;
        var preview = new TemplatePreview(database.Factory, new AuditLog(database.Factory, clock), new Portal.Infrastructure.Providers.RouteQuote(database.Factory, clock), clock);
        var template = new TemplateEngine().Compile("{{ client.first_name }} {{ client.last_name }}, договор {{ attr.contract }}");

        Assert.Equal(id, (await preview.FindClientAsync("8 (916) 123-45-67", true, default))!.Id);
        var masked = await preview.FindClientAsync("CRM-42", false, default);
        Assert.Equal("Б**** П***** +7916*****67", masked!.Label);
        Assert.Null(await preview.FindClientAsync("CRM-404", true, default));

        var hidden = await preview.RenderAsync(template, id, User(Roles.Analyst), default);
        // Issue 14: custom attributes are masked for a role without personal data, as on the client card.
        Assert.Equal("Б**** П*****, договор •••", hidden.Sms!.Value.Text);
        var clear = await preview.RenderAsync(template, id, User(Roles.CampaignManager), default);
        Assert.Equal("Борис Петров, договор 1017", clear.Sms!.Value.Text);

        await using var check = database.CreateContext();
        var audits = check.AuditEntries.Where(a => a.Action == AuditActions.PersonalDataRead).ToList();
        Assert.Single(audits);
        Assert.Equal(id.ToString(), audits[0].EntityId);
        Assert.Equal(["attr.contract"], (await preview.AttributeFieldsAsync(default)).Select(f => f.Path));
    }
}
