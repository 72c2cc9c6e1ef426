using System.Net;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Portal.Api;
using Portal.Infrastructure.Providers;
using Portal.Infrastructure.Sending;

namespace Portal.Tests.Infrastructure.Http;

/// <summary>
/// Issue 14: the callback secret is accepted in a header only; signed callbacks carry a timestamp
/// within 5 minutes and an id that is taken once; gateways that can only call a URL (Kannel) get a
/// token scoped to one receipt or to the inbound endpoint, never the secret itself.
/// </summary>
public sealed class CallbackHardeningTests(CallbackAppFixture fixture) : IClassFixture<CallbackAppFixture>
{
    private readonly HttpClient _http = fixture.App.CreateClient();
    private string Receipts => $"/api/providers/{fixture.ProviderId}/receipts";
    private string Inbound => $"/api/providers/{fixture.ProviderId}/inbound";

    [Fact]
    public async Task RightSecretInTheQueryString_IsRefused()
    {
        var response = await _http.GetAsync($"{Receipts}?secret={CallbackAppFixture.Secret}&id=301&status=delivered");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("header only", await response.Content.ReadAsStringAsync());
        Assert.Empty(await fixture.ReceiptsForAsync(301, TimeSpan.FromMilliseconds(300)));
    }

    [Fact]
    public async Task SignedCallback_ReplayedWithTheSameId_IsRefused_OnlyTheFirstIsTaken()
    {
        var body = """{"id":"302","status":"delivered"}""";
        var ts = ProviderCallbackTests.Now();
        var signature = ProviderCallbackTests.Sign(ts, "cb-302", body);

        Assert.Equal(HttpStatusCode.OK, (await PostAsync(Receipts, body, ts, "cb-302", signature)).StatusCode);
        var replay = await PostAsync(Receipts, body, ts, "cb-302", signature);

        Assert.Equal(HttpStatusCode.Conflict, replay.StatusCode);
        await Task.Delay(300);
        Assert.Single(await fixture.ReceiptsForAsync(302));
    }

    [Theory]
    [InlineData(-360)]
    [InlineData(360)]
    public async Task SignedCallback_OutsideTheTimestampWindow_IsRefused(int offsetSeconds)
    {
        var body = """{"id":"303","status":"delivered"}""";
        var ts = (DateTimeOffset.UtcNow.ToUnixTimeSeconds() + offsetSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);

        var response = await PostAsync(Receipts, body, ts, $"cb-303-{offsetSeconds}", ProviderCallbackTests.Sign(ts, $"cb-303-{offsetSeconds}", body));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Empty(await fixture.ReceiptsForAsync(303, TimeSpan.FromMilliseconds(300)));
    }

    [Fact]
    public async Task SignedCallback_WithoutAnId_OrSignedTheOldWayOverTheBodyOnly_IsRefused()
    {
        var body = """{"id":"304","status":"delivered"}""";
        var ts = ProviderCallbackTests.Now();

        var noId = await PostAsync(Receipts, body, ts, null, ProviderCallbackTests.Sign(ts, "", body));
        using var old = new HttpRequestMessage(HttpMethod.Post, Receipts) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        old.Headers.Add(ProviderCallbacksApi.SignatureHeader, Convert.ToHexStringLower(
            System.Security.Cryptography.HMACSHA256.HashData(Encoding.UTF8.GetBytes(CallbackAppFixture.Secret), Encoding.UTF8.GetBytes(body))));
        var bodyOnly = await _http.SendAsync(old);

        Assert.Equal((HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized), (noId.StatusCode, bodyOnly.StatusCode));
        Assert.Empty(await fixture.ReceiptsForAsync(304, TimeSpan.FromMilliseconds(300)));
    }

    [Fact]
    public async Task ReceiptUrlToken_IsGoodForItsOwnMessageOnly()
    {
        var token = ProviderCallbacks.UrlToken(CallbackAppFixture.Secret, ProviderCallbacks.ReceiptScope(fixture.ProviderId, "305"));

        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync($"{Receipts}?id=305&status=delivered&token={token}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _http.GetAsync($"{Receipts}?id=306&status=delivered&token={token}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _http.GetAsync($"{Inbound}?from=%2B79161112233&to=900&text=hi&id=mo-305&token={token}")).StatusCode);
        // Only the query string counts with a token: a body (with other messages) is refused.
        var withBody = await _http.PostAsync($"{Receipts}?id=305&status=delivered&token={token}",
            new StringContent("""[{"id":"307","status":"delivered"}]""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Unauthorized, withBody.StatusCode);

        Assert.Single(await fixture.ReceiptsForAsync(305));
        Assert.Empty(await fixture.ReceiptsForAsync(306, TimeSpan.FromMilliseconds(200)));
        Assert.Empty(await fixture.ReceiptsForAsync(307, TimeSpan.FromMilliseconds(200)));
    }

    [Fact]
    public async Task InboundUrlToken_IsGoodForInboundOnly()
    {
        var token = ProviderCallbacks.UrlToken(CallbackAppFixture.Secret, ProviderCallbacks.InboundScope(fixture.ProviderId));

        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync($"{Inbound}?from=%2B79161112233&to=900&text=hi&id=mo-308&token={token}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _http.GetAsync($"{Receipts}?id=308&status=delivered&token={token}")).StatusCode);
        Assert.Empty(await fixture.ReceiptsForAsync(308, TimeSpan.FromMilliseconds(200)));
    }

    [Fact]
    public void DlrUrl_CarriesAReceiptToken_NeverTheSecret()
    {
        const string secret = "callback-secret-0123456789";
        var sender = new HttpSmsSender(new HttpClient(), new HttpSenderOptions(7, "Kannel", HttpProviderSettings.Kannel(), "pw", secret, null, "http://portal.test/"),
            NullLogger.Instance);

        var url = sender.DlrUrl(42);

        Assert.DoesNotContain(secret, url);
        Assert.DoesNotContain("secret=", url);
        Assert.Contains($"token={ProviderCallbacks.UrlToken(secret, ProviderCallbacks.ReceiptScope(7, "42"))}", url);
    }

    private async Task<HttpResponseMessage> PostAsync(string url, string body, string ts, string? id, string signature)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        ProviderCallbackTests.AddSignature(request, ts, id, signature);
        return await _http.SendAsync(request);
    }
}
