using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Portal.Api;
using Portal.Domain.Messages;
using Portal.Infrastructure.Providers;

namespace Portal.Tests.Infrastructure.Http;

/// <summary>
/// Issue 7, item 4: the callback endpoints authenticate the provider (shared secret or HMAC),
/// answer bad payloads with a 400 naming the field and take nothing then, and publish what they
/// accept to the bus before answering 200.
/// </summary>
public sealed class ProviderCallbackTests(CallbackAppFixture fixture) : IClassFixture<CallbackAppFixture>
{
    private readonly HttpClient _http = fixture.App.CreateClient();
    private readonly HttpClient _authed = Authed(fixture);

    private static HttpClient Authed(CallbackAppFixture fixture)
    {
        var client = fixture.App.CreateClient();
        client.DefaultRequestHeaders.Add(ProviderCallbacksApi.SecretHeader, CallbackAppFixture.Secret);
        return client;
    }
    private string Receipts => $"/api/providers/{fixture.ProviderId}/receipts";
    private string Inbound => $"/api/providers/{fixture.ProviderId}/inbound";

    [Fact]
    public async Task SecretInHeader_Get_200_ReceiptOnTheBus()
    {
        var response = await _authed.GetAsync($"{Receipts}?id=101&status=delivered&message_id=gw-1");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var item = Assert.Single(await fixture.ReceiptsForAsync(101));
        Assert.Equal(fixture.ProviderId, item.ProviderId);
        Assert.Equal(MessageStatus.Delivered, item.Status);
        Assert.Equal("gw-1", item.ProviderMessageId);
        Assert.Null(item.ErrorCode);
    }

