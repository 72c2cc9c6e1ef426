using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;

namespace Portal.Tests.Api;

/// <summary>A loopback HTTP receiver for status callbacks: records each POST; answers 500 to the first <c>failFirst</c>.</summary>
internal sealed class CallbackListener : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;
    private int _failFirst;

    public sealed record Received(string Raw, JsonNode Body, string Timestamp, string Signature);

    public ConcurrentQueue<Received> Calls { get; } = new();
    public int Failed;
    public string Url { get; private set; } = "";

    public static Task<CallbackListener> StartAsync(int failFirst = 0)
    {
        var l = new CallbackListener { _failFirst = failFirst };
        var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        var port = ((IPEndPoint)socket.LocalEndpoint).Port;
        socket.Stop();
        l.Url = $"http://127.0.0.1:{port}/callbacks/";
        l._listener.Prefixes.Add(l.Url);
        l._listener.Start();
        l._loop = l.RunAsync();
        return Task.FromResult(l);
    }

    private async Task RunAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            using var reader = new StreamReader(context.Request.InputStream);
            var raw = await reader.ReadToEndAsync();
            if (Interlocked.Decrement(ref _failFirst) >= 0)
            {
                Interlocked.Increment(ref Failed);
                context.Response.StatusCode = 500;
            }
            else
            {
                Calls.Enqueue(new Received(raw, JsonNode.Parse(raw)!, context.Request.Headers["X-Portal-Timestamp"] ?? "",
                    context.Request.Headers["X-Portal-Signature"] ?? ""));
                context.Response.StatusCode = 204;
            }
            context.Response.Close();
        }
    }

    public async Task<Received> WaitForAsync(Func<Received, bool> match, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (Calls.FirstOrDefault(match) is { } found) return found;
            await Task.Delay(100);
        }
        Assert.Fail($"No matching callback; got {Calls.Count}: {string.Join(" | ", Calls.Select(c => c.Raw))}");
        return null!;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        _listener.Close();
        try
        {
            await _loop;
        }
        catch (Exception)
        {
        }
    }
}
