using System.Net;
using System.Text.Json;
using Portal.Infrastructure.Persistence;
using Portal.Tests.Support;

namespace Portal.Tests.Infrastructure.Telemetry;

/// <summary>
/// Issue 22: /health/live answers from the process alone, /health/ready from its dependencies
/// (database, broker, and a bound provider on a sender node); /health keeps its shape.
/// </summary>
public sealed class HealthProbeTests
{
    [Fact]
    public async Task BrokerStopped_ReadyFails_LiveStaysUp()
    {
        await using var broker = await PrivateRabbitMq.StartAsync();
        await using var app = new PortalAppFactory(DatabaseProvider.Sqlite, demoClients: 0);
        app.Settings["Messaging:Transport"] = "RabbitMq";
        app.Settings["Messaging:RabbitMq:Uri"] = broker.Uri;
        app.Settings["Sending:Enabled"] = "false";
        app.Settings["Scheduling:Enabled"] = "false";
        await app.StartAsync();
        var client = app.CreateClient();

        await WaitForStatusAsync(client, "/health/ready", HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
        using (var health = JsonDocument.Parse(await client.GetStringAsync("/health")))
        {
            // The old shape: status, durationMs, checks with database and broker (nothing new in it).
            Assert.Equal("Healthy", health.RootElement.GetProperty("status").GetString());
            Assert.True(health.RootElement.TryGetProperty("durationMs", out _));
            Assert.Equal(["broker", "database"], health.RootElement.GetProperty("checks").EnumerateObject().Select(p => p.Name).Order().ToArray());
        }

        await broker.StopAsync();
        var ready = await WaitForStatusAsync(client, "/health/ready", HttpStatusCode.ServiceUnavailable);
        using (var body = JsonDocument.Parse(ready))
        {
            Assert.Equal("Unhealthy", body.RootElement.GetProperty("checks").GetProperty("broker").GetProperty("status").GetString());
            Assert.Equal("Healthy", body.RootElement.GetProperty("checks").GetProperty("database").GetProperty("status").GetString());
        }
        var live = await client.GetAsync("/health/live");
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync("/health")).StatusCode);
    }

    [Fact]
    public async Task SenderNode_WithoutABoundProvider_IsNotReady_ButLive()
    {
        await using var app = new PortalAppFactory(DatabaseProvider.Sqlite, demoClients: 0);
        app.Settings["Sending:Enabled"] = "true";
        app.Settings["Sending:EmbeddedSimulator"] = "false";
        app.Settings["Scheduling:Enabled"] = "false";
        await app.StartAsync();
        var client = app.CreateClient();
        var ready = await client.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        using (var body = JsonDocument.Parse(await ready.Content.ReadAsStringAsync()))
        {
            Assert.Equal("Unhealthy", body.RootElement.GetProperty("checks").GetProperty("providers").GetProperty("status").GetString());
        }
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
        // /health keeps its meaning: database and broker only.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health")).StatusCode);
    }

    [Fact]
    public async Task SenderNode_WithTheSimulatorBound_IsReady()
    {
        await using var app = new PortalAppFactory(DatabaseProvider.Sqlite, demoClients: 0);
        app.Settings["Sending:Enabled"] = "true";
        app.Settings["Sending:EmbeddedSimulator"] = "true";
        app.Settings["Smsc:Demo"] = "true";
        app.Settings["Scheduling:Enabled"] = "false";
        await app.StartAsync();
        var body = await WaitForStatusAsync(app.CreateClient(), "/health/ready", HttpStatusCode.OK);
        using var json = JsonDocument.Parse(body);
        Assert.Equal("Healthy", json.RootElement.GetProperty("checks").GetProperty("providers").GetProperty("status").GetString());
    }

    private static async Task<string> WaitForStatusAsync(HttpClient client, string path, HttpStatusCode status)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            var response = await client.GetAsync(path);
            var body = await response.Content.ReadAsStringAsync();
            if (response.StatusCode == status) return body;
            if (DateTime.UtcNow > deadline) Assert.Fail($"{path} answered {(int)response.StatusCode} {body}, expected {(int)status}");
            await Task.Delay(500);
        }
    }
}
