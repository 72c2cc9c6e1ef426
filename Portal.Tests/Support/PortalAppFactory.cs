using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Portal.Infrastructure.Identity;
using Portal.Infrastructure.Persistence;

namespace Portal.Tests.Support;

/// <summary>
/// The real Portal host (Program.cs, all its middleware) on a fresh database of the chosen
/// provider, with a known administrator password and a one-second session revalidation.
/// </summary>
public sealed class PortalAppFactory(DatabaseProvider provider = DatabaseProvider.Sqlite, int demoClients = 200) : WebApplicationFactory<Program>
{
    public const string AdminEmail = "admin@portal.local";
    public const string AdminPassword = "Test-Admin-Password-1!";

    private TestDatabase? _database;

    public Dictionary<string, string?> Settings { get; } = new();

    public async Task<PortalAppFactory> StartAsync(bool kestrel = false)
    {
        _database = await TestDatabase.CreateAsync(provider, migrate: false);
        if (kestrel)
        {
            UseKestrel(0);
            StartServer();
        }
        else
        {
            _ = Server;
        }
        return this;
    }

    /// <summary>Where a real browser reaches the app (Kestrel mode).</summary>
    public string RootUrl => Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
        .Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Database:Provider", provider.ToString());
        builder.UseSetting("Database:ConnectionString", _database!.ConnectionString);
        builder.UseSetting("Seed:AdminPassword", AdminPassword);
        builder.UseSetting("Seed:DemoClients", demoClients.ToString());
        builder.UseSetting("Identity:RevalidationInterval", "00:00:01");
        // The demo's past campaigns (issue 15) only where a test asks for them: other tests count campaigns and messages.
        builder.UseSetting("Seed:DemoHistory", "false");
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }
    }

    /// <summary>Creates a user with the given role straight through Identity.</summary>
    public async Task<(string Email, string Password)> CreateUserAsync(string role)
    {
        await using var scope = Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        var email = $"{role.ToLowerInvariant()}-{Guid.NewGuid():N}@test.local";
        const string password = "Test-User-Password-1!";
        var user = new PortalUser { UserName = email, Email = email, EmailConfirmed = true, DisplayName = role, CreatedAt = DateTime.UtcNow };
        var result = await users.CreateAsync(user, password);
        Assert.True(result.Succeeded, string.Join("; ", result.Errors.Select(e => e.Description)));
        Assert.True((await users.AddToRoleAsync(user, role)).Succeeded);
        return (email, password);
    }

    /// <summary>A client that keeps cookies and shows redirects instead of following them.</summary>
    public HttpClient CreateBrowserlikeClient() =>
        CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    /// <summary>Posts the sign-in form as a browser would (antiforgery token included).</summary>
    public static async Task<HttpResponseMessage> PostLoginAsync(HttpClient client, string email, string password)
    {
        var page = await client.GetStringAsync("/Account/Login");
        var fields = Regex.Matches(page, "<input[^>]*type=\"hidden\"[^>]*>")
            .Select(m => (Name: Attr(m.Value, "name"), Value: Attr(m.Value, "value")))
            .Where(f => f.Name is not null)
            .ToDictionary(f => f.Name!, f => WebUtility.HtmlDecode(f.Value ?? ""));
        fields[InputName(page, "email")] = email;
        fields[InputName(page, "password")] = password;
        return await client.PostAsync("/Account/Login", new FormUrlEncodedContent(fields));
    }

    /// <summary>
    /// Signs in a new user of <paramref name="role"/> and opens <paramref name="path"/>. Allowed: 200,
    /// and the page (its decoded HTML) is returned with its nav link present. Refused: a redirect to
    /// AccessDenied, no nav link on the home page, and null is returned.
    /// </summary>
    public async Task<string?> OpenPageAsAsync(string role, string path, bool allowed)
    {
        var (email, password) = await CreateUserAsync(role);
        var client = CreateBrowserlikeClient();
        await PostLoginAsync(client, email, password);
        var response = await client.GetAsync("/" + path);
        var navLink = $"href=\"{path}\"";
        if (!allowed)
        {
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.Contains("/Account/AccessDenied", response.Headers.Location!.ToString());
            Assert.DoesNotContain(navLink, await client.GetStringAsync("/"));
            return null;
        }
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
        Assert.Contains(navLink, html);
        return html;
    }

    private static string InputName(string page, string id) =>
        Attr(Regex.Match(page, $"<input[^>]*id=\"{id}\"[^>]*>").Value, "name") ?? throw new InvalidOperationException($"no input #{id}");

    private static string? Attr(string tag, string name) =>
        Regex.Match(tag, $"\\b{name}=\"([^\"]*)\"") is { Success: true } m ? m.Groups[1].Value : null;

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }
}
