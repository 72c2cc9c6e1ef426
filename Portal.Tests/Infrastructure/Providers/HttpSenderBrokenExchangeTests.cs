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
        var gateway = Task.Run(async () =>
        {
            using var socket = await listener.AcceptSocketAsync();
            var buffer = new byte[8192];
            var seen = new StringBuilder();
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            while (!seen.ToString().Contains("\r\n\r\n"))
            {
                var read = await socket.ReceiveAsync(buffer, cts.Token);
                if (read == 0) break;
                seen.Append(Encoding.ASCII.GetString(buffer, 0, read));
            }
            socket.Close(); // no status line: the exchange breaks off after the request went out
            return seen.ToString();
        });
        var settings = HttpProviderSettings.Kannel($"http://127.0.0.1:{port}", "user");
        using var http = new HttpClient();
        var sender = new HttpSmsSender(http, new HttpSenderOptions(4, "gw", settings, "pw", null, null, "http://portal.test/"), NullLogger.Instance);

        var result = await sender.SendAsync(new OutgoingSms(9, "Portal", "+79161234567", "Hello", TimeSpan.FromHours(1)), default);
        var request = await gateway.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.StartsWith("GET /cgi-bin/sendsms?", request);
        Assert.Equal(MessageStatus.Uncertain, result.Status);
        Assert.Equal("http:io", result.ErrorCode);
        Assert.False(result.NotSent);
    }
}
