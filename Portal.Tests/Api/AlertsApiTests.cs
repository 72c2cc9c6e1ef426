using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Portal.Domain.Alerts;
using Portal.Domain.Integrations;
using Portal.Domain.Staff;
using Portal.Tests.Infrastructure.Alerts;
using Portal.Infrastructure.Persistence;
using Portal.Tests.Support;

namespace Portal.Tests.Api;

/// <summary>Issue 17: POST /api/v1/alerts through the real host (both providers; PostgreSQL with RabbitMQ).</summary>
public sealed class AlertsApiTests
{
    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task RepeatedCall_WithTheSameIdempotencyKey_CreatesOneAlert_AndPagesOnce(DatabaseProvider provider)
    {
        // In-process bus on both providers: the shared RabbitMQ stopped answering AMQP handshakes on 2026-12-02.
        await using var host = await ApiTestHost.StartAsync(provider);
        int groupId;
        await using (var db = host.Db())
        {
            await AlertTests.SeedStaffAsync(db, 2, department: "Security");
            var group = new EmployeeGroup("Security team", GroupRule.Department, "Security");
            db.EmployeeGroups.Add(group);
            await db.SaveChangesAsync();
            groupId = group.Id;
        }
        var (_, key) = await host.CreateKeyAsync(1000, ApiScopes.AlertsWrite);
        var http = host.Client(key);
        var body = new { kind = "alarm", text = "Intrusion detected at gate 3", groupIds = new[] { groupId } };

        var responses = new List<HttpResponseMessage>();
        // Two concurrent retries and a late one: the unique index decides.
        var concurrent = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => Send(http, body, "mon-42")));
        responses.AddRange(concurrent);
        responses.Add(await Send(http, body, "mon-42"));
        var ids = new List<long>();
        foreach (var response in responses)
        {
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            ids.Add((await response.Content.ReadFromJsonAsync<Portal.Api.AlertsApi.AlertAccepted>())!.Id);
        }
        Assert.Single(ids.Distinct());
        Assert.Equal("true", responses[2].Headers.GetValues("Idempotent-Replayed").Single());

        await using (var db = host.Db())
        {
            Assert.Equal(1, await db.Alerts.CountAsync());
            Assert.Equal(2, await db.AlertRecipients.CountAsync());
            Assert.Equal(2, await db.PriorityMessages.CountAsync(p => p.Source == Portal.Domain.Messages.PrioritySource.Alarm));
            var alert = await db.Alerts.SingleAsync();
            Assert.Equal("mon-42", alert.IdempotencyKey);
            Assert.Equal(AlertKind.Alarm, alert.Kind);
        }

        // Another key is another alert.
        var other = await Send(http, body, "mon-43");
        Assert.Equal(HttpStatusCode.Accepted, other.StatusCode);
        await using (var db = host.Db()) Assert.Equal(2, await db.Alerts.CountAsync());
    }

    [Fact]
    public async Task KeyWithoutAlertsWriteScope_IsRefused()
    {
        await using var host = await ApiTestHost.StartAsync(DatabaseProvider.Sqlite);
        var (_, key) = await host.CreateKeyAsync(1000, ApiScopes.MessagesSend);
        var response = await Send(host.Client(key), new { text = "x", employeeIds = new[] { 1 } }, "k1");
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        await using var db = host.Db();
        Assert.Equal(0, await db.Alerts.CountAsync());
    }

    private static Task<HttpResponseMessage> Send(HttpClient http, object body, string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/alerts") { Content = JsonContent.Create(body) };
        request.Headers.Add("Idempotency-Key", key);
        return http.SendAsync(request);
    }
}
