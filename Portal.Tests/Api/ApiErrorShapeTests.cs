using System.Net;
using System.Text;
using Microsoft.EntityFrameworkCore;

namespace Portal.Tests.Api;

/// <summary>The API answers problem details whatever goes wrong (issue 20, item 14; item 17's 415).</summary>
public class ApiErrorShapeTests
{
    [Fact]
    public async Task UnhandledError_IsAProblemWithACorrelationId_AndNoInternals()
    {
        await using var host = await ApiTestHost.StartAsync();
        var http = await host.ClientWithAllScopesAsync();
        await using (var db = host.Db())
        {
            // A failure no handler expects: the table the upsert reads is gone.
            await db.Database.ExecuteSqlRawAsync("DROP TABLE \"ClientTags\"");
        }

        var response = await http.PutAsync("/api/v1/clients", ApiTestHost.Json(new[] { new { externalId = "a", phone = "+79161234567", tags = new[] { "x" } } }));

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("ClientTags", text);
        Assert.DoesNotContain("SQLite", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(" at ", text);
        var problem = await ApiTestHost.ReadJsonAsync(response);
        var id = (string)problem["correlationId"]!;
        Assert.False(string.IsNullOrEmpty(id));
        Assert.Contains(id, (string)problem["detail"]!);
    }

    [Fact]
    public async Task NotJson_WithoutAKey_Is401_NotA415()
    {
        await using var host = await ApiTestHost.StartAsync();
        var anonymous = host.Client(null);

        var response = await anonymous.PostAsync("/api/v1/events", new StringContent("a,b", Encoding.UTF8, "text/csv"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task NotJson_WithAKey_IsA415Problem()
    {
        await using var host = await ApiTestHost.StartAsync();
        var http = await host.ClientWithAllScopesAsync();

        var response = await http.PostAsync("/api/v1/events", new StringContent("a,b", Encoding.UTF8, "text/csv"));

        var problem = await ApiTestHost.AssertProblemAsync(response, 415);
        Assert.Contains("application/json", (string)problem["detail"]!);
        Assert.Contains("text/csv", (string)problem["detail"]!);
    }
}
