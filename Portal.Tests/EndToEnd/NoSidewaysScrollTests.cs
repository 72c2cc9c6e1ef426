using System.Diagnostics;
using System.Reflection;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Portal.Domain.Access;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Templates;
using Portal.Tests.Support;
using Xunit.Abstractions;
using RouteAttribute = Microsoft.AspNetCore.Components.RouteAttribute;

namespace Portal.Tests.EndToEnd;

/// <summary>
/// Issue 20 item 12: no page scrolls sideways, at 1366 and at 390 px wide, for every route of the
/// app (read from the components' <c>@page</c> directives, so a new page is covered without
/// touching this test) and every role whose policy lets it open that route. A table that scrolls
/// inside its own container is fine: only the document's own width is checked
/// (<c>scrollWidth &lt;= innerWidth</c>). Each role signs in once; pages are reached by Blazor's
/// client-side navigation in circuits of at most <see cref="RunLength"/> pages of one role and width,
/// four at a time (about 200 visits; docs/testing.md has the time measured).
/// </summary>
[Collection(BrowserCollection.Name)]
public class NoSidewaysScrollTests(BrowserFixture browser, ITestOutputHelper output) : IAsyncLifetime
{
    private readonly PortalAppFactory _app = new(demoClients: 60) { Settings = { ["Seed:DemoHistory"] = "true" } };
    private readonly Dictionary<string, string> _ids = [];

    /// <summary>Static sign-in pages: reached by a full load, anonymously.</summary>
    private static readonly string[] AnonymousPages = ["/Account/Login", "/Account/Lockout", "/Account/AccessDenied", "/not-found"];

    public async Task InitializeAsync()
    {
        await _app.StartAsync(kestrel: true);
        // Values for the routes with an id: demo rows, and a template whose preview lists many characters
        // that force UCS-2 (the list that made the template page 1,385 px wide on a 1,366 px window).
        await using var db = await _app.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var (template, _) = await _app.Services.GetRequiredService<TemplateStore>().SaveAsync(null, "Cyrillic offer",
            "Здравствуйте, {{ client.first_name }}! Щедрые скидки: ёлочные игрушки, шоколад, чай, жвачка, цветы и юбилейные подарки — только сегодня. ЭЮЯ ЫЪЬ",
            null, PortalAppFactory.AdminEmail, default);
        _ids["templates"] = template.ToString();
        if (await db.Clients.OrderBy(c => c.Id).Select(c => (long?)c.Id).FirstOrDefaultAsync() is { } client) _ids["clients"] = client.ToString();
        if (await db.Campaigns.OrderBy(c => c.Id).Select(c => (int?)c.Id).FirstOrDefaultAsync() is { } campaign) _ids["campaigns"] = _ids["analytics/campaigns"] = campaign.ToString();
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    /// <summary>Every routed component: its route (ids filled where a row exists) and the policy it requires (null: any signed-in user).</summary>
    private List<(string Path, string? Policy)> Routes(List<string> skipped)
    {
        var routes = new List<(string, string?)>();
        foreach (var type in typeof(Program).Assembly.GetTypes())
        {
            var authorize = type.GetCustomAttributes<AuthorizeAttribute>().FirstOrDefault();
            foreach (var route in type.GetCustomAttributes<RouteAttribute>())
            {
                var template = route.Template;
                if (template.StartsWith("/Account/", StringComparison.OrdinalIgnoreCase) || template is "/Error" or "/not-found") continue;
                if (authorize is null) continue;
                var path = template;
                var brace = template.IndexOf('{');
                if (brace >= 0)
                {
                    var prefix = template[1..(brace - 1)];
                    if (!_ids.TryGetValue(prefix, out var id))
                    {
                        skipped.Add(template);
                        continue;
                    }
                    path = template[..brace] + id + template[(template.IndexOf('}') + 1)..];
                }
                routes.Add((path, authorize.Policy));
            }
        }
        return routes.OrderBy(r => r.Item1, StringComparer.Ordinal).ToList();
    }

    private async Task<IReadOnlyList<string>> RolesOfAsync(string? policy)
    {
        if (policy is null) return Roles.All;
        var found = await _app.Services.GetRequiredService<IAuthorizationPolicyProvider>().GetPolicyAsync(policy);
        var allowed = found!.Requirements.OfType<RolesAuthorizationRequirement>().SelectMany(r => r.AllowedRoles).ToHashSet();
        return Roles.All.Where(allowed.Contains).ToList();
    }

    [Fact]
    public async Task EveryPage_ForEveryRoleThatOpensIt_FitsTheWindow_At1366And390()
    {
        var clock = Stopwatch.StartNew();
        var skipped = new List<string>();
        var routes = Routes(skipped);
        var byRole = new Dictionary<string, List<string>>();
        foreach (var (path, policy) in routes)
        {
            foreach (var role in await RolesOfAsync(policy))
            {
                (byRole.TryGetValue(role, out var list) ? list : byRole[role] = []).Add(path);
            }
        }
        Assert.True(byRole[Roles.Administrator].Count >= 30, $"only {byRole[Roles.Administrator].Count} routes found");
        Assert.Contains($"/templates/{_ids["templates"]}", byRole[Roles.Administrator]);

        var accounts = new Dictionary<string, (string Email, string Password)> { [Roles.Administrator] = (PortalAppFactory.AdminEmail, PortalAppFactory.AdminPassword) };
        foreach (var role in byRole.Keys.Where(r => r != Roles.Administrator))
        {
            accounts[role] = await _app.CreateUserAsync(role);
        }

        // One sign-in per role (its cookies reused by every context of that role), then every
        // (role, width) list cut into runs of at most RunLength pages, longest first, four at a time:
        // each run its own browser context and circuit (most of a visit is waiting), no run waiting
        // for a slower one of its group to finish.
        // Signed in one after the other: seven at once (password hashing, seven circuits starting)
        // overran the 30 s navigation timeout at load 40-80.
        var signedIn = new Dictionary<string, string>();
        foreach (var role in byRole.Keys)
        {
            signedIn[role] = await SignedInStateAsync(accounts[role]);
        }
        var runs = new[] { 1366, 390 }
            .SelectMany(width => byRole.SelectMany(r => r.Value.Chunk(RunLength).Select(paths => (Width: width, Role: r.Key, Paths: paths.ToList()))))
            .OrderByDescending(r => r.Paths.Count)
            .ToList();
        using var slots = new SemaphoreSlim(4);
        var results = await Task.WhenAll(runs.Select(async run =>
        {
            await slots.WaitAsync();
            try
            {
                var (runWide, runVisits) = await VisitAsync(run.Width, signedIn[run.Role], run.Paths);
                return (Wide: runWide.Select(w => $"{w} ({run.Role})").ToList(), Visits: runVisits);
            }
            finally
            {
                slots.Release();
            }
        }));
        var wide = results.SelectMany(r => r.Wide).ToList();
        var visits = results.Sum(r => r.Visits);
        foreach (var width in new[] { 1366, 390 })
        {
            wide.AddRange((await VisitAnonymousAsync(width)).Select(w => w + " (signed out)"));
            visits += AnonymousPages.Length;
        }

        output.WriteLine($"{visits} visits in {runs.Count} runs in {clock.Elapsed.TotalSeconds:N1} s; routes without a row to open: {string.Join(", ", skipped)}");
        Assert.True(wide.Count == 0, "Pages wider than the window:\n" + string.Join("\n", wide));
    }

    /// <summary>Pages per browser context: short enough that the Administrator's list does not set the test's length.</summary>
    private const int RunLength = 12;

    /// <summary>Signs <paramref name="account"/> in once (password and, for MFA roles, one code) and returns the context's cookies.</summary>
    private async Task<string> SignedInStateAsync((string Email, string Password) account)
    {
        await using var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions { Locale = "en-US" });
        var page = await context.NewPageAsync();
        await page.GotoAsync(_app.RootUrl + "/Account/Login");
        await page.SignInAsync(account.Email, account.Password);
        return await context.StorageStateAsync();
    }

