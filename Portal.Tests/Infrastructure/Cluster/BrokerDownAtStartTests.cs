using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Portal.Domain.Messages;
using Portal.Infrastructure.Campaigns;
using Portal.Infrastructure.Persistence;
using Portal.Tests.Infrastructure.Sending;
using Portal.Tests.Support;

namespace Portal.Tests.Infrastructure.Cluster;

/// <summary>Issue 13: a node whose broker is down when it starts keeps running (UI, health) and subscribes once the broker is up.</summary>
public sealed class BrokerDownAtStartTests
{
    [Fact]
    public async Task BrokerDownAtStart_NodeKeepsRunning_AndSendsOnceTheBrokerIsUp()
    {
        // The broker is reached through a port nobody listens on yet: "down" until the relay opens.
        var shared = new Uri(TestEnvironment.RabbitMq);
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        var relayed = new UriBuilder(shared) { Host = "127.0.0.1", Port = port }.Uri.ToString();
        await using var h = await DispatchHarness.CreateAsync(DatabaseProvider.Sqlite, rabbit: true, settings: new()
        {
            ["Messaging:RabbitMq:Uri"] = relayed,
        });
        await h.SeedClientsAsync(50);
        await h.StartAsync();
        await Task.Delay(4000);
        var lifetime = h.Get<IHostApplicationLifetime>();
        Assert.False(lifetime.ApplicationStopping.IsCancellationRequested, "a broker down at start must not stop the node");

        await using var relay = TcpRelay.Start(port, shared.Host, shared.IsDefaultPort ? 5672 : shared.Port);
        var campaignId = await h.CreateCampaignAsync();
        // The launch publishes its chunks: retried here as a user would press Launch again.
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                await h.Get<CampaignLauncher>().LaunchAsync(campaignId, default);
                break;
            }
            catch (Exception) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(500);
            }
        }
        await h.WaitUntilAsync(campaignId, c => c.GetValueOrDefault(MessageStatus.Delivered) == 50, TimeSpan.FromSeconds(90));
        Assert.False(lifetime.ApplicationStopping.IsCancellationRequested);
    }
}

/// <summary>A loopback TCP relay to a real server: a broker that "comes up" when the relay starts.</summary>
internal sealed class TcpRelay : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private TcpRelay(int port, string host, int targetPort)
    {
        _listener = new TcpListener(IPAddress.Loopback, port);
        _listener.Start();
        _loop = AcceptAsync(host, targetPort);
    }

    public static TcpRelay Start(int port, string host, int targetPort) => new(port, host, targetPort);

    private async Task AcceptAsync(string host, int port)
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                _ = PipeAsync(client, host, port);
            }
        }
        catch (Exception) when (_stop.IsCancellationRequested)
        {
        }
    }

    private async Task PipeAsync(TcpClient client, string host, int port)
    {
        using var c = client;
        using var server = new TcpClient();
        try
        {
            await server.ConnectAsync(host, port, _stop.Token);
            var a = client.GetStream().CopyToAsync(server.GetStream(), _stop.Token);
            var b = server.GetStream().CopyToAsync(client.GetStream(), _stop.Token);
            await Task.WhenAny(a, b);
        }
        catch (Exception)
        {
            // A closed side ends the pair.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _loop;
        }
        catch (Exception)
        {
        }
        _stop.Dispose();
    }
}
