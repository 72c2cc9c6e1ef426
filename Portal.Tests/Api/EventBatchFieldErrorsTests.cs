using Microsoft.EntityFrameworkCore;

namespace Portal.Tests.Api;

/// <summary><c>POST /api/v1/events</c> with a body that is no array, and with every kind of bad event field in one atomic batch.</summary>
public sealed class EventBatchFieldErrorsTests
{
    [Fact]
    public async Task Ingest_AnObjectInsteadOfAnArray_Is400()
    {
        await using var host = await ApiTestHost.StartAsync();
        var http = await host.ClientWithAllScopesAsync();

        var response = await http.PostAsync("/api/v1/events", ApiTestHost.Raw("""{"externalId": "crm-1"}"""));

        await ApiTestHost.AssertProblemAsync(response, 400);
    }

    [Fact]
    public async Task Ingest_EveryBadFieldKind_IsNamedWithItsReason_AndNothingIsStored()
    {
        await using var host = await ApiTestHost.StartAsync();
        var http = await host.ClientWithAllScopesAsync();
        var batch = """
            [
              {"externalId": "crm-1"},
              {"externalId": "crm-1", "type": "custom", "occurredAt": "2026-11-01T10:00:00Z"},
              {"externalId": "crm-1", "type": "purchase", "occurredAt": "2026-11-01T10:00:00Z", "attributes": 5},
              {"externalId": "crm-1", "type": "purchase", "occurredAt": "yesterday", "amount": "100"},
              {"externalId": "crm-1", "eventId": 12345, "type": "visit", "occurredAt": null}
            ]
            """;

        var response = await http.PostAsync("/api/v1/events?atomic=true", ApiTestHost.Raw(batch));

        var problem = await ApiTestHost.AssertProblemAsync(response, 422);
        var errors = ApiTestHost.Errors(problem).Select(e => (e.Index, e.Field, e.Reason)).ToList();
        void Has(int index, string field, string reason) =>
            Assert.True(errors.Contains((index, field, reason)), $"missing ({index}, {field}, {reason}) in\n{string.Join("\n", errors)}");
        Has(0, "type", "Required: purchase, payment, login, visit or custom.");
        Has(0, "occurredAt", "Required.");
        Has(1, "name", "A custom event needs a name.");
        Has(2, "attributes", "Expected a JSON object.");
        Has(3, "occurredAt", "'yesterday' is not a date and time (ISO 8601, e.g. 2026-11-25T10:00:00Z).");
        Has(3, "amount", "Expected a number.");
        Has(4, "occurredAt", "May not be null.");
        await using var db = host.Db();
        Assert.Equal(0, await db.ClientEvents.CountAsync());
    }
}
