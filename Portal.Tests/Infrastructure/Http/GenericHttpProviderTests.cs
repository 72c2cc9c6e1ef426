using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Logging.Abstractions;
using Portal.Domain.Messages;
using Portal.Domain.Providers;
using Portal.Infrastructure.Providers;
using Portal.Infrastructure.Sending;

namespace Portal.Tests.Infrastructure.Http;

/// <summary>
/// The generic adapter against a real HTTP gateway on loopback: templates escaped for where they
/// land, the id read by JSON path, and the send outcome that decides failover (issue 7).
/// </summary>
public sealed class GenericHttpProviderTests : IAsyncLifetime
{
    private const string Tricky = "Скидка \"50%\" & бонус\nдо 31.12 <b>\\o/</b>";
    private FakeHttpProvider _fake = null!;

    public async Task InitializeAsync() => _fake = await FakeHttpProvider.StartAsync();

    public async Task DisposeAsync() => await _fake.DisposeAsync();

    private HttpProviderSettings Json(string path, int timeoutSeconds = 15) => new()
    {
        Method = "POST",
        UrlTemplate = _fake.Url + path + "?client={username}",
        ContentType = "application/json",
        BodyTemplate = """{"to":"{to}","sender":"{from}","text":"{text}","ref":{id},"callback":"{dlr_url}","ttl":"{validity_minutes}"}""",
        Headers = new Dictionary<string, string> { ["Authorization"] = "Bearer {password}" },
        Username = "acme & co",
        TimeoutSeconds = timeoutSeconds,
        MessageIdJsonPath = "$.result.messages[0].id",
        ErrorJsonPath = "error.message",
    };

    private static HttpSmsSender Sender(HttpProviderSettings settings, int? tps = null, bool supportsFlash = false) =>
        new(new HttpClient(), new HttpSenderOptions(7, "Fake", settings, "t0ken", "callback-secret-0123456789", tps, "http://portal.test/", supportsFlash),
            NullLogger.Instance);

    /// <summary>
    /// Issue 17: a flash alarm through a provider ticked for flash carries the provider's flash field —
    /// in the JSON body (a literal true), in a form body, or in the query of a GET — and nothing else
    /// does: not a plain message, not a flash message through a provider not ticked for it.
    /// </summary>
    [Fact]
    public async Task FlashParameter_SentForAFlashMessage_WhereTheProviderIsTicked_Only()
    {
        var json = Json("/ok") with { FlashParameter = "flash=true" };
        var get = new HttpProviderSettings { Method = "GET", UrlTemplate = _fake.Url + "/ok?to={to_digits}&text={text}", FlashParameter = "mclass=0" };
        var form = new HttpProviderSettings
        {
            Method = "POST", UrlTemplate = _fake.Url + "/ok", ContentType = "application/x-www-form-urlencoded",
            BodyTemplate = "to={to}&text={text}", FlashParameter = "class=0",
        };
        OutgoingSms Sms(long id, bool flash) => new(id, "Portal", "+79161234567", Tricky, null) { Flash = flash };
        async Task<FakeHttpProvider.Seen> SendAsync(HttpProviderSettings settings, bool ticked, OutgoingSms sms)
        {
            _fake.Requests.Clear();
            Assert.Equal(MessageStatus.Submitted, (await Sender(settings, supportsFlash: ticked).SendAsync(sms, default)).Status);
            return Assert.Single(_fake.Requests);
        }
        static IDictionary<string, Microsoft.Extensions.Primitives.StringValues> Query(FakeHttpProvider.Seen seen) =>
            QueryHelpers.ParseQuery(new Uri("http://x" + seen.PathAndQuery).Query);

        using (var flash = JsonDocument.Parse((await SendAsync(json, true, Sms(1, true))).Body))
        {
            Assert.True(flash.RootElement.GetProperty("flash").GetBoolean());
            Assert.Equal(Tricky, flash.RootElement.GetProperty("text").GetString()); // the rest of the body intact
            Assert.Equal(1, flash.RootElement.GetProperty("ref").GetInt64());
        }
        using (var plain = JsonDocument.Parse((await SendAsync(json, true, Sms(2, false))).Body)) Assert.False(plain.RootElement.TryGetProperty("flash", out _));
        using (var unticked = JsonDocument.Parse((await SendAsync(json, false, Sms(3, true))).Body)) Assert.False(unticked.RootElement.TryGetProperty("flash", out _));

        var flashGet = Query(await SendAsync(get, true, Sms(4, true)));
        Assert.Equal("0", flashGet["mclass"].ToString());
        Assert.Equal(Tricky, flashGet["text"].ToString());
        Assert.False(Query(await SendAsync(get, true, Sms(5, false))).ContainsKey("mclass"));
        Assert.False(Query(await SendAsync(get, false, Sms(6, true))).ContainsKey("mclass"));

        var flashForm = QueryHelpers.ParseQuery((await SendAsync(form, true, Sms(7, true))).Body);
        Assert.Equal(("0", Tricky), (flashForm["class"].ToString(), flashForm["text"].ToString()));
        Assert.False(QueryHelpers.ParseQuery((await SendAsync(form, true, Sms(8, false))).Body).ContainsKey("class"));

        Assert.Contains((get with { FlashParameter = "mclass" }).Problems(), p => p.StartsWith("The flash SMS parameter is name=value", StringComparison.Ordinal));
        Assert.Equal("mclass=0", HttpProviderSettings.Kannel().FlashParameter);
    }

