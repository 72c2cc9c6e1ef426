using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Portal.Infrastructure.Persistence;
using Portal.Tests.Infrastructure.Sending;
using Portal.Tests.Support;

namespace Portal.Tests.Infrastructure.Telemetry;

/// <summary>
/// Issue 22, the scrape tail: a node with a metrics port of its own scrapes it once at start, so
/// the exporter's code is compiled before Prometheus's first scrape (which took 2–4 s cold on a loaded machine).
/// </summary>
public sealed class MetricsWarmUpTests
{
    [Fact]
    public async Task OwnMetricsPort_IsScrapedOnceAtStart_BeforeAnyoneElse()
    {
        var port = PrometheusProcess.FreePort();
        await using var h = await DispatchHarness.CreateAsync(DatabaseProvider.Sqlite, rabbit: false, settings: new()
        {
            ["Telemetry:Prometheus:Port"] = port.ToString(CultureInfo.InvariantCulture),
            ["Telemetry:Prometheus:Host"] = "127.0.0.1",
        });
        await h.StartAsync();

        // The warm-up is an HttpClient GET, so it shows in the HTTP client metrics once answered. This
        // test reads the endpoint over a bare socket, which those metrics do not see: a request to the
        // metrics port can only be the node's own.
        var own = $"server_port=\"{port}\"";
        var deadline = DateTime.UtcNow.AddSeconds(30);
        string body;
        do
        {
            body = await RawGetAsync(port, "/metrics");
            if (body.Contains(own, StringComparison.Ordinal)) break;
            await Task.Delay(200);
        }
        while (DateTime.UtcNow < deadline);

        Assert.StartsWith("HTTP/1.1 200", body, StringComparison.Ordinal);
        Assert.Contains(own, body, StringComparison.Ordinal);
    }

    private static async Task<string> RawGetAsync(int port, string path)
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port);
        await using var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"));
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return await reader.ReadToEndAsync();
    }
}
