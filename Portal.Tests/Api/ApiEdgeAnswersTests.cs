using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Portal.Api;
using Portal.Domain.Campaigns;
using Portal.Infrastructure.Seeding;

namespace Portal.Tests.Api;

/// <summary>One host for the whole class: every test uses its own external ids.</summary>
public sealed class ApiEdgeHost : IAsyncLifetime
{
    public ApiTestHost Host { get; private set; } = default!;
    public HttpClient Http { get; private set; } = default!;

    public async Task InitializeAsync()
    {
        Host = await ApiTestHost.StartAsync();
        Http = await Host.ClientWithAllScopesAsync();
    }

    public async Task DisposeAsync() => await Host.DisposeAsync();
}

/// <summary>
/// The CRM API's answers off the main path: bodies that are no batch, <c>atomic=0</c>, a write the
/// database refuses, an erased client, and the documented request and response shapes (the records
/// the OpenAPI document is built from) sent and read as they are.
/// </summary>
public sealed class ApiEdgeAnswersTests(ApiEdgeHost fixture) : IClassFixture<ApiEdgeHost>
{
    private static readonly JsonSerializerOptions Documented = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    private HttpClient Http => fixture.Http;

    private static HttpContent AsDocumented<T>(T body) => JsonContent.Create(body, options: Documented);

    private Task<HttpResponseMessage> EraseAsync(string body) =>
        Http.SendAsync(new HttpRequestMessage(HttpMethod.Delete, "/api/v1/clients") { Content = ApiTestHost.Raw(body) });

    private async Task SeedClientAsync(string externalId, string phone) =>
        Assert.Equal(HttpStatusCode.OK, (await Http.PutAsync("/api/v1/clients", ApiTestHost.Json(new[] { new { externalId, phone } }))).StatusCode);

    [Fact]
    public async Task Erase_ABodyThatIsNoBatch_Is400_SayingWhatIsWrong()
    {
        var notJson = await ApiTestHost.AssertProblemAsync(await EraseAsync("erase them all"), 400);
        Assert.StartsWith("The request body is not valid JSON (line 1, byte ", (string)notJson["detail"]!, StringComparison.Ordinal);
        var notArray = await ApiTestHost.AssertProblemAsync(await EraseAsync("""{"externalId": "c1"}"""), 400);
        Assert.Equal("The request body must be a JSON array.", (string)notArray["detail"]!);
        var empty = await ApiTestHost.AssertProblemAsync(await EraseAsync("[]"), 400);
        Assert.Equal("The batch is empty.", (string)empty["detail"]!);
    }

    [Fact]
    public async Task Upsert_AtomicZero_IsNotAtomic_TheValidItemIsApplied()
    {
        var response = await Http.PutAsync("/api/v1/clients?atomic=0", ApiTestHost.Json(new object[]
        {
            new { externalId = "zero-1", phone = "+79160000301" },
            new { externalId = "zero-2" },
        }));

        var body = await ApiTestHost.ReadJsonAsync(response);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal((1, 1), ((int)body["created"]!, (int)body["failed"]!));
        await using var db = fixture.Host.Db();
        Assert.True(await db.Clients.AnyAsync(c => c.ExternalId == "zero-1"));
        Assert.False(await db.Clients.AnyAsync(c => c.ExternalId == "zero-2"));
    }

    [Fact]
    public async Task Upsert_TheDocumentedItem_IsAccepted_LanguageIsLowerCased_AndTheTimeZoneKept()
    {
        var item = new ClientUpsertItem("doc-1", "+79160000302", "Anna", null, "Ivanova", "female", "1990-05-01", "EN", null, "Asia/Vladivostok", "Vladivostok",
            "active", null, "gold", null, 10m, 100m, 2, null, null, null, null);

        var response = await Http.PutAsync("/api/v1/clients", AsDocumented(new[] { item }));

        var result = await response.Content.ReadFromJsonAsync<UpsertResponse>(ApiTestHost.Web);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal((1, 0), (result!.Created, result.Failed));
        await using var db = fixture.Host.Db();
        var client = await db.Clients.SingleAsync(c => c.ExternalId == "doc-1");
        Assert.Equal(("en", "Asia/Vladivostok", "Anna", "Vladivostok"), (client.Language, client.TimeZone, client.FirstName, client.City));
        Assert.Equal((100m, 2), (client.TotalSpend, client.PurchaseCount));
        Assert.Equal(new DateOnly(1990, 5, 1), client.BirthDate);

        // null clears a field that may be empty.
        var cleared = await Http.PutAsync("/api/v1/clients", ApiTestHost.Raw("""[{"externalId": "doc-1", "birthDate": null}]"""));
        Assert.Equal(HttpStatusCode.OK, cleared.StatusCode);
        Assert.Equal(1, (int)(await ApiTestHost.ReadJsonAsync(cleared))["updated"]!);
        await using var after = fixture.Host.Db();
        Assert.Null((await after.Clients.SingleAsync(c => c.ExternalId == "doc-1")).BirthDate);
    }

