using System.Net;
using Microsoft.EntityFrameworkCore;
using Portal.Domain.Clients;

namespace Portal.Tests.Api;

public class EventsAndConsentsApiTests : IAsyncLifetime
{
    private ApiTestHost _host = default!;
    private HttpClient _http = default!;

    public async Task InitializeAsync()
    {
        _host = await ApiTestHost.StartAsync();
        _http = await _host.ClientWithAllScopesAsync();
        var seeded = await _http.PutAsync("/api/v1/clients", ApiTestHost.Json(new object[]
        {
            new { externalId = "c1", phone = "+79160000001", totalSpend = 100m, purchaseCount = 1, lastPurchaseAt = "2026-10-01T00:00:00Z" },
            new { externalId = "c2", phone = "+79160000002" },
        }));
        Assert.Equal(HttpStatusCode.OK, seeded.StatusCode);
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Events_AreStored_AndPurchasesMoveTheAggregates()
    {
        var response = await _http.PostAsync("/api/v1/events", ApiTestHost.Json(new object[]
        {
            new { externalId = "c1", type = "purchase", amount = 250.50m, occurredAt = "2026-11-20T12:00:00Z", attributes = new { sku = "A-1" } },
            new { externalId = "c1", type = "purchase", amount = 49.50m, occurredAt = "2026-11-21T12:00:00+03:00" },
            new { externalId = "c1", type = "login", occurredAt = "2026-11-22T08:00:00Z" },
            new { externalId = "c2", type = "custom", name = "app-installed", occurredAt = "2026-11-23T08:00:00Z" },
            new { externalId = "nobody", type = "visit", occurredAt = "2026-11-23T08:00:00Z" },
            new { externalId = "c2", type = "custom", occurredAt = "2026-11-23T08:00:00Z" },
            new { externalId = "c2", type = "refund", occurredAt = "yesterday" },
        }));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await ApiTestHost.ReadJsonAsync(response);
        Assert.Equal((4, 3), ((int)body["accepted"]!, (int)body["failed"]!));
        var errors = body["errors"]!.AsArray().Select(e => ((int)e!["index"]!, (string)e["field"]!)).ToList();
        Assert.Contains((4, "externalId"), errors);
        Assert.Contains((5, "name"), errors);
        Assert.Contains((6, "type"), errors);
        Assert.Contains((6, "occurredAt"), errors);

        await using var db = _host.Db();
        var c1 = await db.Clients.SingleAsync(c => c.ExternalId == "c1");
        Assert.Equal((3, 400m), (c1.PurchaseCount, c1.TotalSpend));
        Assert.Equal(new DateTime(2026, 11, 21, 9, 0, 0, DateTimeKind.Utc), c1.LastPurchaseAt);
        Assert.Equal(new DateTime(2026, 11, 22, 8, 0, 0, DateTimeKind.Utc), c1.LastActivityAt);
        var c2 = await db.Clients.SingleAsync(c => c.ExternalId == "c2");
        Assert.Equal((0, 0m, (DateTime?)null), (c2.PurchaseCount, c2.TotalSpend, c2.LastPurchaseAt));
        Assert.Equal(new DateTime(2026, 11, 23, 8, 0, 0, DateTimeKind.Utc), c2.LastActivityAt);
        Assert.Equal(4, await db.ClientEvents.CountAsync());
        Assert.Contains("A-1", (await db.ClientEvents.SingleAsync(e => e.Amount == 250.50m)).AttributesJson);
    }

    [Fact]
    public async Task Events_Atomic_WithAnUnknownClient_StoresNothing()
    {
        var response = await _http.PostAsync("/api/v1/events?atomic=true", ApiTestHost.Json(new object[]
        {
            new { externalId = "c1", type = "purchase", amount = 10m, occurredAt = "2026-11-20T12:00:00Z" },
            new { externalId = "nobody", type = "purchase", amount = 10m, occurredAt = "2026-11-20T12:00:00Z" },
        }));

        var problem = await ApiTestHost.AssertProblemAsync(response, 422);
        Assert.Contains(ApiTestHost.Errors(problem), e => e is (1, "nobody", "externalId", _));
        await using var db = _host.Db();
        Assert.Equal(0, await db.ClientEvents.CountAsync());
        Assert.Equal(1, (await db.Clients.SingleAsync(c => c.ExternalId == "c1")).PurchaseCount);
    }

    [Fact]
    public async Task Consent_IsSetWithItsEvidence_AndRecordedInTheHistory()
    {
        var response = await _http.PostAsync("/api/v1/clients/c1/consents", ApiTestHost.Json(new
        {
            purpose = "advertising", granted = true, source = "web-form", evidence = "form #77", at = "2026-11-01T09:00:00Z",
        }));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True((bool)(await ApiTestHost.ReadJsonAsync(response))["advertisingConsent"]!);
        await using var db = _host.Db();
        var client = await db.Clients.SingleAsync(c => c.ExternalId == "c1");
        Assert.True(client.AdvertisingConsent.Granted);
        Assert.Equal(("web-form", "form #77"), (client.AdvertisingConsent.Source, client.AdvertisingConsent.Evidence));
        Assert.True(client.MayReceive(ConsentPurpose.Advertising));
        var record = await db.ConsentRecords.SingleAsync(r => r.ClientId == client.Id);
        Assert.Equal((ConsentPurpose.Advertising, true, new DateTime(2026, 11, 1, 9, 0, 0, DateTimeKind.Utc)), (record.Purpose, record.Granted, record.At));
    }

    [Fact]
    public async Task Consent_WithBadFields_Returns422_AndForAnUnknownClient404()
    {
        var bad = await _http.PostAsync("/api/v1/clients/c1/consents", ApiTestHost.Json(new { purpose = "marketing", granted = "yes" }));
        var problem = await ApiTestHost.AssertProblemAsync(bad, 422);
        var fields = ApiTestHost.Errors(problem).Select(e => e.Field).ToList();
        Assert.Equal(["purpose", "granted", "source"], fields);

        var missing = await _http.PostAsync("/api/v1/clients/nobody/consents", ApiTestHost.Json(new { purpose = "service", granted = true, source = "crm" }));
        await ApiTestHost.AssertProblemAsync(missing, 404);
    }

    [Fact]
    public async Task OptOut_ThenOptIn_ChangesWhetherTheClientMayReceive()
    {
        var optOut = await _http.PostAsync("/api/v1/clients/c2/opt-out", ApiTestHost.Json(new { reason = "call centre" }));
        Assert.Equal(HttpStatusCode.OK, optOut.StatusCode);
        await using (var db = _host.Db())
        {
            var c2 = await db.Clients.SingleAsync(c => c.ExternalId == "c2");
            Assert.NotNull(c2.OptedOutAt);
            Assert.Equal("call centre", c2.OptOutReason);
            Assert.False(c2.MayReceive(ConsentPurpose.Service));
        }

        var optIn = await _http.PostAsync("/api/v1/clients/c2/opt-in", null);
        Assert.Equal(HttpStatusCode.OK, optIn.StatusCode);
        await using (var db = _host.Db())
        {
            var c2 = await db.Clients.SingleAsync(c => c.ExternalId == "c2");
            Assert.Null(c2.OptedOutAt);
            Assert.True(c2.MayReceive(ConsentPurpose.Service));
        }
    }
}
