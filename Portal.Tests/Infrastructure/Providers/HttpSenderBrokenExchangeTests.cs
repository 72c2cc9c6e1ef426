using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Portal.Domain.Messages;
using Portal.Infrastructure.Providers;

namespace Portal.Tests.Infrastructure.Providers;

/// <summary>
/// A gateway on loopback that reads the whole request and then drops the connection without an
/// answer: the message may have been taken, so it is uncertain (never re-sent elsewhere), not refused.
/// </summary>
public class HttpSenderBrokenExchangeTests
{
    [Fact]
    public async Task Gateway_ReadsTheRequestThenHangsUp_UncertainAsHttpIo()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var requests = new List<string>();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var gateway = Task.Run(async () =>
        {
            // Each connection (the client may try a second one) is read to the end of its headers and dropped.
            while (!stop.IsCancellationRequested)
            {
                using var socket = await listener.AcceptSocketAsync(stop.Token);
                var buffer = new byte[8192];
                var seen = new StringBuilder();
                try
                {
                    while (!seen.ToString().Contains("\r\n\r\n"))
                    {
                        var read = await socket.ReceiveAsync(buffer, stop.Token);
                        if (read == 0) break;
                        seen.Append(Encoding.ASCII.GetString(buffer, 0, read));
                    }
                }
                catch (SocketException)
                {
                }
                lock (requests) requests.Add(seen.ToString());
                socket.Close(); // no status line: the exchange breaks off after the request went out
            }
        });
        var settings = HttpProviderSettings.Kannel($"http://127.0.0.1:{port}", "user");
        using var http = new HttpClient();
        var sender = new HttpSmsSender(http, new HttpSenderOptions(4, "gw", settings, "pw", null, null, "http://portal.test/"), NullLogger.Instance);

        var result = await sender.SendAsync(new OutgoingSms(9, "Portal", "+79161234567", "Hello", TimeSpan.FromHours(1)), default);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => gateway);

        Assert.NotEmpty(requests);
        Assert.All(requests, r => Assert.StartsWith("GET /cgi-bin/sendsms?", r));
        Assert.Equal(MessageStatus.Uncertain, result.Status);
        Assert.Equal("http:io", result.ErrorCode);
        Assert.False(result.NotSent);
    }
}
