using System.Collections.Concurrent;
using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Portal.Identity;
using Portal.Infrastructure.Identity;
using Portal.Infrastructure.Persistence;

namespace Portal.Tests.Support;

/// <summary>
/// The real Portal host (Program.cs, all its middleware) on a fresh database of the chosen
/// provider, with a known administrator password and a one-second session revalidation.
/// Issue 14: users whose role requires MFA (the seeded administrator included) have the known
/// authenticator key <see cref="TestAuthenticatorKey"/>; the sign-in helpers answer the code step
/// (and enrol a user who has no key yet), so tests sign in as before.
/// </summary>
public sealed class PortalAppFactory(DatabaseProvider provider = DatabaseProvider.Sqlite, int demoClients = 200) : WebApplicationFactory<Program>
{
    public const string AdminEmail = "admin@portal.local";
    public const string AdminPassword = "Test-Admin-Password-1!";

    /// <summary>The authenticator key (Base32) of test users with MFA.</summary>
    public const string TestAuthenticatorKey = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

    /// <summary>Keys the sign-in helpers enrolled through the enrolment page, by email (unique test emails only).</summary>
    public static ConcurrentDictionary<string, string> EnrolledKeys { get; } = new(StringComparer.OrdinalIgnoreCase);

    private TestDatabase? _database;

    /// <summary>
    /// This app's own namespace for "each code once" (<see cref="Totp"/>): every MFA test user and
    /// every app's administrator share <see cref="TestAuthenticatorKey"/>, but each app remembers the
    /// last step per user in its own database. Tracked per key alone, the whole suite shared two codes
    /// per 30 s, and sign-ins queued for minutes (a worker thread asleep in each).
    /// </summary>
    private readonly string _codeScope = Guid.NewGuid().ToString("N");

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<HttpClient, string> ClientScopes = new();
    private static readonly ConcurrentDictionary<string, string> KestrelScopes = new();

    /// <summary>The code namespace of the app a client talks to (empty for a client made elsewhere).</summary>
    public static string CodeScopeOf(HttpClient client) => ClientScopes.TryGetValue(client, out var scope) ? scope : "";

    /// <summary>The code namespace of the Kestrel app serving <paramref name="pageUrl"/>.</summary>
    public static string CodeScopeOf(string pageUrl) =>
        Uri.TryCreate(pageUrl, UriKind.Absolute, out var uri) ? KestrelScopes.GetValueOrDefault(uri.Authority, "") : "";

    protected override void ConfigureClient(HttpClient client)
    {
        base.ConfigureClient(client);
        ClientScopes.AddOrUpdate(client, _codeScope);
    }

    public Dictionary<string, string?> Settings { get; } = new();

    /// <summary>False: the seeded administrator starts without an authenticator, as in production.</summary>
    public bool EnrolAdministrator { get; init; } = true;

    /// <summary>Extra service registrations for one test (after the app's own).</summary>
    public Action<IServiceCollection>? TestServices { get; init; }

    /// <summary>The key the helpers answer the code step with for <paramref name="email"/>.</summary>
    public static string AuthenticatorKeyOf(string email) => EnrolledKeys.GetValueOrDefault(email) ?? TestAuthenticatorKey;

    public async Task<PortalAppFactory> StartAsync(bool kestrel = false)
    {
        _database = await TestDatabase.CreateAsync(provider); // a migrated copy: the app's own migration step finds nothing to do
        if (kestrel)
        {
            UseKestrel(0);
            StartServer();
            KestrelScopes[new Uri(RootUrl).Authority] = _codeScope;
        }
        else
        {
            _ = Server;
        }
        if (EnrolAdministrator)
        {
            await EnrolWithTestKeyAsync(AdminEmail);
        }
        return this;
    }

    /// <summary>Gives a user <see cref="TestAuthenticatorKey"/> and turns MFA on, as if they had enrolled.</summary>
    public async Task EnrolWithTestKeyAsync(string email)
    {
        await using var scope = Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        var store = (IUserAuthenticatorKeyStore<PortalUser>)scope.ServiceProvider.GetRequiredService<IUserStore<PortalUser>>();
        var user = await users.FindByEmailAsync(email) ?? throw new InvalidOperationException($"no user {email}");
        await store.SetAuthenticatorKeyAsync(user, TestAuthenticatorKey, default);
        Assert.True((await users.SetTwoFactorEnabledAsync(user, true)).Succeeded);
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
        // Tests sign in hundreds of times from one address: the per-IP limits have their own tests.
        builder.UseSetting("RateLimits:SignInPerMinute", "100000");
        builder.UseSetting("RateLimits:ApiPerMinute", "1000000");
        builder.UseSetting("RateLimits:UnauthenticatedPerMinute", "100000");
        builder.UseSetting("RateLimits:CallbacksPerMinute", "1000000");
        // The demo's past campaigns (issue 15) only where a test asks for them: other tests count campaigns and messages.
        builder.UseSetting("Seed:DemoHistory", "false");
        // Issue 18: the orientation offer only where a test asks for it, so it never shifts what other tests click.
        builder.UseSetting("Tours:OfferOrientation", "false");
        // Issue 20: the dashboard warmer only where a test asks for it (DashboardQueriesTests test it), not at every host start.
        builder.UseSetting("Dashboard:WarmEvery", "00:00:00");
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }
        if (TestServices is { } configure)
        {
            builder.ConfigureTestServices(configure);
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
        if (AccountSecurity.RequiresMfa([role]))
        {
            await EnrolWithTestKeyAsync(email);
        }
        return (email, password);
    }

