namespace Portal.Tests.Api;

/// <summary><c>POST /api/v1/alerts</c> refusing each bad part of a request with a 400 that names it.</summary>
public sealed class AlertRequestErrorsTests
{
    [Theory]
    [InlineData("""{"kind": "siren", "text": "Fire", "employeeIds": [1]}""", "kind is alarm or informational.")]
    [InlineData("""{"text": "Fire", "requiredAcks": "most", "employeeIds": [1]}""", "requiredAcks is one, all or count.")]
    [InlineData("""{"kind": "informational", "text": "Fire", "requiredAcks": "all"}""", "Name a chainId, groupIds or employeeIds.")]
    [InlineData("""{"text": " ", "employeeIds": [1]}""", "The alert needs a text.")]
    [InlineData("""{"text": "Fire", "requiredAcks": "count", "employeeIds": [999999]}""", null)]
    public async Task Raise_BadRequest_Is400NamingWhat(string body, string? detail)
    {
        await using var host = await ApiTestHost.StartAsync();
        var http = await host.ClientWithAllScopesAsync();

        var response = await http.PostAsync("/api/v1/alerts", ApiTestHost.Raw(body));

        var problem = await ApiTestHost.AssertProblemAsync(response, 400);
        if (detail is not null) Assert.Equal(detail, (string)problem["detail"]!);
    }

    [Fact]
    public async Task Raise_AnEmptyIdempotencyKey_Is400()
    {
        await using var host = await ApiTestHost.StartAsync();
        var http = await host.ClientWithAllScopesAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/alerts") { Content = ApiTestHost.Raw("""{"text": "Fire", "employeeIds": [1]}""") };
        request.Headers.TryAddWithoutValidation("Idempotency-Key", " ");

        var problem = await ApiTestHost.AssertProblemAsync(await http.SendAsync(request), 400);

        Assert.Equal("The Idempotency-Key header is 1 to 200 characters.", (string)problem["detail"]!);
    }
}