    [Fact]
    public async Task Upsert_AWriteTheDatabaseRefuses_Is409_AndNothingOfTheBatchIsApplied()
    {
        await using (var db = fixture.Host.Db())
        {
            // What a concurrent writer's unique key does to our insert, on one external id only.
            await db.Database.ExecuteSqlRawAsync("""
                CREATE TRIGGER IF NOT EXISTS refuse_one_client BEFORE INSERT ON "Clients"
                WHEN NEW."ExternalId" = 'taken-meanwhile' BEGIN SELECT RAISE(ABORT, 'UNIQUE constraint failed: Clients.ExternalId'); END;
                """);
        }

        var response = await Http.PutAsync("/api/v1/clients", ApiTestHost.Json(new object[]
        {
            new { externalId = "batch-ok", phone = "+79160000303" },
            new { externalId = "taken-meanwhile", phone = "+79160000304" },
        }));

        var problem = await ApiTestHost.AssertProblemAsync(response, 409);
        Assert.Equal("A concurrent change took an external id or phone of this batch; nothing was applied. Retry the batch.", (string)problem["detail"]!);
        await using var check = fixture.Host.Db();
        Assert.False(await check.Clients.AnyAsync(c => c.ExternalId == "batch-ok"));
    }

    [Fact]
    public async Task Consents_TheDocumentedShapes_AreAccepted_AndABlankSourceIsNamed()
    {
        await SeedClientAsync("consent-1", "+79160000305");

        var consent = await Http.PostAsync("/api/v1/clients/consent-1/consents", AsDocumented(new ConsentRequest("advertising", true, "crm", null, null)));
        var state = await ApiTestHost.ReadJsonAsync(consent);
        Assert.Equal(HttpStatusCode.OK, consent.StatusCode);
        Assert.True((bool)state["advertisingConsent"]!);

        var optOut = await Http.PostAsync("/api/v1/clients/consent-1/opt-out", AsDocumented(new OptOutRequest("moved abroad", null)));
        var after = await ApiTestHost.ReadJsonAsync(optOut);
        Assert.Equal(HttpStatusCode.OK, optOut.StatusCode);
        Assert.Equal("moved abroad", (string)after["optOutReason"]!);
        Assert.NotNull((string?)after["optedOutAt"]);

        var blank = await Http.PostAsync("/api/v1/clients/consent-1/consents", ApiTestHost.Raw("""{"purpose": "service", "granted": true, "source": "   "}"""));
        var problem = await ApiTestHost.AssertProblemAsync(blank, 422);
        Assert.Contains(ApiTestHost.Errors(problem), e => e is { Field: "source", Reason: "May not be empty.", ExternalId: "consent-1" });
    }

    [Fact]
    public async Task Consents_OfAnErasedClient_Are409_WithTheDomainsReason()
    {
        // An erased row that still carries its external id (erasure clears it; a row restored from an older backup does not).
        await SeedClientAsync("erased-1", "+79160000306");
        await using (var db = fixture.Host.Db())
        {
            var client = await db.Clients.SingleAsync(c => c.ExternalId == "erased-1");
            client.Erase(DateTime.UtcNow);
            client.ExternalId = "erased-1";
            await db.SaveChangesAsync();
        }
        const string erased = "This client's personal data was erased; the record can no longer change.";

        var consent = await ApiTestHost.AssertProblemAsync(await Http.PostAsync("/api/v1/clients/erased-1/consents", AsDocumented(new ConsentRequest("service", true, "crm", null, null))), 409);
        var optIn = await ApiTestHost.AssertProblemAsync(await Http.PostAsync("/api/v1/clients/erased-1/opt-in", null), 409);

        Assert.Equal((erased, erased), ((string)consent["detail"]!, (string)optIn["detail"]!));
    }

