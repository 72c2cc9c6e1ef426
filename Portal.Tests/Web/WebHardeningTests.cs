using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Portal.Tests.Support;

namespace Portal.Tests.Web;

/// <summary>
/// Issue 14, the web front end (ASVS V3, V4, V16) through the real host: security headers and the
/// CSP, HSTS and Secure cookies, forwarded headers from trusted proxies only, per-IP rate limits
/// with 429 and Retry-After, and no exception text outside Development.
/// </summary>
public class WebHardeningTests
{
    private static async Task<PortalAppFactory> StartAsync(Dictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null)
    {
        var app = new PortalAppFactory(demoClients: 10) { TestServices = services };
        foreach (var (key, value) in settings ?? [])
        {
            app.Settings[key] = value;
        }
        return await app.StartAsync();
    }

    [Fact]
    public async Task Pages_CarryTheSecurityHeaders_AndACspThatAllowsOnlyOurScripts()
    {
        await using var app = await StartAsync();
        var response = await app.CreateBrowserlikeClient().GetAsync("/Account/Login");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var csp = Assert.Single(response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("default-src 'self'", csp);
        Assert.Contains("object-src 'none'", csp);
        Assert.Contains("frame-ancestors 'self'", csp);
        Assert.Contains("base-uri 'self'", csp);
        Assert.Contains("form-action 'self'", csp);
        var scripts = Regex.Match(csp, "script-src ([^;]+)").Groups[1].Value;
        Assert.DoesNotContain("unsafe", scripts);
        var nonce = Regex.Match(scripts, "'nonce-([^']+)'").Groups[1].Value;
        Assert.NotEmpty(nonce);
        // The one inline script (Blazor's import map) carries this response's nonce; every other script is a file.
        var html = await response.Content.ReadAsStringAsync();
        foreach (Match script in Regex.Matches(html, "<script(?![^>]*\\bsrc=)[^>]*>"))
        {
            Assert.Contains($"nonce=\"{nonce}\"", script.Value);
        }
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("same-origin", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
        // Development over plain HTTP: no HSTS (it would pin a developer's localhost).
        Assert.False(response.Headers.Contains("Strict-Transport-Security"));

        var next = await app.CreateBrowserlikeClient().GetAsync("/Account/Login");
        Assert.DoesNotContain(nonce, Assert.Single(next.Headers.GetValues("Content-Security-Policy")));
    }

    [Fact]
    public async Task HttpsOnly_SendsHsts_AndMarksEveryCookieSecure()
    {
        await using var app = await StartAsync(new() { ["WebSecurity:HttpsOnly"] = "true" });
        var client = app.CreateClient(new WebApplicationFactoryClientOptions
        {
            BaseAddress = new Uri("https://portal.example/"), AllowAutoRedirect = false, HandleCookies = true,
        });
        var page = await client.GetAsync("/Account/Login");
        var hsts = Assert.Single(page.Headers.GetValues("Strict-Transport-Security"));
        Assert.Contains("max-age=31536000", hsts);
        Assert.Contains("includeSubDomains", hsts);

        var (email, password) = await app.CreateUserAsync(Portal.Domain.Access.Roles.Manager);
        var login = await PortalAppFactory.PostFormAsync(client, "/Account/Login", new() { ["email"] = email, ["password"] = password });
        var cookies = page.Headers.GetValues("Set-Cookie").Concat(login.Headers.GetValues("Set-Cookie")).ToList();
        Assert.Contains(cookies, c => c.StartsWith("__Host-Portal.Auth=", StringComparison.Ordinal) && c.Contains("path=/;"));
        Assert.Contains(cookies, c => c.StartsWith("__Host-Portal.Antiforgery=", StringComparison.Ordinal));
        Assert.DoesNotContain(cookies, c => c.Contains("domain=", StringComparison.OrdinalIgnoreCase));
        Assert.All(cookies, c => Assert.Contains("secure", c, StringComparison.OrdinalIgnoreCase));
        Assert.All(cookies, c => Assert.Contains("httponly", c, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Development_KeepsCookiesUsableOverPlainHttp()
    {
        await using var app = await StartAsync();
        var (email, password) = await app.CreateUserAsync(Portal.Domain.Access.Roles.Manager);
        var login = await PortalAppFactory.PostFormAsync(app.CreateBrowserlikeClient(), "/Account/Login", new() { ["email"] = email, ["password"] = password });
        Assert.DoesNotContain("secure", login.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("Portal.Auth=")), StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Makes every request arrive from <paramref name="address"/>, as through a proxy (TestServer has no peer address).</summary>
    private static Action<IServiceCollection> From(string address) => services =>
        services.AddSingleton<IStartupFilter>(new PeerAddress(IPAddress.Parse(address)));

    private sealed class PeerAddress(IPAddress address) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, go) =>
            {
                context.Connection.RemoteIpAddress = address;
                return go(context);
            });
            next(app);
        };
    }

    private static HttpRequestMessage SignInPost(string forwardedFor, string? proto = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/Account/Login") { Content = new FormUrlEncodedContent([]) };
        request.Headers.Add("X-Forwarded-For", forwardedFor);
        if (proto is not null)
        {
            request.Headers.Add("X-Forwarded-Proto", proto);
        }
        return request;
    }

    [Fact]
    public async Task SignIn_IsLimitedPerClientAddress_AsTheTrustedProxyReportsIt()
    {
        await using var app = await StartAsync(new()
        {
            ["RateLimits:SignInPerMinute"] = "3",
            ["WebSecurity:KnownProxies:0"] = "10.0.0.5",
            ["WebSecurity:HttpsOnly"] = "true",
        }, From("10.0.0.5"));
        // Not "localhost": HSTS is never sent to localhost.
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = new Uri("http://portal.example/") });

        for (var i = 0; i < 3; i++)
        {
            Assert.NotEqual(HttpStatusCode.TooManyRequests, (await client.SendAsync(SignInPost("203.0.113.7"))).StatusCode);
        }
        var refused = await client.SendAsync(SignInPost("203.0.113.7"));
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        var retryAfter = int.Parse(Assert.Single(refused.Headers.GetValues("Retry-After")));
        Assert.InRange(retryAfter, 1, 60);
        // Another client behind the same proxy has its own budget; reading the page is not limited.
        Assert.NotEqual(HttpStatusCode.TooManyRequests, (await client.SendAsync(SignInPost("203.0.113.8"))).StatusCode);
        // The proxy's X-Forwarded-Proto is believed: HSTS for the HTTPS the browser used (and the
        // Secure antiforgery cookie can be issued: HttpsOnly refuses forms over plain HTTP).
        var viaTls = new HttpRequestMessage(HttpMethod.Get, "/Account/Login");
        viaTls.Headers.Add("X-Forwarded-For", "203.0.113.7");
        viaTls.Headers.Add("X-Forwarded-Proto", "https");
        var page = await client.SendAsync(viaTls);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.True(page.Headers.Contains("Strict-Transport-Security"));
    }

