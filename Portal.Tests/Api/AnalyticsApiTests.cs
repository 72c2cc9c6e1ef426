using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Portal.Domain.Integrations;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Seeding;
using Portal.Domain.Campaigns;
using Portal.Tests.Support;

namespace Portal.Tests.Api;

/// <summary>Issue 16, item 4: the read API on the real host, both databases.</summary>
public sealed class AnalyticsApiTests
{
    public static TheoryData<DatabaseProvider> Providers => [DatabaseProvider.Sqlite, DatabaseProvider.Postgres];

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Messages_PagedByCursor_EveryRowOnce_Pseudonymised_ScopeRequired(DatabaseProvider provider)
    {
        await using var host = await ApiTestHost.StartAsync(provider);
        var sentAt = new DateTime(2026, 11, 2, 9, 0, 0, DateTimeKind.Utc);
        int campaignId;
        await using (var db = host.Db())
        {
            await DemoClientWriter.WriteAsync(db, DemoClientGenerator.Generate(0, 1_050, sentAt), null, CancellationToken.None);
            var campaign = new Campaign("API", null, MessagePurpose.Service, "a@portal.local", sentAt, new CampaignSettings { Body = "hello" });
            db.Campaigns.Add(campaign);
            await db.SaveChangesAsync();
            campaignId = campaign.Id;
            await PlantedHistoryWriter.WriteAsync(db, new PlantedCampaign(campaignId, await db.Clients.MinAsync(c => c.Id), await db.Clients.MaxAsync(c => c.Id), sentAt), CancellationToken.None);
        }

        var (_, wrongKey) = await host.CreateKeyAsync(1000, ApiScopes.ClientsWrite);
        var refused = await host.Client(wrongKey).GetAsync("/api/v1/analytics/messages");
        await ApiTestHost.AssertProblemAsync(refused, 403);
        Assert.Equal(HttpStatusCode.Unauthorized, (await host.Client(null).GetAsync("/api/v1/analytics/messages")).StatusCode);

        var (_, key) = await host.CreateKeyAsync(1000, ApiScopes.AnalyticsRead);
        var client = host.Client(key);
        var ids = new List<long>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var url = $"/api/v1/analytics/messages?campaignId={campaignId}&from=2026-11-01T00:00:00Z&to=2026-11-03T00:00:00Z&limit=400" + (cursor is null ? "" : "&cursor=" + cursor);
            var response = await client.GetAsync(url);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var page = await ApiTestHost.ReadJsonAsync(response);
            var rows = page["rows"]!.AsArray();
            Assert.DoesNotContain(page["columns"]!.AsArray(), c => (string)c!["name"]! is "phone" or "client_name" or "text");
            Assert.All(rows, r => Assert.Matches("^[0-9a-f]{32}$", (string)r!["client_key"]!));
            // Unescaped (the default encoder writes "+" as \u002B, which would hide a phone) and as a phone, not "+7" in a cursor.
            Assert.DoesNotMatch(@"\+7\d{10}", page.ToJsonString(new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
            ids.AddRange(rows.Select(r => (long)r!["message_id"]!));
            cursor = (string?)page["nextCursor"];
            pages++;
        }
        while (cursor is not null);
        Assert.Equal(3, pages);
        Assert.Equal(1_050, ids.Count);
        Assert.Equal(ids.Order(), ids);
        Assert.Equal(ids.Count, ids.Distinct().Count());

        // Outside the period: nothing. A tampered cursor, a bad limit, an aggregate without a period: 400. Unknown dataset: 404.
        var empty = await ApiTestHost.ReadJsonAsync(await client.GetAsync("/api/v1/analytics/messages?from=2026-12-01T00:00:00Z"));
        Assert.Empty(empty["rows"]!.AsArray());
        await ApiTestHost.AssertProblemAsync(await client.GetAsync("/api/v1/analytics/messages?cursor=bm9wZQ"), 400);
        await ApiTestHost.AssertProblemAsync(await client.GetAsync("/api/v1/analytics/messages?limit=100001"), 400);
        await ApiTestHost.AssertProblemAsync(await client.GetAsync("/api/v1/analytics/daily_cost"), 400);
        await ApiTestHost.AssertProblemAsync(await client.GetAsync("/api/v1/analytics/phones"), 404);
        var daily = await ApiTestHost.ReadJsonAsync(await client.GetAsync("/api/v1/analytics/daily_cost?from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z"));
        Assert.Equal(945, daily["rows"]!.AsArray().Sum(r => (long)r!["messages"]!)); // control group excluded
    }

    [Fact]
    public async Task OpenApi_DocumentsTheEndpoint_WithScopeAndExample()
    {
        await using var host = await ApiTestHost.StartAsync();
        var doc = JsonNode.Parse(await host.Client(null).GetStringAsync("/openapi/v1.json"))!;
        var get = doc["paths"]!["/api/v1/analytics/{dataset}"]!["get"]!;
        Assert.Contains("cursor", get["description"]!.ToString(), StringComparison.Ordinal);
        Assert.Equal("messages", (string)get["responses"]!["200"]!["content"]!["application/json"]!["example"]!["dataset"]!);
        Assert.Contains(get["parameters"]!.AsArray(), p => (string)p!["name"]! == "cursor");
        Assert.NotNull(get["responses"]!["403"]);
    }
}
