using Microsoft.EntityFrameworkCore;

namespace Portal.Tests.Api;

/// <summary>
/// <c>PUT /api/v1/clients</c> and <c>DELETE /api/v1/clients</c> with every kind of bad field in one
/// batch: each item's error names its index, field and reason (one error per bad field, not only
/// the first), and nothing is stored.
/// </summary>
public sealed class ClientBatchFieldErrorsTests
{
    [Fact]
    public async Task Upsert_EveryBadFieldKind_IsNamedWithItsReason_AndNothingIsStored()
    {
        await using var host = await ApiTestHost.StartAsync();
        var http = await host.ClientWithAllScopesAsync();
        var batch = """
            [
              42,
              {"externalId": null, "phone": 79160000001},
              {"externalId": "a", "language": "x"},
              {"externalId": "b", "timeZone": "Mars/Olympus"},
              {"externalId": "c", "status": "erased"},
              {"externalId": "d", "tags": "vip"},
              {"externalId": "e", "tags": ["ok", ""]},
              {"externalId": "f", "attributes": [1]},
              {"externalId": "g", "gender": null},
              {"externalId": "h", "gender": 1},
              {"externalId": "i", "balance": "12", "totalSpend": -1},
              {"externalId": "j", "balance": 1e20},
              {"externalId": "k", "purchaseCount": -1},
              {"externalId": 5},
              {"externalId": "l", "registeredAt": null, "language": null},
              {"externalId": "m", "firstName": 7, "birthDate": "17.05.1990"},
              {"externalId": "n", "phone": "+7 916 000 00 01", "nickname": "x"}
            ]
            """;

        var response = await http.PutAsync("/api/v1/clients?atomic=true", ApiTestHost.Raw(batch));

        var problem = await ApiTestHost.AssertProblemAsync(response, 422);
        var errors = ApiTestHost.Errors(problem).Select(e => (e.Index, e.Field, e.Reason)).ToList();
        string Because() => string.Join("\n", errors);
        void Has(int index, string field, string reason) =>
            Assert.True(errors.Contains((index, field, reason)), $"missing ({index}, {field}, {reason}) in\n{Because()}");
        Has(0, "item", "Each item must be a JSON object.");
        Has(1, "externalId", "Required.");
        Has(1, "phone", "Expected a string.");
        Has(2, "language", "Expected an ISO 639-1 code such as 'ru'.");
        Has(3, "timeZone", "'Mars/Olympus' is not a known IANA time zone.");
        Has(4, "status", "Use DELETE /api/v1/clients to erase a client.");
        Has(5, "tags", "Expected an array of strings.");
        Has(6, "tags", "Each tag is a string of 1 to 64 characters.");
        Has(7, "attributes", "Expected an object of attribute values by key.");
        Has(8, "gender", "May not be null.");
        Has(9, "gender", "Expected one of: unknown, male, female.");
        Has(10, "balance", "Expected a number.");
        Has(10, "totalSpend", "Must be at least 0.");
        Has(11, "balance", "The number is too large.");
        Has(12, "purchaseCount", "Expected a whole number of at least 0.");
        Has(13, "externalId", "Expected a string.");
        Has(14, "registeredAt", "May not be null.");
        Has(14, "language", "May not be null.");
        Has(15, "firstName", "Expected a string.");
        Has(15, "birthDate", "'17.05.1990' is not a date (yyyy-MM-dd).");
        Has(16, "nickname", "Unknown field.");
        await using var db = host.Db();
        Assert.Equal(0, await db.Clients.CountAsync());
    }

    [Fact]
    public async Task Erase_ItemsThatAreNoExternalIds_AreNamed_AndNothingIsErased()
    {
        await using var host = await ApiTestHost.StartAsync();
        var http = await host.ClientWithAllScopesAsync();
        using var request = new HttpRequestMessage(HttpMethod.Delete, "/api/v1/clients") { Content = ApiTestHost.Raw("""["crm-1", 5, "  "]""") };

        var response = await http.SendAsync(request);

        var problem = await ApiTestHost.AssertProblemAsync(response, 422);
        var errors = ApiTestHost.Errors(problem).ToList();
        Assert.Equal([(1, "item"), (2, "item")], errors.Select(e => (e.Index, e.Field)).ToList());
        Assert.All(errors, e => Assert.Equal("Expected a non-empty external id string.", e.Reason));
    }

    [Fact]
    public async Task Erase_UnknownIds_AreListedAsNotFound()
    {
        await using var host = await ApiTestHost.StartAsync();
        var http = await host.ClientWithAllScopesAsync();
        using var request = new HttpRequestMessage(HttpMethod.Delete, "/api/v1/clients") { Content = ApiTestHost.Raw("""["nobody-1", "nobody-1", "nobody-2"]""") };

        var response = await http.SendAsync(request);

        var body = await ApiTestHost.ReadJsonAsync(response);
        Assert.True(response.IsSuccessStatusCode, body.ToJsonString());
        Assert.Equal(0, (int)body["erased"]!);
        Assert.Equal(["nobody-1", "nobody-2"], body["notFound"]!.AsArray().Select(n => (string)n!).ToList());
    }
}
