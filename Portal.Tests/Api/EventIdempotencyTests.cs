using System.Net;
using Microsoft.EntityFrameworkCore;
using Portal.Domain.Clients;
using Portal.Infrastructure.Persistence;

namespace Portal.Tests.Api;

/// <summary>Issue 20, item 16: a retried purchase must not count twice.</summary>
public class EventIdempotencyTests
{
    public static TheoryData<DatabaseProvider> Providers => [DatabaseProvider.Sqlite, DatabaseProvider.Postgres];

    private static async Task<(ApiTestHost Host, HttpClient Http)> StartAsync(DatabaseProvider provider)
    {
        var host = await ApiTestHost.StartAsync(provider);
        var http = await host.ClientWithAllScopesAsync();
        var seeded = await http.PutAsync("/api/v1/clients", ApiTestHost.Json(new object[]
        {
            new { externalId = "c1", phone = "+79160000001" },
            new { externalId = "c2", phone = "+79160000002" },
        }));
        Assert.Equal(HttpStatusCode.OK, seeded.StatusCode);
        return (host, http);
    }

    private static object Purchase(string? eventId, decimal amount, string at = "2026-11-20T12:00:00Z", string client = "c1") =>
        eventId is null
            ? (object)new { externalId = client, type = "purchase", amount, occurredAt = at }
            : new { externalId = client, eventId, type = "purchase", amount, occurredAt = at };

    private static async Task<(int Accepted, int Duplicates, int Failed)> PostAsync(HttpClient http, params object[] events)
    {
        var response = await http.PostAsync("/api/v1/events", ApiTestHost.Json(events));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await ApiTestHost.ReadJsonAsync(response);
        return ((int)body["accepted"]!, (int)body["duplicates"]!, (int)body["failed"]!);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task SameEventIdTwice_IsStoredOnce_ReportedAsDuplicate_AndCountedOnce(DatabaseProvider provider)
    {
        var (host, http) = await StartAsync(provider);
        await using var _ = host;

        Assert.Equal((2, 0, 0), await PostAsync(http, Purchase("order-1", 100m), Purchase("order-2", 50m, "2026-11-21T12:00:00Z")));
        // The retry of the whole request, a later purchase reusing an id, and an id repeated within one batch.
        Assert.Equal((0, 2, 0), await PostAsync(http, Purchase("order-1", 100m), Purchase("order-2", 50m, "2026-11-21T12:00:00Z")));
        Assert.Equal((1, 2, 0), await PostAsync(http, Purchase("order-3", 7m, "2026-11-22T12:00:00Z"), Purchase("order-3", 7m, "2026-11-22T12:00:00Z"),
            Purchase("order-1", 999m, "2026-11-25T12:00:00Z")));
        // Keys are per source and exact: another id is another event, whichever client it names.
        Assert.Equal((1, 0, 0), await PostAsync(http, Purchase("ORDER-1", 1m, "2026-11-19T12:00:00Z", client: "c2")));

        await using var db = host.Db();
        Assert.Equal(4, await db.ClientEvents.CountAsync());
        Assert.Equal(1, await db.ClientEvents.CountAsync(e => e.EventKey == "order-1"));
        Assert.All(await db.ClientEvents.ToListAsync(), e => Assert.Equal(ClientEvent.ApiSource, e.Source));
        var c1 = await db.Clients.SingleAsync(c => c.ExternalId == "c1");
        // The duplicate dated 2026-11-25 moved nothing: counts, spend and both last-purchase figures are the stored events'.
        Assert.Equal((3, 157m), (c1.PurchaseCount, c1.TotalSpend));
        Assert.Equal(new DateTime(2026, 11, 22, 12, 0, 0, DateTimeKind.Utc), c1.LastPurchaseAt);
        Assert.Equal(new DateTime(2026, 11, 22, 12, 0, 0, DateTimeKind.Utc), c1.LastPurchaseEventAt);
        Assert.Equal(7m, c1.LastPurchaseEventAmount);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task TwoParallelPosts_WithTheSameEventId_StoreOneRow(DatabaseProvider provider)
    {
        var (host, http) = await StartAsync(provider);
        await using var _ = host;
        var other = await host.ClientWithAllScopesAsync();

        for (var round = 0; round < 5; round++)
        {
            var key = $"race-{round}";
            var answers = await Task.WhenAll(PostAsync(http, Purchase(key, 10m)), PostAsync(other, Purchase(key, 10m)));
            Assert.Equal(1, answers.Sum(a => a.Accepted));
            Assert.Equal(1, answers.Sum(a => a.Duplicates));
        }

        await using var db = host.Db();
        Assert.Equal(5, await db.ClientEvents.CountAsync());
        Assert.Equal((5, 50m), await Totals(db));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task EventsWithoutAnId_AreStoredEachTimeTheyAreSent_AsBefore(DatabaseProvider provider)
    {
        var (host, http) = await StartAsync(provider);
        await using var _ = host;

        Assert.Equal((1, 0, 0), await PostAsync(http, Purchase(null, 10m)));
        Assert.Equal((1, 0, 0), await PostAsync(http, Purchase(null, 10m)));

        await using var db = host.Db();
        Assert.Equal(2, await db.ClientEvents.CountAsync(e => e.EventKey == null && e.Source == null));
        Assert.Equal((2, 20m), await Totals(db));
    }

    private static async Task<(int, decimal)> Totals(Portal.Infrastructure.Persistence.PortalDbContext db)
    {
        var c1 = await db.Clients.AsNoTracking().SingleAsync(c => c.ExternalId == "c1");
        return (c1.PurchaseCount, c1.TotalSpend);
    }

    [Fact]
    public async Task AnEventIdTooLong_OrNotText_IsRefusedAtItsIndex()
    {
        var (host, http) = await StartAsync(DatabaseProvider.Sqlite);
        await using var _ = host;

        var response = await http.PostAsync("/api/v1/events", ApiTestHost.Json(new object[]
        {
            new { externalId = "c1", eventId = new string('x', 101), type = "purchase", amount = 1m, occurredAt = "2026-11-20T12:00:00Z" },
            new { externalId = "c1", eventId = new[] { "a" }, type = "purchase", amount = 1m, occurredAt = "2026-11-20T12:00:00Z" },
            new { externalId = "c1", eventId = 12345, type = "purchase", amount = 1m, occurredAt = "2026-11-20T12:00:00Z" },
        }));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await ApiTestHost.ReadJsonAsync(response);
        Assert.Equal((1, 2), ((int)body["accepted"]!, (int)body["failed"]!));
        var errors = body["errors"]!.AsArray().Select(e => ((int)e!["index"]!, (string)e["field"]!)).ToList();
        Assert.Equal([(0, "eventId"), (1, "eventId")], errors);
        await using var db = host.Db();
        Assert.Equal("12345", (await db.ClientEvents.SingleAsync()).EventKey);
    }
}
