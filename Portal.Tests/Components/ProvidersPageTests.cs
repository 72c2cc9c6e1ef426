using Microsoft.Extensions.Logging;
using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Services;
using Portal.Components.Pages.Providers;
using Portal.Domain.Audit;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Providers;
using Portal.Tests.Infrastructure.Providers;
using Portal.Tests.Support;

namespace Portal.Tests.Components;

public class ProvidersPageTests
{
    private static async Task<(ProviderHarness Harness, int Alpha, int Beta)> SeedAsync()
    {
        var h = await ProviderHarness.CreateAsync(DatabaseProvider.Sqlite);
        var alpha = await h.Store.CreateAsync(ProviderHarness.Admin, ProviderHarness.Smpp("Alpha", 2775, "alpha", "Pw-Alpha", 0.20m), default);
        var betaDraft = ProviderHarness.Smpp("Beta", 2776, "beta", "Pw-Beta", 0.30m);
        betaDraft.Operators = ["Beeline"];
        var beta = await h.Store.CreateAsync(ProviderHarness.Admin, betaDraft, default);
        await h.Import.ImportAsync(ProviderHarness.Admin, alpha, new StringReader("destination,price,currency\n7916,0.29,RUB\n"), PriceImportMode.Replace, default);
        return (h, alpha, beta);
    }

    private static BunitContext Context(ProviderHarness h)
    {
        var ctx = new BunitContext();
        ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        ctx.Services.AddMudServices(o => o.PopoverOptions.CheckForPopoverProvider = false);
        ctx.Services.AddLocalization();
        ctx.Services.AddSingleton(h.Store);
        ctx.Services.AddSingleton(h.Import);
        ctx.Services.AddSingleton(h.Health);
        ctx.Services.AddSingleton(new RouteLookup(h.Router(), h.Audit));
        ctx.AddAuthorization().SetAuthorized(PortalAppFactory.AdminEmail);
        return ctx;
    }

    private static AngleSharp.Dom.IElement Input(IRenderedComponent<RouteTool> page, string testId) =>
        page.FindAll($"input[data-testid={testId}]").FirstOrDefault() ?? page.Find($"[data-testid={testId}] input");

    [Fact]
    public async Task RouteTool_ShowsOperatorOrderedCandidatesAndReasons_AndAuditsMasked()
    {
        var (h, alpha, beta) = await SeedAsync();
        await using var _ = h;
        await using var ctx = Context(h);
        var page = ctx.Render<RouteTool>();

        await page.InvokeAsync(() => Input(page, "route-phone").Input("+7 916 123-45-67"));
        await page.InvokeAsync(() => page.Find("[data-testid=route-go]").Click());

        page.WaitForAssertion(() => Assert.Equal("MTS", page.Find("[data-testid=route-operator]").TextContent));
        Assert.Contains("Alpha", page.Find("[data-testid=route-best]").TextContent);
        Assert.Contains("0.29 RUB", page.Find("[data-testid=route-best]").TextContent);
        var rows = page.FindAll("[data-testid=route-options] tbody tr");
        Assert.Equal(2, rows.Count);
        Assert.Contains("price for prefix +7916: 0.29 RUB/part", rows[0].TextContent);
        Assert.Contains("skipped: does not serve MTS", rows[1].TextContent);

        await using var db = h.Database.CreateContext();
        var audit = await db.AuditEntries.Where(a => a.Action == AuditActions.RouteLookup).SingleAsync();
        Assert.Contains("+7916*****67", audit.Details);
        Assert.DoesNotContain("+79161234567", audit.Details);
        Assert.Equal(PortalAppFactory.AdminEmail, audit.UserName);
        Assert.NotEqual(alpha, beta);
    }

    [Fact]
    public async Task RouteTool_NotAPhone_ClearError_NoAudit()
    {
        var (h, _, _) = await SeedAsync();
        await using var __ = h;
        await using var ctx = Context(h);
        var page = ctx.Render<RouteTool>();

        await page.InvokeAsync(() => Input(page, "route-phone").Input("12ab"));
        await page.InvokeAsync(() => page.Find("[data-testid=route-go]").Click());

        page.WaitForAssertion(() => Assert.NotEmpty(page.Find("[data-testid=route-error]").TextContent));
        Assert.Empty(page.FindAll("[data-testid=route-result]"));
        await using var db = h.Database.CreateContext();
        Assert.False(await db.AuditEntries.AnyAsync(a => a.Action == AuditActions.RouteLookup));
    }

