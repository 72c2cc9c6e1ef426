using System.Net;
using Microsoft.EntityFrameworkCore;
using Portal.Domain.Audit;
using Portal.Domain.Clients;
using Portal.Domain.Integrations;
using Portal.Infrastructure.Persistence;

namespace Portal.Tests.Api;

/// <summary><c>DELETE /api/v1/clients</c>: the right to be forgotten, on both databases.</summary>
public class ErasureApiTests
{
    public static TheoryData<DatabaseProvider> Providers => [DatabaseProvider.Sqlite, DatabaseProvider.Postgres];

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Delete_ErasesPersonalData_KeepsAggregates_AndAudits(DatabaseProvider provider)
    {
        await using var host = await ApiTestHost.StartAsync(provider);
        await using (var db = host.Db())
        {
            db.AttributeDefinitions.Add(new AttributeDefinition("contract_type", AttributeType.Text, "Contract"));
            await db.SaveChangesAsync();
        }
        var http = await host.ClientWithAllScopesAsync();
        var upsert = await http.PutAsync("/api/v1/clients", ApiTestHost.Json(new object[]
        {
            new { externalId = "gone", phone = "+79160000001", firstName = "Ivan", lastName = "Petrov", city = "Москва", birthDate = "1980-01-02",
                  totalSpend = 5000m, purchaseCount = 12, tags = new[] { "vip" }, attributes = new { contract_type = "annual" } },
            new { externalId = "stays", phone = "+79160000002", firstName = "Olga", tags = new[] { "vip" } },
        }));
        Assert.Equal(HttpStatusCode.OK, upsert.StatusCode);
        await http.PostAsync("/api/v1/clients/gone/consents", ApiTestHost.Json(new { purpose = "advertising", granted = true, source = "web-form", evidence = "IP 10.1.2.3" }));
        await http.PostAsync("/api/v1/events", ApiTestHost.Json(new[] { new { externalId = "gone", type = "purchase", amount = 10m, occurredAt = "2026-11-20T12:00:00Z" } }));

        var request = new HttpRequestMessage(HttpMethod.Delete, "/api/v1/clients") { Content = ApiTestHost.Json(new[] { "gone", "never-existed" }) };
        var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await ApiTestHost.ReadJsonAsync(response);
        Assert.Equal(1, (int)body["erased"]!);
        Assert.Equal("never-existed", (string)body["notFound"]![0]!);
        await using var check = host.Db();
        var erased = await check.Clients.SingleAsync(c => c.Status == ClientStatus.Erased);
        Assert.Equal($"erased:{erased.Id}", erased.Phone);
        Assert.Null(erased.ExternalId);
        Assert.Equal((null, null, null, null), (erased.FirstName, erased.LastName, erased.City, erased.BirthDate));
        Assert.False(erased.AdvertisingConsent.Granted);
        Assert.Null(erased.AdvertisingConsent.Evidence);
        Assert.Equal((5010m, 13), (erased.TotalSpend, erased.PurchaseCount));
        Assert.Equal(0, await check.ClientTags.CountAsync(t => t.ClientId == erased.Id));
        Assert.Equal(0, await check.ClientAttributes.CountAsync(a => a.ClientId == erased.Id));
        Assert.Null((await check.ConsentRecords.SingleAsync(r => r.ClientId == erased.Id)).Evidence);
        Assert.Equal(1, await check.ClientEvents.CountAsync(e => e.ClientId == erased.Id));
        var audit = await check.AuditEntries.SingleAsync(a => a.Action == AuditActions.ClientErased);
        Assert.Equal(erased.Id.ToString(), audit.EntityId);
        Assert.StartsWith("api-key:", audit.UserName);
        var kept = await check.Clients.SingleAsync(c => c.ExternalId == "stays");
        Assert.Equal("Olga", kept.FirstName);
        Assert.Equal(1, await check.ClientTags.CountAsync(t => t.ClientId == kept.Id));

        var again = await http.SendAsync(new HttpRequestMessage(HttpMethod.Delete, "/api/v1/clients") { Content = ApiTestHost.Json(new[] { "gone" }) });
        Assert.Equal(0, (int)(await ApiTestHost.ReadJsonAsync(again))["erased"]!);
    }

    [Fact]
    public async Task Delete_NeedsTheDeleteScope()
    {
        await using var host = await ApiTestHost.StartAsync();
        var (_, key) = await host.CreateKeyAsync(100, ApiScopes.ClientsWrite);

        var response = await host.Client(key).SendAsync(new HttpRequestMessage(HttpMethod.Delete, "/api/v1/clients") { Content = ApiTestHost.Json(new[] { "x" }) });

        var problem = await ApiTestHost.AssertProblemAsync(response, 403);
        Assert.Contains(ApiScopes.ClientsDelete, (string)problem["detail"]!);
    }
}