    [Fact]
    public async Task SecretInHeader_JsonPost_200_StatusMappedCaseInsensitively_ErrorKept()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Receipts)
        {
            Content = JsonContent.Create(new { id = 102, status = "FAILED", error = "absent subscriber", message_id = "gw-2" }),
        };
        request.Headers.Add(ProviderCallbacksApi.SecretHeader, CallbackAppFixture.Secret);

        var response = await _http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var item = Assert.Single(await fixture.ReceiptsForAsync(102));
        Assert.Equal(MessageStatus.Undeliverable, item.Status);
        Assert.Equal("absent subscriber", item.ErrorCode);
    }

    [Theory]
    [InlineData("?secret=wrong-secret-000000000")]
    [InlineData("")]
    [InlineData("?secret=")]
    public async Task WrongOrMissingSecret_401Problem_NothingTaken(string query)
    {
        var separator = query.Length == 0 ? "?" : "&";
        var response = await _http.GetAsync($"{Receipts}{query}{separator}id=103&status=delivered");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(ProviderCallbacksApi.SecretHeader, await response.Content.ReadAsStringAsync());
        Assert.Empty(await fixture.ReceiptsForAsync(103, TimeSpan.FromMilliseconds(300)));
    }

    [Fact]
    public async Task WrongSecretInHeader_401()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{Receipts}?id=104&status=delivered");
        request.Headers.Add(ProviderCallbacksApi.SecretHeader, CallbackAppFixture.Secret + "x");

        Assert.Equal(HttpStatusCode.Unauthorized, (await _http.SendAsync(request)).StatusCode);
    }

    [Fact]
    public async Task Hmac_RightSignature200_WrongOrOtherBody401()
    {
        var body = """{"id":"105","status":"delivered"}""";
        var ts = Now();

        Assert.Equal(HttpStatusCode.OK, (await PostSignedAsync(body, ts, "cb-105-a", Sign(ts, "cb-105-a", body))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await PostSignedAsync(body, ts, "cb-105-b", "sha256=" + Sign(ts, "cb-105-b", body).ToUpperInvariant())).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostSignedAsync(body.Replace("105", "106"), ts, "cb-106", Sign(ts, "cb-106", body))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostSignedAsync(body, ts, "cb-105-c",
            ProviderCallbacks.Sign("another-secret-0000000", ts, "cb-105-c", Encoding.UTF8.GetBytes(body)))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostSignedAsync(body, ts, "cb-105-d", "not-hex")).StatusCode);

        Assert.Equal(2, (await fixture.ReceiptsForAsync(105)).Count);
        Assert.Empty(await fixture.ReceiptsForAsync(106, TimeSpan.FromMilliseconds(300)));
    }

    [Fact]
    public async Task Hmac_SignedBodiesIgnoreTheQuery()
    {
        var body = """{"id":"113","status":"delivered"}""";
        var ts = Now();
        using var post = new HttpRequestMessage(HttpMethod.Post, $"{Receipts}?message_id=forged&error=forged")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        AddSignature(post, ts, "cb-113", Sign(ts, "cb-113", body));
        Assert.Equal(HttpStatusCode.OK, (await _http.SendAsync(post)).StatusCode);

        var item = Assert.Single(await fixture.ReceiptsForAsync(113));
        Assert.Equal("", item.ProviderMessageId);
    }

    [Theory]
    [InlineData("id=107", "status")]
    [InlineData("id=107&status=weird", "status")]
    [InlineData("id=abc&status=delivered", "id")]
    [InlineData("id=-5&status=delivered", "id")]
    [InlineData("status=delivered", "id")]
    public async Task BadPayload_400NamingTheField_NothingTaken(string query, string field)
    {
        var response = await _authed.GetAsync($"{Receipts}?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(field, problem.RootElement.GetProperty("field").GetString());
        Assert.StartsWith(field + ":", problem.RootElement.GetProperty("detail").GetString());
        Assert.Empty(await fixture.ReceiptsForAsync(107, TimeSpan.FromMilliseconds(200)));
    }

    [Fact]
    public async Task JsonArray_OneBadItem_400_AndTheGoodOneIsNotTakenEither()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Receipts)
        {
            Content = new StringContent("""[{"id":108,"status":"delivered"},{"id":109,"status":"lost in space"}]""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add(ProviderCallbacksApi.SecretHeader, CallbackAppFixture.Secret);

        var response = await _http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Empty(await fixture.ReceiptsForAsync(108, TimeSpan.FromMilliseconds(300)));
    }

    [Fact]
    public async Task NotJson_400Body()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Receipts) { Content = new StringContent("{oops", Encoding.UTF8, "application/json") };
        request.Headers.Add(ProviderCallbacksApi.SecretHeader, CallbackAppFixture.Secret);

        var response = await _http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("body", problem.RootElement.GetProperty("field").GetString());
    }

    [Fact]
    public async Task NonFinalStatus_200_NothingPublished()
    {
        var response = await _authed.GetAsync($"{Receipts}?id=110&status=accepted");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(await fixture.ReceiptsForAsync(110, TimeSpan.FromMilliseconds(300)));
    }

    [Fact]
    public async Task UnknownProviderOrSmppProvider_404()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await _authed.GetAsync($"/api/providers/99999/receipts?id=1&status=delivered")).StatusCode);
        var smpp = await _authed.GetAsync($"/api/providers/{fixture.SmppProviderId}/inbound");
        Assert.Equal(HttpStatusCode.NotFound, smpp.StatusCode);
        Assert.Equal("application/problem+json", smpp.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task DuplicateReceipt_BothAnswered200()
    {
        var url = $"{Receipts}?id=111&status=delivered";

        Assert.Equal(HttpStatusCode.OK, (await _authed.GetAsync(url)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _authed.GetAsync(url)).StatusCode);
        // Both reach the bus; the processor changes only messages still in flight, so the second does nothing
        // (KannelEndToEndTests.Receipt_SentTwiceThenContradicted_FirstFinalStatusStays shows it on the database).
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while ((await fixture.ReceiptsForAsync(111)).Count < 2 && DateTime.UtcNow < deadline) await Task.Delay(20);
        Assert.Equal(2, (await fixture.ReceiptsForAsync(111)).Count);
    }

    [Fact]
    public async Task InboundForm_200_PublishedWithE164Sender()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Inbound)
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["from"] = "8 (916) 555-12-34", ["to"] = "1234", ["text"] = "СТОП", ["id"] = "mo-77" }),
        };
        request.Headers.Add(ProviderCallbacksApi.SecretHeader, CallbackAppFixture.Secret);

        var response = await _http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (!fixture.Inbound.Any(s => s.ExternalId == "mo-77") && DateTime.UtcNow < deadline) await Task.Delay(20);
        var sms = Assert.Single(fixture.Inbound, s => s.ExternalId == "mo-77");
        Assert.Equal("+79165551234", sms.From);
        Assert.Equal("1234", sms.To);
        Assert.Equal("СТОП", sms.Text);
        Assert.Equal(fixture.ProviderId, sms.ProviderId);
    }

    [Theory]
    [InlineData("to=1234&text=hi&id=mo-78", "from")]
    [InlineData("from=hello&to=1234&text=hi&id=mo-78", "from")]
    [InlineData("from=%2B79165551234&text=hi&id=mo-78", "to")]
    [InlineData("from=%2B79165551234&to=1234&id=mo-78", "text")]
    public async Task InboundBadPayload_400NamingTheField(string query, string field)
    {
        var response = await _authed.GetAsync($"{Inbound}?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(field, problem.RootElement.GetProperty("field").GetString());
        await Task.Delay(200);
        Assert.DoesNotContain(fixture.Inbound, s => s.ExternalId == "mo-78");
    }

    internal static string Now() => DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);

    internal static string Sign(string timestamp, string id, string body) =>
        ProviderCallbacks.Sign(CallbackAppFixture.Secret, timestamp, id, Encoding.UTF8.GetBytes(body));

    internal static void AddSignature(HttpRequestMessage request, string timestamp, string? id, string signature)
    {
        request.Headers.Add(ProviderCallbacksApi.SignatureHeader, signature);
        request.Headers.Add(ProviderCallbacksApi.TimestampHeader, timestamp);
        if (id is not null) request.Headers.Add(ProviderCallbacksApi.CallbackIdHeader, id);
    }

    private async Task<HttpResponseMessage> PostSignedAsync(string body, string timestamp, string? id, string signature)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Receipts) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        AddSignature(request, timestamp, id, signature);
        return await _http.SendAsync(request);
    }
}