    [Fact]
    public async Task JsonBody_TextEscaped_IdReadByJsonPath_HeadersAndQueryExpanded()
    {
        var result = await Sender(Json("/ok")).SendAsync(new OutgoingSms(42, "Portal", "+79161234567", Tricky, TimeSpan.FromMinutes(90)), default);

        Assert.Equal(MessageStatus.Submitted, result.Status);
        Assert.Equal("gw-1", result.ProviderMessageId);
        Assert.Equal(1, result.Parts); // 40 UCS-2 units: one part
        var seen = Assert.Single(_fake.Requests);
        Assert.Equal("POST", seen.Method);
        Assert.Equal("/ok?client=acme%20%26%20co", seen.PathAndQuery);
        Assert.StartsWith("application/json", seen.ContentType);
        Assert.Equal("Bearer t0ken", seen.Headers["Authorization"]);
        using var body = JsonDocument.Parse(seen.Body);
        Assert.Equal(Tricky, body.RootElement.GetProperty("text").GetString());
        Assert.Equal("+79161234567", body.RootElement.GetProperty("to").GetString());
        Assert.Equal(42, body.RootElement.GetProperty("ref").GetInt64());
        Assert.Equal("90", body.RootElement.GetProperty("ttl").GetString());
        // Our id in the callback, and no secret: this provider signs or sends the header instead.
        Assert.Equal("http://portal.test/api/providers/7/receipts?id=42", body.RootElement.GetProperty("callback").GetString());
    }

    [Fact]
    public async Task FormGet_ValuesUrlEncoded_EmptyParametersDropped()
    {
        var settings = new HttpProviderSettings
        {
            Method = "GET",
            UrlTemplate = _fake.Url + "/ok?to={to_digits}&text={text}&validity={validity_minutes}&coding={coding}",
            MessageIdRegex = "\"id\":\"([^\"]+)\"",
        };
        var result = await Sender(settings).SendAsync(new OutgoingSms(5, "Portal", "+79161234567", "a&b=c d+e", null), default);

        Assert.Equal(MessageStatus.Submitted, result.Status);
        Assert.Equal("gw-1", result.ProviderMessageId);
        var query = QueryHelpers.ParseQuery(new Uri("http://x" + Assert.Single(_fake.Requests).PathAndQuery).Query);
        Assert.Equal("a&b=c d+e", query["text"].ToString());
        Assert.Equal("79161234567", query["to"].ToString());
        Assert.Equal("0", query["coding"].ToString());
        Assert.False(query.ContainsKey("validity"));
    }

    [Fact]
    public async Task Status400_RejectedForGood_WithTheProvidersError()
    {
        var result = await Sender(Json("/bad")).SendAsync(new OutgoingSms(1, "Portal", "+79161234567", "Hi", null), default);

        Assert.Equal(MessageStatus.Rejected, result.Status);
        Assert.False(result.NotSent);
        Assert.Equal("http:400:Invalid number", result.ErrorCode);
        Assert.Equal(SendFailureKind.Permanent, LeastCostMessageRouter.Classify(result));
    }

    [Fact]
    public async Task Status503_NotSent_Temporary()
    {
        var result = await Sender(Json("/busy")).SendAsync(new OutgoingSms(1, "Portal", "+79161234567", "Hi", null), default);

        Assert.Equal(MessageStatus.Rejected, result.Status);
        Assert.True(result.NotSent);
        Assert.Equal("http:503", result.ErrorCode);
        Assert.Equal(SendFailureKind.Temporary, LeastCostMessageRouter.Classify(result));
    }

