using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Portal.Tests.Infrastructure.Http;

/// <summary>
/// A small SMS gateway on Kestrel (loopback, free port) for the generic adapter: it records every
/// request and answers by path — <c>/ok</c> 200 with a JSON id, <c>/bad</c> 400 with a JSON error,
/// <c>/busy</c> 503, <c>/broken</c> 500, <c>/slow</c> after 5 s.
/// </summary>
internal sealed class FakeHttpProvider : IAsyncDisposable
{
    private readonly WebApplication _app;

    public sealed record Seen(string Method, string PathAndQuery, string ContentType, string Body, IReadOnlyDictionary<string, string> Headers);

    public ConcurrentQueue<Seen> Requests { get; } = new();

    private FakeHttpProvider(WebApplication app) => _app = app;

    public string Url => _app.Urls.First();

    public static async Task<FakeHttpProvider> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new FakeHttpProvider(app);
        var counter = 0;
        app.Use(async (context, next) =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync();
            fake.Requests.Enqueue(new Seen(context.Request.Method, context.Request.Path + context.Request.QueryString, context.Request.ContentType ?? "", body,
                context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase)));
            await next(context);
        });
        app.MapMethods("/ok", ["GET", "POST"], () => Results.Json(new { result = new { messages = new[] { new { id = $"gw-{Interlocked.Increment(ref counter)}" } } } }));
        app.MapPost("/bad", () => Results.Json(new { error = new { message = "Invalid number" } }, statusCode: 400));
        // Every other request is "slow down" (issue 12: throttles counted apart from errors).
        var throttleTurn = 0;
        app.MapPost("/every-other-429", () => Interlocked.Increment(ref throttleTurn) % 2 == 0
            ? Results.Text("too many requests", statusCode: 429)
            : Results.Json(new { result = new { messages = new[] { new { id = $"gw-{Interlocked.Increment(ref counter)}" } } } }));
        app.MapPost("/busy", () => Results.Text("queue full", statusCode: 503));
        app.MapPost("/broken", () => Results.Text("oops", statusCode: 500));
        app.MapPost("/slow", async (CancellationToken ct) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(5), ct);
            return Results.Json(new { result = new { messages = new[] { new { id = "late" } } } });
        });
        await app.StartAsync();
        return fake;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
