namespace Portal.Tests.Api;

/// <summary><c>POST /api/v1/messages</c> refusing a bad idempotency key, a body that is no message, and every kind of bad field.</summary>
public sealed class MessageRequestErrorsTests
{
    [Fact]
    public async Task Send_BadIdempotencyKey_OrABodyThatIsNoMessage_Is400()
    {
        await using var host = await ApiTestHost.StartAsync();
        var http = await host.ClientWithAllScopesAsync();

        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/messages") { Content = ApiTestHost.Raw("""{"phone": "+79160000001", "text": "Hi"}""") };
        request.Headers.Add("Idempotency-Key", new string('k', 201));
        var key = await ApiTestHost.AssertProblemAsync(await http.SendAsync(request), 400);
        Assert.Contains("Idempotency-Key header is 1 to 200 characters", (string)key["detail"]!, StringComparison.Ordinal);

        var number = await ApiTestHost.AssertProblemAsync(await http.PostAsync("/api/v1/messages", ApiTestHost.Raw("42")), 400);
        Assert.Equal("The request body must be a message object or an array of them.", (string)number["detail"]!);
    }

    [Fact]
    public async Task Send_EveryBadFieldKind_IsNamed_AndNothingIsSent()
    {
        await using var host = await ApiTestHost.StartAsync();
        var http = await host.ClientWithAllScopesAsync();
        var longText = new string('a', 1531);
        var batch = $$$"""
            [
              {"phone": "+79160000001", "text": 5},
              {"phone": "+79160000001", "templateId": -1},
              {"phone": "+79160000001", "text": "{{{longText}}}"},
              {"phone": "+79160000001", "text": "Hi", "variables": 5},
              {"phone": "+79160000001", "text": "Hi", "variables": {"code": [1]}},
              {"phone": "+79160000001", "text": "Hi", "senderId": "!!bad!!"},
              {"phone": "+79160000001", "text": "Hi", "providerId": "one"},
              {"phone": "+79160000001", "text": "Hi", "validityMinutes": 0}
            ]
            """;

        var response = await http.PostAsync("/api/v1/messages", ApiTestHost.Raw(batch));

        var problem = await ApiTestHost.AssertProblemAsync(response, 400);
        var errors = problem["errors"]!.AsArray().Select(e => ((int)e!["index"]!, (string)e["field"]!, (string)e["reason"]!)).ToList();
        void Has(int index, string field, string reason) =>
            Assert.True(errors.Contains((index, field, reason)), $"missing ({index}, {field}, {reason}) in\n{string.Join("\n", errors)}");
        Has(0, "text", "Expected a string.");
        Has(1, "templateId", "Expected a template id (a positive whole number).");
        Has(2, "text", "The text is 1531 characters; at most 1530 (10 SMS parts).");
        Has(3, "variables", "Expected an object of names to strings.");
        Has(4, "variables.code", "Expected a string or a number.");
        Has(5, "senderId", "A sender id is 1 to 11 letters, digits, spaces, '.', '-' or '_', or a number of at most 15 digits.");
        Has(6, "providerId", "Expected a provider id (a positive whole number).");
        Assert.Contains(errors, e => e.Item1 == 7 && e.Item2 == "validityMinutes" && e.Item3.StartsWith("Expected whole minutes from 1 to ", StringComparison.Ordinal));
        Assert.Contains("8 item(s) are invalid; nothing was sent.", (string)problem["detail"]!, StringComparison.Ordinal);
        await using var db = host.Db();
        Assert.Empty(db.Messages);
    }
}