    [Fact]
    public async Task ProvidersPage_ListsProvidersWithStatusAndPrices_NeverThePassword()
    {
        var (h, alpha, _) = await SeedAsync();
        await using var _ = h;
        await using var ctx = Context(h);
        var page = ctx.Render<Providers>();

        page.WaitForAssertion(() => Assert.Contains("127.0.0.1:2775", page.Markup));
        Assert.Contains("Beta", page.Markup);
        Assert.Contains("Healthy", page.Find($"[data-testid=status-{alpha}]").TextContent);
        Assert.DoesNotContain("Pw-Alpha", page.Markup);
        await page.InvokeAsync(() => page.Find($"[data-testid=prices-{alpha}]").Click());
        page.WaitForAssertion(() => Assert.Contains("+7916", page.Find("[data-testid=prices-table]").TextContent));
    }

    [Fact]
    public async Task ProvidersPage_ShowsOrphanReceiptsPerProvider()
    {
        var (h, alpha, beta) = await SeedAsync();
        await using var _ = h;
        await using (var db = h.Database.CreateContext())
        {
            var now = DateTime.UtcNow;
            db.ReceiptOrphans.AddRange(
                new Portal.Domain.Messages.ReceiptOrphan(alpha, "A1", Portal.Domain.Messages.MessageStatus.Delivered, null, now, now),
                new Portal.Domain.Messages.ReceiptOrphan(alpha, "A2", Portal.Domain.Messages.MessageStatus.Expired, "003", now, now));
            await db.SaveChangesAsync();
        }
        await using var ctx = Context(h);
        var page = ctx.Render<Providers>();

        page.WaitForAssertion(() => Assert.Contains("2 unmatched receipts", page.Find($"[data-testid=orphans-{alpha}]").TextContent));
        Assert.Empty(page.FindAll($"[data-testid=orphans-{beta}]"));
    }
}

/// <summary>Issue 14 (ASVS V16.5.1): an unexpected failure on the providers page is shown in words with a reference, and logged.</summary>
public class ProvidersPageErrorTests
{
    [Fact]
    public async Task EnableSwitch_WhenTheDatabaseFails_ShowsAGenericLocalizedErrorWithAReference_NotTheExceptionText()
    {
        var h = await ProviderHarness.CreateAsync(DatabaseProvider.Sqlite);
        await using var _ = h;
        var id = await h.Store.CreateAsync(ProviderHarness.Admin, ProviderHarness.Smpp("Alpha", 2775, "alpha", "Pw-Alpha", 0.20m), default);
        var logs = new System.Collections.Concurrent.ConcurrentQueue<string>();
        await using var ctx = new BunitContext();
        ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        ctx.Services.AddMudServices(o => o.PopoverOptions.CheckForPopoverProvider = false);
        ctx.Services.AddLocalization();
        ctx.Services.AddLogging(b => b.AddProvider(new Portal.Tests.Infrastructure.Sending.CapturingLoggerProvider(logs)));
        ctx.Services.AddSingleton(h.Store);
        ctx.Services.AddSingleton(h.Import);
        ctx.Services.AddSingleton(h.Health);
        ctx.AddAuthorization().SetAuthorized(PortalAppFactory.AdminEmail);
        var snackbars = ctx.Render<MudSnackbarProvider>();
        var page = ctx.Render<Providers>();
        page.WaitForAssertion(() => page.Find($"[data-testid=enable-{id}]"));
        // The provider's row is written, then the audit entry fails: a raw SQLite error ("no such table").
        await using (var db = h.Database.CreateContext())
        {
            await db.Database.ExecuteSqlRawAsync("DROP TABLE \"AuditEntries\"");
        }

        var toggle = page.FindAll($"input[data-testid=enable-{id}]").FirstOrDefault() ?? page.Find($"[data-testid=enable-{id}] input");
        await page.InvokeAsync(() => toggle.Change(false));

        snackbars.WaitForAssertion(() => Assert.Contains("Something went wrong", snackbars.Markup), TimeSpan.FromSeconds(10));
        Assert.DoesNotContain("no such table", snackbars.Markup, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("SQLite", snackbars.Markup, StringComparison.OrdinalIgnoreCase);
        var reference = System.Text.RegularExpressions.Regex.Match(snackbars.Markup, "administrator: ([0-9a-f]{12})").Groups[1].Value;
        Assert.NotEmpty(reference);
        Assert.Contains(logs, line => line.Contains(reference, StringComparison.Ordinal) && line.Contains("no such table", StringComparison.OrdinalIgnoreCase));
    }
}
