using System.Net;
using Microsoft.EntityFrameworkCore;
using Portal.Domain.Clients;
using Portal.Infrastructure.Persistence;

namespace Portal.Tests.Api;

/// <summary><c>PUT /api/v1/clients</c> through the real host, on both databases where the SQL differs.</summary>
public class ClientsApiTests
{
    public static TheoryData<DatabaseProvider> Providers => [DatabaseProvider.Sqlite, DatabaseProvider.Postgres];

    private static object NewClient(int i) => new
    {
        externalId = $"crm-{i}",
        phone = $"8 916 {i:D7}",
        firstName = "Anna",
        lastName = "Smirnova",
        gender = "female",
        birthDate = "1990-05-17",
        regionCode = "NVS",
        city = "Новосибирск",
        status = "active",
        loyaltyTier = "gold",
        tariff = "Unlimited",
        balance = 12.5m,
        totalSpend = 1000m + i,
        purchaseCount = 3,
        lastPurchaseAt = "2026-11-01T10:00:00Z",
        tags = new[] { "vip", "B2B" },
        attributes = new { contract_type = "annual" },
    };

    private static async Task DefineAttributesAsync(ApiTestHost host)
    {
        await using var db = host.Db();
        db.AttributeDefinitions.AddRange(new AttributeDefinition("contract_type", AttributeType.Text, "Contract"), new AttributeDefinition("score", AttributeType.Number, "Score"));
        await db.SaveChangesAsync();
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Upsert_AThousandClientsInOneCall_StoresThemAll(DatabaseProvider provider)
    {
        await using var host = await ApiTestHost.StartAsync(provider);
        await DefineAttributesAsync(host);
        var http = await host.ClientWithAllScopesAsync();

        var response = await http.PutAsync("/api/v1/clients", ApiTestHost.Json(Enumerable.Range(0, 1000).Select(NewClient)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await ApiTestHost.ReadJsonAsync(response);
        Assert.Equal(1000, (int)body["created"]!);
        Assert.Equal(0, (int)body["failed"]!);
        await using var db = host.Db();
        Assert.Equal(1000, await db.Clients.CountAsync());
        var c = await db.Clients.SingleAsync(x => x.ExternalId == "crm-42");
        Assert.Equal("+79160000042", c.Phone);
        Assert.Equal(MobileOperators.Mts, c.Operator);
        Assert.Equal(("Anna", "Smirnova", Gender.Female), (c.FirstName, c.LastName, c.Gender));
        Assert.Equal(new DateOnly(1990, 5, 17), c.BirthDate);
        Assert.Equal("Asia/Novosibirsk", c.TimeZone);
        Assert.Equal((LoyaltyTier.Gold, "Unlimited", 12.5m, 1042m, 3), (c.LoyaltyTier, c.Tariff, c.Balance, c.TotalSpend, c.PurchaseCount));
        Assert.Equal(new DateTime(2026, 11, 1, 10, 0, 0, DateTimeKind.Utc), c.LastPurchaseAt);
        Assert.Equal(["b2b", "vip"], await db.ClientTags.Where(t => t.ClientId == c.Id).Select(t => t.Tag).OrderBy(t => t).ToListAsync());
        Assert.Equal(2000, await db.ClientTags.CountAsync());
        Assert.Equal("annual", (await db.ClientAttributes.SingleAsync(a => a.ClientId == c.Id)).Text);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Reupsert_ChangesTheSentFields_AndLeavesTheOthers(DatabaseProvider provider)
    {
        await using var host = await ApiTestHost.StartAsync(provider);
        await DefineAttributesAsync(host);
        var http = await host.ClientWithAllScopesAsync();
        Assert.Equal(HttpStatusCode.OK, (await http.PutAsync("/api/v1/clients", ApiTestHost.Json(new[] { NewClient(1) }))).StatusCode);

        var again = await http.PutAsync("/api/v1/clients", ApiTestHost.Json(new object[]
        {
            new { externalId = "crm-1", city = "Бердск", tariff = (string?)null, tags = new[] { "churn-risk" }, attributes = new { score = 7.5 } },
        }));

        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var body = await ApiTestHost.ReadJsonAsync(again);
        Assert.Equal(1, (int)body["updated"]!);
        Assert.Equal("updated", (string)body["items"]![0]!["status"]!);
        await using var db = host.Db();
        var c = await db.Clients.SingleAsync();
        Assert.Equal("Бердск", c.City);
        Assert.Null(c.Tariff);
        Assert.Equal(("Anna", "+79160000001", 1001m, "Asia/Novosibirsk"), (c.FirstName, c.Phone, c.TotalSpend, c.TimeZone));
        Assert.True(c.UpdatedAt > c.CreatedAt);
        Assert.Equal(["churn-risk"], await db.ClientTags.Select(t => t.Tag).ToListAsync());
        var attributes = await db.ClientAttributes.OrderBy(a => a.DefinitionId).ToListAsync();
        Assert.Equal(2, attributes.Count);
        Assert.Equal("annual", attributes[0].Text);
        Assert.Equal(7.5m, attributes[1].Number);
    }

    private static object[] MixedBatch() =>
    [
        NewClient(1),
        new { externalId = "bad-phone", phone = "12345" },
        new { externalId = "bad-date", phone = "+79160000003", birthDate = "1990-13-45" },
        new { externalId = "bad-attr", phone = "+79160000004", attributes = new { shoe_size = 42 } },
        new { externalId = "twice", phone = "+79160000005" },
        new { externalId = "twice", phone = "+79160000006" },
        NewClient(7),
    ];

    [Fact]
    public async Task BadItems_AreNamed_AndOnlyTheGoodOnesApplied()
    {
        await using var host = await ApiTestHost.StartAsync();
        await DefineAttributesAsync(host);
        var http = await host.ClientWithAllScopesAsync();

        var response = await http.PutAsync("/api/v1/clients", ApiTestHost.Json(MixedBatch()));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await ApiTestHost.ReadJsonAsync(response);
        Assert.Equal((2, 5), ((int)body["created"]!, (int)body["failed"]!));
        var items = body["items"]!.AsArray();
        Assert.Equal("failed", (string)items[1]!["status"]!);
        Assert.Equal("phone", (string)items[1]!["errors"]![0]!["field"]!);
        Assert.Equal("birthDate", (string)items[2]!["errors"]![0]!["field"]!);
        Assert.Equal("attributes.shoe_size", (string)items[3]!["errors"]![0]!["field"]!);
        Assert.Equal("externalId", (string)items[4]!["errors"]![0]!["field"]!);
        Assert.Equal("externalId", (string)items[5]!["errors"]![0]!["field"]!);
        await using var db = host.Db();
        Assert.Equal(["crm-1", "crm-7"], await db.Clients.Select(c => c.ExternalId!).OrderBy(x => x).ToListAsync());
        Assert.Equal(4, await db.ClientTags.CountAsync());
    }

    [Fact]
    public async Task Atomic_WithBadItems_Returns422NamingEach_AndAppliesNothing()
    {
        await using var host = await ApiTestHost.StartAsync();
        await DefineAttributesAsync(host);
        var http = await host.ClientWithAllScopesAsync();

        var response = await http.PutAsync("/api/v1/clients?atomic=true", ApiTestHost.Json(MixedBatch()));

        var problem = await ApiTestHost.AssertProblemAsync(response, 422);
        var errors = ApiTestHost.Errors(problem).ToList();
        Assert.Contains(errors, e => e is (1, "bad-phone", "phone", _) && e.Reason.Contains("12345"));
        Assert.Contains(errors, e => e is (2, "bad-date", "birthDate", _));
        Assert.Contains(errors, e => e is (3, "bad-attr", "attributes.shoe_size", _) && e.Reason.Contains("Unknown attribute"));
        Assert.Contains(errors, e => e is (4, "twice", "externalId", _));
        Assert.Contains(errors, e => e is (5, "twice", "externalId", _));
        Assert.DoesNotContain(errors, e => e.Index is 0 or 6);
        await using var db = host.Db();
        Assert.Equal(0, await db.Clients.CountAsync());
        Assert.Equal(0, await db.ClientTags.CountAsync());
    }

    [Fact]
    public async Task EveryItemBad_Returns422_AndUnknownFieldsAreErrors()
    {
        await using var host = await ApiTestHost.StartAsync();
        var http = await host.ClientWithAllScopesAsync();

        var response = await http.PutAsync("/api/v1/clients", ApiTestHost.Json(new object[]
        {
            new { externalId = "a", phone = "+79160000001", frist_name = "typo" },
            new { phone = "+79160000002" },
            new { externalId = "c" },
        }));

        var problem = await ApiTestHost.AssertProblemAsync(response, 422);
        var errors = ApiTestHost.Errors(problem).ToList();
        Assert.Contains(errors, e => e is (0, "a", "frist_name", "Unknown field."));
        Assert.Contains(errors, e => e is (1, null, "externalId", "Required."));
        Assert.Contains(errors, e => e is (2, "c", "phone", _));
    }

    [Fact]
    public async Task PhoneOfAnotherClient_IsRefused()
    {
        await using var host = await ApiTestHost.StartAsync();
        var http = await host.ClientWithAllScopesAsync();
        var first = await http.PutAsync("/api/v1/clients", ApiTestHost.Json(new[] { new { externalId = "owner", phone = "+79160000001" } }));
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);

        var response = await http.PutAsync("/api/v1/clients", ApiTestHost.Json(new[] { new { externalId = "other", phone = "8 (916) 000-00-01" } }));

        var problem = await ApiTestHost.AssertProblemAsync(response, 422);
        Assert.Contains(ApiTestHost.Errors(problem), e => e is (0, "other", "phone", "The phone number belongs to another client."));
    }

    [Theory]
    [InlineData("[{\"externalId\": \"a\",", "not valid JSON")]
    [InlineData("{\"externalId\": \"a\"}", "must be a JSON array")]
    [InlineData("[]", "empty")]
    public async Task MalformedBody_Returns400Problem(string body, string expected)
    {
        await using var host = await ApiTestHost.StartAsync();
        var http = await host.ClientWithAllScopesAsync();

        var response = await http.PutAsync("/api/v1/clients", ApiTestHost.Raw(body));

        var problem = await ApiTestHost.AssertProblemAsync(response, 400);
        Assert.Contains(expected, (string)problem["detail"]!);
    }

    [Fact]
    public async Task OverTheBatchLimit_Returns400Problem()
    {
        await using var host = await ApiTestHost.StartAsync();
        var http = await host.ClientWithAllScopesAsync();

        var response = await http.PutAsync("/api/v1/clients", ApiTestHost.Json(Enumerable.Range(0, 1001).Select(NewClient)));

        var problem = await ApiTestHost.AssertProblemAsync(response, 400);
        Assert.Contains("limit is 1000", (string)problem["detail"]!);
    }
}