    /// <summary>A client that keeps cookies and shows redirects instead of following them.</summary>
    public HttpClient CreateBrowserlikeClient() =>
        CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    /// <summary>
    /// Posts the sign-in form as a browser would (antiforgery token included) and returns its answer.
    /// Issue 14: a redirect to the code step is answered with the user's TOTP code (the answer
    /// returned is then the code step's), and a session sent to enrol first is enrolled.
    /// </summary>
    public static async Task<HttpResponseMessage> PostLoginAsync(HttpClient client, string email, string password, string? returnUrl = null)
    {
        var loginUrl = "/Account/Login" + (returnUrl is null ? "" : "?ReturnUrl=" + Uri.EscapeDataString(returnUrl));
        var response = await PostFormAsync(client, loginUrl, new() { ["email"] = email, ["password"] = password });
        if (response.StatusCode != HttpStatusCode.Redirect)
        {
            return response;
        }
        var location = response.Headers.Location!.OriginalString;
        if (location.Contains("/Account/LoginWith2fa", StringComparison.OrdinalIgnoreCase))
        {
            return await PostFormAsync(client, PathOf(response.Headers.Location), new() { ["totp-code"] = Totp.Code(AuthenticatorKeyOf(email), $"{CodeScopeOf(client)}|{email}") });
        }
        if (!location.Contains("/Account/", StringComparison.OrdinalIgnoreCase))
        {
            var next = await client.GetAsync(PathOf(response.Headers.Location));
            if (next.StatusCode == HttpStatusCode.Redirect && next.Headers.Location!.OriginalString.Contains(AccountSecurity.EnrolPath, StringComparison.OrdinalIgnoreCase))
            {
                await EnrolAsync(client, email);
            }
        }
        return response;
    }

    /// <summary>Enrols the signed-in user through the enrolment page (key read from the page), returning the key.</summary>
    public static async Task<string> EnrolAsync(HttpClient client, string email)
    {
        var page = WebUtility.HtmlDecode(await client.GetStringAsync(AccountSecurity.EnrolPath));
        var key = Regex.Match(page, "id=\"authenticator-key\"[^>]*>([^<]+)<").Groups[1].Value.Replace(" ", "").ToUpperInvariant();
        Assert.False(string.IsNullOrEmpty(key), "no authenticator key on the enrolment page: " + string.Join(" ", Regex.Matches(page, "data-testid=\"[^\"]+\"|<h1[^>]*>[^<]*").Select(m => m.Value)));
        var enrolled = await PostFormAsync(client, AccountSecurity.EnrolPath, new() { ["enrol-code"] = Totp.Code(key) }, page);
        Assert.Contains("data-testid=\"recovery-codes\"", await enrolled.Content.ReadAsStringAsync());
        if (email != AdminEmail)
        {
            EnrolledKeys[email] = key;
        }
        return key;
    }

    /// <summary>GETs a static form page, fills inputs by id (hidden fields kept) and posts it back to the same URL.</summary>
    public static async Task<HttpResponseMessage> PostFormAsync(HttpClient client, string url, Dictionary<string, string> byId, string? page = null)
    {
        page ??= await client.GetStringAsync(url);
        var fields = Regex.Matches(page, "<input[^>]*type=\"hidden\"[^>]*>")
            .Select(m => (Name: Attr(m.Value, "name"), Value: Attr(m.Value, "value")))
            .Where(f => f.Name is not null)
            .GroupBy(f => f.Name!)
            .ToDictionary(g => g.Key, g => WebUtility.HtmlDecode(g.First().Value ?? ""));
        foreach (var (id, value) in byId)
        {
            fields[InputName(page, id)] = value;
        }
        return await client.PostAsync(url, new FormUrlEncodedContent(fields));
    }

    private static string PathOf(Uri location) => location.IsAbsoluteUri ? location.PathAndQuery : location.OriginalString;

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
