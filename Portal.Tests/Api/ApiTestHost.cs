using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Domain.Integrations;
using Portal.Infrastructure.Integrations;
using Portal.Infrastructure.Persistence;
using Portal.Tests.Support;

namespace Portal.Tests.Api;

/// <summary>The real host on a fresh database with no demo clients, plus ways to make keys and call the API.</summary>
public sealed class ApiTestHost : IAsyncDisposable
{
    private ApiTestHost(PortalAppFactory app) => App = app;

    public PortalAppFactory App { get; }

    public static async Task<ApiTestHost> StartAsync(DatabaseProvider provider = DatabaseProvider.Sqlite) =>
        new(await new PortalAppFactory(provider, demoClients: 0).StartAsync());

    public static async Task<ApiTestHost> StartWithAsync(PortalAppFactory app) => new(await app.StartAsync());

    public static readonly ClaimsPrincipal Admin = new(new ClaimsIdentity([new Claim(ClaimTypes.Name, PortalAppFactory.AdminEmail)], "test"));

    /// <summary>Creates a key through the service the admin page uses; returns its full text.</summary>
    public async Task<(int Id, string Key)> CreateKeyAsync(int requestsPerMinute = 1000, params string[] scopes)
    {
        var keys = App.Services.GetRequiredService<ApiKeyService>();
        var (row, key) = await keys.CreateAsync(Admin, "test-" + Guid.NewGuid().ToString("N")[..6], scopes.Length == 0 ? ApiScopes.All : scopes, requestsPerMinute, CancellationToken.None);
        return (row.Id, key);
    }

    public HttpClient Client(string? key)
    {
        var client = App.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }
        return client;
    }

    public async Task<HttpClient> ClientWithAllScopesAsync() => Client((await CreateKeyAsync()).Key);

    public PortalDbContext Db() => App.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContext();

    public static HttpContent Json(object body) => JsonContent.Create(body);

    public static HttpContent Raw(string json) => new StringContent(json, Encoding.UTF8, "application/json");

    public static async Task<JsonNode> ReadJsonAsync(HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync()) ?? throw new InvalidOperationException("empty body");

    /// <summary>Asserts an RFC 7807 body and returns it.</summary>
    public static async Task<JsonNode> AssertProblemAsync(HttpResponseMessage response, int status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"expected {status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(body)!;
        Assert.Equal(status, (int)problem["status"]!);
        Assert.False(string.IsNullOrWhiteSpace((string?)problem["detail"]), "a problem must say what is wrong");
        return problem;
    }

    public static IEnumerable<(int Index, string? ExternalId, string Field, string Reason)> Errors(JsonNode problem) =>
        problem["errors"]!.AsArray().Select(e => ((int)e!["index"]!, (string?)e["externalId"], (string)e["field"]!, (string)e["reason"]!));

    public static JsonSerializerOptions Web { get; } = new(JsonSerializerDefaults.Web);

    public async ValueTask DisposeAsync() => await App.DisposeAsync();
}
