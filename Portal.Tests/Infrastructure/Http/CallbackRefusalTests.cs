using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Portal.Api;
using Portal.Domain.Providers;
using Portal.Infrastructure.Messaging;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Providers;
using Portal.Tests.Infrastructure.Providers;
using Portal.Tests.Support;

namespace Portal.Tests.Infrastructure.Http;

/// <summary>
/// A provider's callback is never half taken: a body too large, one that is no object or array of
/// them, one in a format we do not read, and a bus that refuses the publish are each answered with
/// a status the provider retries on, and nothing is on the bus.
/// </summary>
public sealed class CallbackRefusalTests : IAsyncLifetime
{
    private const string Secret = "refusal-callback-secret-42";
    private PortalAppFactory _app = default!;
    private RefusingBus _bus = default!;
    private int _providerId;

    /// <summary>The real bus, except that publishes to the receipt and inbound queues fail as an unconfirmed publish does.</summary>
    private sealed class RefusingBus(IMessageBus inner) : IMessageBus
    {
        private int _refused;
        public int Refused => Volatile.Read(ref _refused);

        public Task PublishAsync<T>(string queue, T message, CancellationToken ct = default)
        {
            if (queue.EndsWith(".receipts", StringComparison.Ordinal) || queue.EndsWith(".inbound", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref _refused);
                throw new MessagePublishException("The broker did not confirm the publish.");
            }
            return inner.PublishAsync(queue, message, ct);
        }

        public Task<IAsyncDisposable> SubscribeAsync<T>(string queue, Func<T, CancellationToken, Task> handler, SubscriptionOptions? options = null, CancellationToken ct = default) =>
            inner.SubscribeAsync(queue, handler, options, ct);

        public Task<QueueStats> GetStatsAsync(string queue, CancellationToken ct = default) => inner.GetStatsAsync(queue, ct);
    }

    public async Task InitializeAsync()
    {
        _app = new PortalAppFactory(DatabaseProvider.Sqlite, demoClients: 0)
        {
            Settings =
            {
                ["Sending:Enabled"] = "false",
                ["Sending:EmbeddedSimulator"] = "false",
                ["Scheduling:Enabled"] = "false",
            },
            TestServices = services =>
            {
                var real = services.Last(d => d.ServiceType == typeof(IMessageBus));
                services.Remove(real);
                services.AddSingleton<IMessageBus>(provider => new RefusingBus((IMessageBus)real.ImplementationFactory!(provider)));
            },
        };
        await _app.StartAsync();
        _bus = (RefusingBus)_app.Services.GetRequiredService<IMessageBus>();
        _providerId = await _app.Services.GetRequiredService<ProviderStore>().CreateAsync(ProviderHarness.Admin, new ProviderDraft
        {
            Name = "Gateway",
            Kind = ProviderKind.Http,
            Http = new HttpProviderDraft { UrlTemplate = "http://127.0.0.1:9/send", BodyTemplate = """{"to":"{to}","text":"{text}"}""" },
            CallbackSecret = Secret,
        }, default);
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private async Task<JsonNode> SendAsync(string path, HttpContent content, int status)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/providers/{_providerId}/{path}") { Content = content };
        request.Headers.Add(ProviderCallbacksApi.SecretHeader, Secret);
        var response = await _app.CreateClient().SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"expected {status}, got {(int)response.StatusCode}: {body}");
        return JsonNode.Parse(body)!;
    }

    [Fact]
    public async Task ABodyTooLarge_Is413_BeforeTheProviderIsLookedUp()
    {
        var huge = new StringContent(new string('x', ProviderCallbacksApi.MaxBodyBytes + 1), Encoding.UTF8, "application/json");

        var problem = await SendAsync("receipts", huge, 413);

        Assert.Equal("A callback is at most 256 KB.", (string)problem["detail"]!);
    }

    [Theory]
    [InlineData("[]", "application/json", "body: A JSON object, or an array of 1 to 1000 objects.")]
    [InlineData("""[{"id": "1", "status": "delivered"}, "delivered"]""", "application/json", "body: A JSON object, or an array of 1 to 1000 objects.")]
    [InlineData("id=1;status=delivered", "text/plain", "body: Send the fields as a query string, a form (application/x-www-form-urlencoded) or JSON (application/json).")]
    public async Task ABodyWeCannotRead_Is400_NamingTheBody(string body, string contentType, string reason)
    {
        var problem = await SendAsync("receipts", new StringContent(body, Encoding.UTF8, contentType), 400);

        Assert.Equal(reason + " Nothing was taken; send it again once fixed.", (string)problem["detail"]!);
        Assert.Equal("body", (string)problem["field"]!);
        Assert.Equal(0, _bus.Refused);
    }

    [Fact]
    public async Task ABusThatRefusesThePublish_Is503_SoTheProviderSendsItAgain()
    {
        var receipt = await SendAsync("receipts", new StringContent("""{"id": "401", "status": "delivered"}""", Encoding.UTF8, "application/json"), 503);
        var inbound = await SendAsync("inbound", new FormUrlEncodedContent(new Dictionary<string, string> { ["from"] = "+79161112233", ["to"] = "900", ["text"] = "STOP", ["id"] = "mo-401" }), 503);

        Assert.Equal("The callback could not be stored just now; send it again.", (string)receipt["detail"]!);
        Assert.Equal("The callback could not be stored just now; send it again.", (string)inbound["detail"]!);
        Assert.Equal(2, _bus.Refused);
    }
}