    private async Task<(List<string> Wide, int Visits)> VisitAsync(int width, string signedIn, List<string> paths)
    {
        await using var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = width, Height = 844 },
            Locale = "en-US",
            StorageState = signedIn,
        });
        var page = await context.NewPageAsync();
        // A full load of the home page starts this context's circuit at this width, already signed in.
        await page.GotoAsync(_app.RootUrl + "/");
        await page.WaitForSelectorAsync("#portal-interactive", new PageWaitForSelectorOptions { State = WaitForSelectorState.Attached });
        var wide = new List<string>();
        foreach (var path in paths)
        {
            if (path.StartsWith("/Account/", StringComparison.Ordinal))
            {
                await page.GotoAsync(_app.RootUrl + path);
            }
            else
            {
                await page.EvaluateAsync("p => Blazor.navigateTo(p)", path.TrimStart('/'));
                await page.WaitForFunctionAsync("p => location.pathname === p", path);
            }
            if (await WidestAsync(page) is { } too)
            {
                wide.Add($"{path} at {width}: {too}");
                await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotFolder, $"wide-{width}-{path.Trim('/').Replace('/', '-')}.png"), FullPage = true });
            }
        }
        return (wide, paths.Count);
    }

    private async Task<List<string>> VisitAnonymousAsync(int width)
    {
        await using var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = width, Height = 844 },
            Locale = "en-US",
        });
        var page = await context.NewPageAsync();
        var wide = new List<string>();
        foreach (var path in AnonymousPages)
        {
            await page.GotoAsync(_app.RootUrl + path);
            if (await WidestAsync(page) is { } too) wide.Add($"{path} at {width}: {too}");
        }
        return wide;
    }

    /// <summary>
    /// Null when the document fits; else its width and the widest element sticking out. Read twice
    /// over ~200 ms: a page's data (and the widths it brings) arrives after the first render.
    /// </summary>
    private static async Task<string?> WidestAsync(IPage page)
    {
        string? result = null;
        foreach (var wait in new[] { 60, 120 })
        {
            await page.WaitForTimeoutAsync(wait);
            result = await page.EvaluateAsync<string?>("""
                () => {
                    const doc = document.documentElement;
                    if (doc.scrollWidth <= window.innerWidth) return null;
                    let worst = null;
                    for (const el of document.body.querySelectorAll('*')) {
                        const r = el.getBoundingClientRect();
                        if (r.right > window.innerWidth + 0.5 && (!worst || r.right > worst.r)) worst = { r: r.right, el };
                    }
                    const name = worst ? worst.el.tagName.toLowerCase() + (worst.el.id ? '#' + worst.el.id : '') + (worst.el.className && worst.el.className.baseVal === undefined ? '.' + String(worst.el.className).trim().split(/\s+/).slice(0, 3).join('.') : '') + (worst.el.dataset.testid ? '[' + worst.el.dataset.testid + ']' : '') : '?';
                    return doc.scrollWidth + ' px > ' + window.innerWidth + ' px; widest: ' + name + ' (right edge ' + Math.round(worst ? worst.r : 0) + ' px)';
                }
                """);
            if (result is not null) return result;
        }
        return result;
    }
}