    [Fact]
    public async Task Status500_Uncertain_NeverResentElsewhere()
    {
        var result = await Sender(Json("/broken")).SendAsync(new OutgoingSms(1, "Portal", "+79161234567", "Hi", null), default);

        Assert.Equal(MessageStatus.Uncertain, result.Status);
        Assert.False(result.NotSent);
        Assert.Equal(SendFailureKind.Uncertain, LeastCostMessageRouter.Classify(result));
    }

    [Fact]
    public async Task NoAnswerWithinTheTimeout_Uncertain()
    {
        var clock = Stopwatch.StartNew();
        var result = await Sender(Json("/slow", timeoutSeconds: 1)).SendAsync(new OutgoingSms(1, "Portal", "+79161234567", "Hi", null), default);

        Assert.Equal(MessageStatus.Uncertain, result.Status);
        Assert.Equal("http:timeout", result.ErrorCode);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(4));
        Assert.Equal(SendFailureKind.Uncertain, LeastCostMessageRouter.Classify(result));
    }

    [Fact]
    public async Task NothingListening_NotSent()
    {
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        var settings = Json("/ok") with { UrlTemplate = $"http://127.0.0.1:{port}/send" };
        var result = await Sender(settings).SendAsync(new OutgoingSms(1, "Portal", "+79161234567", "Hi", null), default);

        Assert.Equal(MessageStatus.Rejected, result.Status);
        Assert.True(result.NotSent);
        Assert.Equal("http:connect", result.ErrorCode);
    }

    [Fact]
    public async Task SpeedCap_PartsPerSecond_Respected()
    {
        var sender = Sender(Json("/ok"), tps: 10);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < 11; i++)
        {
            Assert.Equal(MessageStatus.Submitted, (await sender.SendAsync(new OutgoingSms(i, "Portal", "+79161234567", "Hi", null), default)).Status);
        }
        // 11 one-part messages at 10 parts/s: the 11th waits until a second has passed.
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(0.95), clock.Elapsed.ToString());
        Assert.Equal(11, _fake.Requests.Count);
    }

    [Fact]
    public async Task Failures_Logged_WithoutPhoneTextOrSecrets()
    {
        var log = new ListLogger();
        foreach (var path in new[] { "/bad", "/busy", "/broken" })
        {
            var sender = new HttpSmsSender(new HttpClient(), new HttpSenderOptions(7, "Fake", Json(path), "t0ken", "callback-secret-0123456789", null, "http://portal.test/"), log);
            await sender.SendAsync(new OutgoingSms(77, "Portal", "+79161234567", Tricky, null), default);
        }

        Assert.Equal(3, log.Lines.Count);
        Assert.All(log.Lines, line =>
        {
            Assert.Contains("Fake", line);
            Assert.Contains("77", line);
            Assert.DoesNotContain("9161234567", line);
            Assert.DoesNotContain("Скидка", line);
            Assert.DoesNotContain("t0ken", line);
            Assert.DoesNotContain("callback-secret", line);
        });
    }

    private sealed class ListLogger : Microsoft.Extensions.Logging.ILogger
    {
        public List<string> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception,
            Func<TState, Exception?, string> formatter)
        {
            lock (Lines) Lines.Add(formatter(state, exception) + exception);
        }
    }

    [Fact]
    public void Settings_Problems_NameWhatIsWrong()
    {
        var bad = new HttpProviderSettings
        {
            Method = "PUT",
            UrlTemplate = "ftp://x/{nope}",
            SuccessStatusCodes = [404],
            MessageIdRegex = "(",
            MessageIdJsonPath = "a..b",
            Receipts = new HttpReceiptFields { StatusField = "", StatusMap = new Dictionary<string, HttpReceiptStatus>() },
        };
        var problems = bad.Problems();

        Assert.Contains("The method is GET or POST.", problems);
        Assert.Contains("The URL is an absolute http or https address.", problems);
        Assert.Contains(problems, p => p.StartsWith("Unknown placeholder", StringComparison.Ordinal));
        Assert.Contains("Success codes are 200 to 299.", problems);
        Assert.Contains("The message id and error expressions must be valid regular expressions.", problems);
        Assert.Contains(problems, p => p.StartsWith("A JSON path is", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Receipts need a status field", StringComparison.Ordinal));
        Assert.Contains("Map at least one receipt status value.", problems);
        Assert.Empty(HttpProviderSettings.Kannel().Problems());
        Assert.Empty(Json("/ok").Problems());
    }
}