    [Fact]
    public async Task ForwardedHeaders_FromAnUntrustedPeer_AreIgnored()
    {
        await using var app = await StartAsync(new()
        {
            ["RateLimits:SignInPerMinute"] = "2",
            ["WebSecurity:KnownProxies:0"] = "10.0.0.5",
        }, From("198.51.100.20"));
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        // An attacker cannot buy a new budget per request by inventing X-Forwarded-For.
        Assert.NotEqual(HttpStatusCode.TooManyRequests, (await client.SendAsync(SignInPost("192.0.2.1"))).StatusCode);
        Assert.NotEqual(HttpStatusCode.TooManyRequests, (await client.SendAsync(SignInPost("192.0.2.2"))).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await client.SendAsync(SignInPost("192.0.2.3"))).StatusCode);
    }

    [Fact]
    public async Task RefusedApiAndCallbackCalls_ExhaustTheAddressesBudget_With429()
    {
        await using var app = await StartAsync(new() { ["RateLimits:UnauthenticatedPerMinute"] = "3" }, From("198.51.100.30"));
        var client = app.CreateClient();
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.PutAsync("/api/v1/clients", EmptyJson())).StatusCode);
        }
        // The fourth guess is not even looked at, and the callbacks share the address's budget.
        var refused = await client.PutAsync("/api/v1/clients", EmptyJson());
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.True(refused.Headers.Contains("Retry-After"));
        var callback = new HttpRequestMessage(HttpMethod.Post, "/api/providers/1/receipts") { Content = new FormUrlEncodedContent([new("id", "1")]) };
        callback.Headers.Add("X-Portal-Secret", "guess");
        Assert.Equal(HttpStatusCode.TooManyRequests, (await client.SendAsync(callback)).StatusCode);

        // Another address is unaffected.
        await using var other = await StartAsync(new() { ["RateLimits:UnauthenticatedPerMinute"] = "3" }, From("198.51.100.31"));
        Assert.Equal(HttpStatusCode.Unauthorized, (await other.CreateClient().PutAsync("/api/v1/clients", EmptyJson())).StatusCode);
    }

    [Fact]
    public async Task ApiAndCallbacks_HaveAPerAddressLimit()
    {
        await using var app = await StartAsync(new() { ["RateLimits:ApiPerMinute"] = "2", ["RateLimits:CallbacksPerMinute"] = "2" }, From("198.51.100.40"));
        var client = app.CreateClient();
        await client.PutAsync("/api/v1/clients", EmptyJson());
        await client.PutAsync("/api/v1/clients", EmptyJson());
        Assert.Equal(HttpStatusCode.TooManyRequests, (await client.PutAsync("/api/v1/clients", EmptyJson())).StatusCode);
        await client.GetAsync("/api/providers/1/receipts");
        await client.GetAsync("/api/providers/1/receipts");
        Assert.Equal(HttpStatusCode.TooManyRequests, (await client.GetAsync("/api/providers/1/receipts")).StatusCode);
    }

    private static StringContent EmptyJson() => new("[]", System.Text.Encoding.UTF8, "application/json");

    [Fact]
    public async Task Health_ShowsNoExceptionText_OutsideDevelopment()
    {
        static void Failing(IServiceCollection services) =>
            services.AddHealthChecks().AddCheck("ledger", () => throw new InvalidOperationException("Host=db-secret.internal;Password=hunter2"));

        await using var app = await StartAsync(new() { ["WebSecurity:DetailedErrors"] = "false" }, Failing);
        var response = await app.CreateClient().GetAsync("/health");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("\"ledger\":{\"status\":\"Unhealthy\"", body);
        Assert.DoesNotContain("hunter2", body);
        Assert.DoesNotContain("db-secret", body);

        await using var development = await StartAsync(services: Failing);
        Assert.Contains("db-secret", await (await development.CreateClient().GetAsync("/health")).Content.ReadAsStringAsync());
    }
}