    [Fact]
    public async Task Events_ABadAtomic_Is400_AndAnItemThatIsNoObject_IsNamed_WhileTheDocumentedItemIsStored()
    {
        await SeedClientAsync("events-1", "+79160000307");
        var item = new EventItem("events-1", "ev-edge-1", "purchase", null, 10m, new DateTime(2026, 11, 20, 12, 0, 0, DateTimeKind.Utc), null);

        var badAtomic = await ApiTestHost.AssertProblemAsync(await Http.PostAsync("/api/v1/events?atomic=maybe", AsDocumented(new[] { item })), 400);
        Assert.Equal("'atomic' is true or false (or 1 or 0), not 'maybe'.", (string)badAtomic["detail"]!);

        var response = await Http.PostAsync("/api/v1/events", ApiTestHost.Raw($"[5, {JsonSerializer.Serialize(item, Documented)}]"));
        var body = await ApiTestHost.ReadJsonAsync(response);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal((1, 1), ((int)body["accepted"]!, (int)body["failed"]!));
        var error = body["errors"]!.AsArray().Single()!;
        Assert.Equal((0, "item", "Each item must be a JSON object."), ((int)error["index"]!, (string)error["field"]!, (string)error["reason"]!));
    }

    [Fact]
    public async Task Messages_ABodyThatIsNotJson_Is400_AndTheDocumentedMessageIsAccepted()
    {
        var notJson = await ApiTestHost.AssertProblemAsync(await Http.PostAsync("/api/v1/messages", ApiTestHost.Raw("""{"phone": "+79160000308", """)), 400);
        Assert.StartsWith("The request body is not valid JSON (line 1, byte ", (string)notJson["detail"]!, StringComparison.Ordinal);

        var sent = await Http.PostAsync("/api/v1/messages", AsDocumented(new MessagesApi.SendMessage("+79160000308", null, "Your code is 1234", null, null, "service", null, null, 30)));

        Assert.Equal(HttpStatusCode.Accepted, sent.StatusCode);
    }

    [Fact]
    public async Task Analytics_ACursorThatIsNoBase64_Is400()
    {
        var problem = await ApiTestHost.AssertProblemAsync(await Http.GetAsync("/api/v1/analytics/messages?cursor=!!not-a-cursor!!"), 400);
        Assert.Equal("Pass nextCursor of the previous page of the same dataset unchanged.", (string)problem["detail"]!);
    }

    [Fact]
    public async Task Analytics_Conversions_ReadAsTheDocumentedPage_WithTheCostAsANumber()
    {
        var sentAt = new DateTime(2026, 10, 5, 9, 0, 0, DateTimeKind.Utc);
        await using (var db = fixture.Host.Db())
        {
            var first = (await db.Clients.MaxAsync(c => (long?)c.Id) ?? 0) + 1;
            await DemoClientWriter.WriteAsync(db, DemoClientGenerator.Generate(0, 40, sentAt), null, CancellationToken.None);
            var last = await db.Clients.MaxAsync(c => c.Id);
            var campaign = new Campaign("Conversions edge", null, MessagePurpose.Service, "a@portal.local", sentAt, new CampaignSettings { Body = "hello" });
            db.Campaigns.Add(campaign);
            await db.SaveChangesAsync();
            await db.Campaigns.Where(c => c.Id == campaign.Id).ExecuteUpdateAsync(s => s
                .SetProperty(c => c.Status, CampaignStatus.Completed).SetProperty(c => c.StartedAt, sentAt).SetProperty(c => c.FinishedAt, sentAt.AddHours(1)));
            await PlantedHistoryWriter.WriteAsync(db, new PlantedCampaign(campaign.Id, first, last, sentAt), CancellationToken.None);
        }

        var response = await Http.GetAsync("/api/v1/analytics/conversions?from=2026-10-05T00:00:00Z&to=2026-10-06T00:00:00Z");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await response.Content.ReadFromJsonAsync<AnalyticsPageDoc>(ApiTestHost.Web);
        Assert.Equal(("conversions", 1, (string?)null), (page!.Dataset, page.Count, page.NextCursor));
        Assert.Contains(new AnalyticsColumnDoc("cost", "double"), page.Columns);
        var row = Assert.Single(page.Rows);
        Assert.Equal("Conversions edge", ((JsonElement)row["name"]!).GetString());
        var cost = (JsonElement)row["cost"]!;
        Assert.Equal(JsonValueKind.Number, cost.ValueKind);
    }
}
