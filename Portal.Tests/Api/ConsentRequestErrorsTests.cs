using System.Net;

namespace Portal.Tests.Api;

/// <summary>The consent, opt-out and opt-in endpoints refusing bodies of the wrong shape, bad fields and unknown clients.</summary>
public sealed class ConsentRequestErrorsTests : IAsyncLifetime
{
    private ApiTestHost _host = default!;
    private HttpClient _http = default!;

    public async Task InitializeAsync()
    {
        _host = await ApiTestHost.StartAsync();
        _http = await _host.ClientWithAllScopesAsync();
        var seeded = await _http.PutAsync("/api/v1/clients", ApiTestHost.Json(new object[] { new { externalId = "c1", phone = "+79160000001" } }));
        Assert.Equal(HttpStatusCode.OK, seeded.StatusCode);
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private static List<(string Field, string Reason)> Errors(System.Text.Json.Nodes.JsonNode problem) =>
        ApiTestHost.Errors(problem).Select(e => (e.Field, e.Reason)).ToList();

    [Theory]
    [InlineData("/api/v1/clients/c1/consents")]
    [InlineData("/api/v1/clients/c1/opt-out")]
    [InlineData("/api/v1/clients/c1/opt-in")]
    public async Task AnArrayInsteadOfAnObject_Is400(string url)
    {
        var response = await _http.PostAsync(url, ApiTestHost.Raw("""[{"purpose": "service"}]"""));

        await ApiTestHost.AssertProblemAsync(response, 400);
    }

    [Fact]
    public async Task Consent_WithoutPurpose_Granted_OrSource_NamesEach()
    {
        var response = await _http.PostAsync("/api/v1/clients/c1/consents", ApiTestHost.Raw("""{"granted": "yes", "at": "soon"}"""));

        var problem = await ApiTestHost.AssertProblemAsync(response, 422);
        var errors = Errors(problem);
        Assert.Contains(("purpose", "Required: service or advertising."), errors);
        Assert.Contains(("granted", "Required: true or false."), errors);
        Assert.Contains(("source", "Required."), errors);
        Assert.Contains(errors, e => e.Field == "at");
        Assert.All(ApiTestHost.Errors(problem), e => Assert.Equal("c1", e.ExternalId));
    }

    [Fact]
    public async Task OptOut_WithBadFields_Is422NamingThem()
    {
        var response = await _http.PostAsync("/api/v1/clients/c1/opt-out", ApiTestHost.Raw("""{"reason": 5, "at": "soon", "channel": "sms"}"""));

        var problem = await ApiTestHost.AssertProblemAsync(response, 422);
        var errors = Errors(problem);
        Assert.Contains(("reason", "Expected a string."), errors);
        Assert.Contains(("channel", "Unknown field."), errors);
        Assert.Contains(errors, e => e.Field == "at");
    }

    [Fact]
    public async Task OptIn_TakesNoReason()
    {
        var response = await _http.PostAsync("/api/v1/clients/c1/opt-in", ApiTestHost.Raw("""{"reason": "asked"}"""));

        var problem = await ApiTestHost.AssertProblemAsync(response, 422);
        Assert.Equal([("reason", "Unknown field.")], Errors(problem));
    }

    [Fact]
    public async Task OptOut_UnknownClient_Is404NamingTheId()
    {
        var response = await _http.PostAsync("/api/v1/clients/nobody/opt-out", ApiTestHost.Raw("""{"reason": "call centre"}"""));

        var problem = await ApiTestHost.AssertProblemAsync(response, 404);
        Assert.Contains("'nobody'", (string)problem["detail"]!, StringComparison.Ordinal);
    }
}
