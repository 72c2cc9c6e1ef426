using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MudBlazor;
using MudBlazor.Services;
using Portal.Components.Pages.Providers;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Providers;
using Portal.Tests.Infrastructure.Providers;
using Portal.Tests.Infrastructure.Sending;
using Portal.Tests.Support;

namespace Portal.Tests.Components;

/// <summary>
/// The providers page's actions (issue 21): the editor's checks and saving, circuit states, the
/// switch, and the price list upload with its refusals, each shown where the administrator looks.
/// </summary>
public sealed class ProvidersActionsTests
{
    private sealed record Page(
        BunitContext Ctx, IRenderedComponent<MudDialogProvider> Dialogs, IRenderedComponent<MudPopoverProvider> Popovers,
        ISnackbar Snackbar, ConcurrentQueue<string> Logs);

    private static Page Context(ProviderHarness h, ProviderHealthBoard? health = null, RouteLookup? lookup = null)
    {
        var logs = new ConcurrentQueue<string>();
        var ctx = new BunitContext();
        ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        ctx.Services.AddMudServices(o => o.PopoverOptions.CheckForPopoverProvider = false);
        ctx.Services.AddLocalization();
        ctx.Services.AddLogging(b => b.AddProvider(new CapturingLoggerProvider(logs)));
        ctx.Services.AddSingleton(h.Store);
        ctx.Services.AddSingleton(h.Import);
        ctx.Services.AddSingleton(health ?? h.Health);
        if (lookup is not null) ctx.Services.AddSingleton(lookup);
        ctx.AddAuthorization().SetAuthorized(PortalAppFactory.AdminEmail);
        var popovers = ctx.Render<MudPopoverProvider>();
        var dialogs = ctx.Render<MudDialogProvider>();
        return new Page(ctx, dialogs, popovers, ctx.Services.GetRequiredService<ISnackbar>(), logs);
    }

    private static AngleSharp.Dom.IElement Input<T>(IRenderedComponent<T> root, string testId) where T : Microsoft.AspNetCore.Components.IComponent =>
        root.FindAll($"input[data-testid={testId}]").FirstOrDefault() ?? root.Find($"[data-testid={testId}] input");

    private static async Task DropAuditAsync(ProviderHarness h)
    {
        await using var db = h.Database.CreateContext();
        await db.Database.ExecuteSqlRawAsync("DROP TABLE \"AuditEntries\"");
    }

    private static void AssertReferenceLogged(string shown, ConcurrentQueue<string> logs)
    {
        Assert.DoesNotContain("no such table", shown, StringComparison.OrdinalIgnoreCase);
        var reference = Regex.Match(shown, "administrator: ([0-9a-f]{12})").Groups[1].Value;
        Assert.NotEmpty(reference);
        Assert.Contains(logs, line => line.Contains(reference, StringComparison.Ordinal) && line.Contains("no such table", StringComparison.OrdinalIgnoreCase));
    }

    private static async Task OpenAsync<TItem>(IRenderedComponent<Microsoft.AspNetCore.Components.IComponent> root)
    {
        foreach (var select in root.FindComponents<MudSelect<TItem>>())
        {
            await root.InvokeAsync(() => select.Instance.OpenMenu());
        }
    }

    [Fact]
    public async Task NewProvider_ListsEveryProblem_ThenSavesWithItsOperators_AndTheListShowsIt()
    {
        await using var h = await ProviderHarness.CreateAsync(DatabaseProvider.Sqlite);
        var p = Context(h);
        await using var _ = p.Ctx;
        var page = p.Ctx.Render<Providers>();
        page.WaitForAssertion(() => Assert.Contains("No providers yet.", page.Markup));

        await page.InvokeAsync(() => page.Find("[data-testid=create-provider]").Click());
        p.Dialogs.WaitForElement("[data-testid=provider-save]", TimeSpan.FromSeconds(10));
        // Every choice of the SMPP settings is offered (the lists open in the popover layer).
        var form = p.Dialogs.FindComponent<ProviderEditorDialog>();
        await OpenAsync<Portal.Infrastructure.Smpp.Pdus.BindMode>(form);
        await OpenAsync<Portal.Infrastructure.Smpp.Text.LongMessageMethod>(form);
        await OpenAsync<ReceiptPolicy>(form);
        await OpenAsync<Portal.Infrastructure.Smpp.Receipts.MessageIdRadix>(form);
        await OpenAsync<string>(form);
        foreach (var choice in new[] { "Transmitter", "SAR parameters", "Message payload", "Last part's receipt decides", "Delivered when all parts are", "Decimal", "MegaFon" })
        {
            Assert.Contains(choice, p.Popovers.Markup);
        }
        Assert.Contains("Stored encrypted and never shown again.", p.Dialogs.Markup);

        await p.Dialogs.InvokeAsync(() => p.Dialogs.Find("[data-testid=provider-save]").Click());
        var problems = p.Dialogs.WaitForElement("[data-testid=provider-errors]").TextContent;
        Assert.Contains("A provider name is 1 to 100 characters.", problems);
        Assert.Contains("The host is a name or an IP address without spaces.", problems);
        Assert.Contains("Enter the password.", problems);

        var editor = p.Dialogs.FindComponent<ProviderEditorDialog>();
        await p.Dialogs.InvokeAsync(() => editor.FindComponents<MudSelect<string>>().Single(s => s.Instance.MultiSelection).Instance.SelectedValuesChanged.InvokeAsync(["MTS", "T2"]));
        await p.Dialogs.InvokeAsync(() => Input(p.Dialogs, "provider-name").Change("Gamma"));
        await p.Dialogs.InvokeAsync(() => Input(p.Dialogs, "provider-host").Change("127.0.0.1"));
        await p.Dialogs.InvokeAsync(() => Input(p.Dialogs, "provider-system-id").Change("gamma"));
        await p.Dialogs.InvokeAsync(() => Input(p.Dialogs, "provider-password").Change("Pw-G"));
        await p.Dialogs.InvokeAsync(() => p.Dialogs.Find("[data-testid=provider-save]").Click());

        page.WaitForAssertion(() => Assert.Contains("Gamma", page.Markup), TimeSpan.FromSeconds(10));
        Assert.Contains(p.Snackbar.ShownSnackbars, s => s.Message == "Provider saved.");
        Assert.Contains("MTS, T2", page.Markup);
        Assert.Empty(p.Dialogs.FindAll("[data-testid=provider-save]"));
        var row = Assert.Single(await h.Store.ListAsync(default));
        Assert.Equal(["MTS", "T2"], row.Operators.Order());
        Assert.DoesNotContain("Pw-G", page.Markup);
    }

    [Fact]
    public async Task EditProvider_CancelKeepsIt_ADuplicateNameIsRefusedInTheDialog_AFailingDatabaseGivesAReference()
    {
        await using var h = await ProviderHarness.CreateAsync(DatabaseProvider.Sqlite);
        var alpha = await h.Store.CreateAsync(ProviderHarness.Admin, ProviderHarness.Smpp("Alpha", 2775, "alpha", "Pw-Alpha", 0.20m), default);
        await h.Store.CreateAsync(ProviderHarness.Admin, ProviderHarness.Smpp("Beta", 2776, "beta", "Pw-Beta", 0.30m), default);
        var p = Context(h);
        await using var _ = p.Ctx;
        var page = p.Ctx.Render<Providers>();
        page.WaitForAssertion(() => page.Find($"[data-testid=edit-{alpha}]"));

        await page.InvokeAsync(() => page.Find($"[data-testid=edit-{alpha}]").Click());
        p.Dialogs.WaitForAssertion(() => Assert.Equal("Alpha", Input(p.Dialogs, "provider-name").GetAttribute("value")), TimeSpan.FromSeconds(10));
        Assert.Contains("Leave empty to keep the stored one", p.Dialogs.Markup);
        Assert.True(p.Dialogs.FindComponent<MudSelect<Portal.Domain.Providers.ProviderKind>>().Instance.Disabled);
        await p.Dialogs.InvokeAsync(() => Input(p.Dialogs, "provider-name").Change("Not saved"));
        await p.Dialogs.InvokeAsync(() => p.Dialogs.FindAll("button").First(b => b.TextContent.Trim() == "Cancel").Click());
        p.Dialogs.WaitForAssertion(() => Assert.Empty(p.Dialogs.FindAll("[data-testid=provider-save]")));
        Assert.DoesNotContain(p.Snackbar.ShownSnackbars, s => s.Message == "Provider saved.");
        Assert.Equal("Alpha", (await h.Store.GetAsync(alpha, default)).Name);

        await page.InvokeAsync(() => page.Find($"[data-testid=edit-{alpha}]").Click());
        p.Dialogs.WaitForElement("[data-testid=provider-save]", TimeSpan.FromSeconds(10));
        await p.Dialogs.InvokeAsync(() => Input(p.Dialogs, "provider-name").Change("Beta"));
        await p.Dialogs.InvokeAsync(() => p.Dialogs.Find("[data-testid=provider-save]").Click());
        p.Dialogs.WaitForAssertion(() => Assert.Contains("Another provider already has this name.", p.Dialogs.Find("[data-testid=provider-errors]").TextContent));

        await p.Dialogs.InvokeAsync(() => Input(p.Dialogs, "provider-name").Change("Alpha 2"));
        await DropAuditAsync(h);
        await p.Dialogs.InvokeAsync(() => p.Dialogs.Find("[data-testid=provider-save]").Click());
        p.Dialogs.WaitForAssertion(() => Assert.Contains("Something went wrong", p.Dialogs.Find("[data-testid=provider-errors]").TextContent));
        AssertReferenceLogged(p.Dialogs.Find("[data-testid=provider-errors]").TextContent, p.Logs);
        Assert.NotEmpty(p.Dialogs.FindAll("[data-testid=provider-save]"));
    }

    [Fact]
    public async Task Editor_ForAProviderThatIsGone_SaysSo_AndCannotSave_AnUnreadableOneGivesAReference()
    {
        await using var h = await ProviderHarness.CreateAsync(DatabaseProvider.Sqlite);
        var p = Context(h);
        await using var _ = p.Ctx;
        var dialogs = p.Ctx.Services.GetRequiredService<IDialogService>();

        await p.Dialogs.InvokeAsync(() => dialogs.ShowAsync<ProviderEditorDialog>("Edit", new DialogParameters<ProviderEditorDialog> { { d => d.ProviderId, 4242 } }));
        p.Dialogs.WaitForAssertion(() => Assert.Contains("This provider no longer exists.", p.Dialogs.Find("[data-testid=provider-errors]").TextContent), TimeSpan.FromSeconds(10));
        Assert.Empty(p.Dialogs.FindComponents<MudProgressLinear>()); // not loading for ever
        Assert.True(p.Dialogs.Find("[data-testid=provider-save]").HasAttribute("disabled"));
        Assert.Empty(p.Dialogs.FindAll("[data-testid=provider-name]"));
        await p.Dialogs.InvokeAsync(() => p.Dialogs.FindAll("button").First(b => b.TextContent.Trim() == "Cancel").Click());
        p.Dialogs.WaitForAssertion(() => Assert.Empty(p.Dialogs.FindAll("[data-testid=provider-save]")));

        await using (var db = h.Database.CreateContext())
        {
            await db.Database.ExecuteSqlRawAsync("PRAGMA foreign_keys = OFF; DROP TABLE \"Providers\";");
        }
        await p.Dialogs.InvokeAsync(() => dialogs.ShowAsync<ProviderEditorDialog>("Edit", new DialogParameters<ProviderEditorDialog> { { d => d.ProviderId, 1 } }));
        p.Dialogs.WaitForAssertion(() => Assert.Contains("Something went wrong", p.Dialogs.Find("[data-testid=provider-errors]").TextContent), TimeSpan.FromSeconds(10));
        AssertReferenceLogged(p.Dialogs.Find("[data-testid=provider-errors]").TextContent, p.Logs);
    }

    [Fact]
    public async Task Status_ShowsAnOpenCircuitWithItsEnd_AProbingOne_AndADisabledProvider()
    {
        await using var h = await ProviderHarness.CreateAsync(DatabaseProvider.Sqlite);
        var open = await h.Store.CreateAsync(ProviderHarness.Admin, ProviderHarness.Smpp("Open", 2775, "open", "Pw-O", 0.20m), default);
        var probing = await h.Store.CreateAsync(ProviderHarness.Admin, ProviderHarness.Smpp("Probing", 2776, "probing", "Pw-P", 0.20m), default);
        var off = await h.Store.CreateAsync(ProviderHarness.Admin, ProviderHarness.Smpp("Off", 2777, "off", "Pw-F", 0.20m), default);
        await h.Store.SetEnabledAsync(ProviderHarness.Admin, off, false, default);
        var http = await h.Store.CreateAsync(ProviderHarness.Admin, new ProviderDraft
        {
            Name = "Gateway", Kind = Portal.Domain.Providers.ProviderKind.Http,
            Http = HttpProviderDraft.From(HttpProviderSettings.Kannel("http://127.0.0.1:13013", "portal")),
            Password = "Gateway-Pw-1", CallbackSecret = "gateway-callback-secret-1", MaxPartsPerSecond = 50,
        }, default);
        var clock = new ManualClock(new DateTimeOffset(2026, 12, 5, 10, 0, 0, TimeSpan.Zero));
        var health = new ProviderHealthBoard(clock) { CoolDown = TimeSpan.FromMinutes(2) };
        health.For(probing).Open();
        clock.Now = clock.Now.AddMinutes(3); // the first one's cool-down is over: it gets a probe
        health.For(open).Open();
        var p = Context(h, health);
        await using var _ = p.Ctx;

        var page = p.Ctx.Render<Providers>();

        page.WaitForAssertion(() => Assert.Equal("Circuit open until 10:05:00", page.Find($"[data-testid=status-{open}]").TextContent.Trim()));
        Assert.Equal("Probing", page.Find($"[data-testid=status-{probing}]").TextContent.Trim());
        Assert.Equal("Disabled", page.Find($"[data-testid=status-{off}]").TextContent.Trim());
        // The router sends through HTTP providers like SMPP ones, so their circuit is shown the same way
        // (it used to read "Stored, adapter not available yet" from before the HTTP adapter existed).
        Assert.Equal("Healthy", page.Find($"[data-testid=status-{http}]").TextContent.Trim());
        health.For(http).Open();
        await page.InvokeAsync(() => page.Render());
        page.WaitForAssertion(() => Assert.StartsWith("Circuit open until", page.Find($"[data-testid=status-{http}]").TextContent.Trim()));
    }

    [Fact]
    public async Task Switch_OnAProviderDeletedMeanwhile_SaysItNoLongerExists()
    {
        await using var h = await ProviderHarness.CreateAsync(DatabaseProvider.Sqlite);
        var id = await h.Store.CreateAsync(ProviderHarness.Admin, ProviderHarness.Smpp("Gone", 2775, "gone", "Pw-G", 0.20m), default);
        var p = Context(h);
        await using var _ = p.Ctx;
        var page = p.Ctx.Render<Providers>();
        page.WaitForAssertion(() => page.Find($"[data-testid=enable-{id}]"));
        await using (var db = h.Database.CreateContext())
        {
            await db.Providers.Where(x => x.Id == id).ExecuteDeleteAsync();
        }

        await page.InvokeAsync(() => Input(page, $"enable-{id}").Change(false));

        page.WaitForAssertion(() => Assert.Contains(p.Snackbar.ShownSnackbars, s => s.Message == "This provider no longer exists."));
        page.WaitForAssertion(() => Assert.Contains("No providers yet.", page.Markup));
    }

    [Fact]
    public async Task PriceUpload_ImportsAGoodFile_ListsABadFilesLines_RefusesAHugeOne_AndReportsFailures()
    {
        await using var h = await ProviderHarness.CreateAsync(DatabaseProvider.Sqlite);
        var id = await h.Store.CreateAsync(ProviderHarness.Admin, ProviderHarness.Smpp("Alpha", 2775, "alpha", "Pw-Alpha", 0.20m), default);
        var p = Context(h);
        await using var _ = p.Ctx;
        var page = p.Ctx.Render<Providers>();
        page.WaitForAssertion(() => Assert.Contains("Alpha", page.Markup));

        // A click on the row opens its price list: empty, every number at the default price.
        await page.InvokeAsync(() => page.FindAll("[data-testid=providers-table] tbody tr").Single(r => r.TextContent.Contains("Alpha")).Click());
        page.WaitForAssertion(() => Assert.Contains("No prices: every number costs the default price.", page.Find("[data-testid=price-list]").TextContent));

        var upload = page.FindComponent<Microsoft.AspNetCore.Components.Forms.InputFile>();
        await page.InvokeAsync(() => upload.UploadFiles(InputFileContent.CreateFromText("destination,price,currency\n7916,0.29,RUB\nMTS,0.31,RUB\n", "prices.csv")));
        page.WaitForAssertion(() => Assert.Contains(p.Snackbar.ShownSnackbars, s => s.Message == "2 prices imported."));
        page.WaitForAssertion(() => Assert.Contains("+7916", page.Find("[data-testid=prices-table]").TextContent));
        Assert.Contains("0.31 RUB", page.Find("[data-testid=prices-table]").TextContent);

        // One bad line refuses the file; the first 50 lines are listed and the rest counted.
        var bad = "destination,price,currency\n" + string.Concat(Enumerable.Range(0, 60).Select(i => $"79{i:00},abc,RUB\n"));
        await page.InvokeAsync(() => upload.UploadFiles(InputFileContent.CreateFromText(bad, "bad.csv")));
        var errors = page.WaitForElement("[data-testid=price-errors]").TextContent;
        Assert.Contains("Nothing was imported", errors);
        Assert.Equal(50, page.FindAll("[data-testid=price-errors] li").Count);
        Assert.Contains("…and 10 more.", errors);
        Assert.Equal(2, (await h.Store.PricesAsync(id, default)).Count);

        // Over 10 MB the file is not read at all.
        await page.InvokeAsync(() => upload.UploadFiles(InputFileContent.CreateFromBinary(new byte[10 * 1024 * 1024 + 1], "huge.csv")));
        page.WaitForAssertion(() => Assert.Contains("The file is larger than 10 MB.", page.Find("[data-testid=price-errors]").TextContent));

        // The audit entry fails after the prices are written: a reference, never the raw error.
        await DropAuditAsync(h);
        await page.InvokeAsync(() => upload.UploadFiles(InputFileContent.CreateFromText("destination,price,currency\n7926,0.40,RUB\n", "more.csv")));
        page.WaitForAssertion(() => Assert.Contains(p.Snackbar.ShownSnackbars, s => (s.Message ?? "").StartsWith("Something went wrong", StringComparison.Ordinal)));
        Assert.Empty(page.FindAll("[data-testid=price-errors]"));
        AssertReferenceLogged(p.Snackbar.ShownSnackbars.First(s => (s.Message ?? "").StartsWith("Something went wrong", StringComparison.Ordinal)).Message ?? "", p.Logs);

        // The provider is deleted meanwhile: the import says so.
        await using (var db = h.Database.CreateContext())
        {
            await db.PriceListEntries.ExecuteDeleteAsync();
            await db.Providers.Where(x => x.Id == id).ExecuteDeleteAsync();
        }
        await page.InvokeAsync(() => upload.UploadFiles(InputFileContent.CreateFromText("destination,price,currency\n7936,0.50,RUB\n", "late.csv")));
        page.WaitForAssertion(() => Assert.Contains(p.Snackbar.ShownSnackbars, s => s.Message == "This provider no longer exists."));
    }

    [Fact]
    public async Task RouteTool_ExplainsEveryVerdict_EnterLooksUp_ANamedProviderSkipsTheOthers_AndAnEmptyNumberIsRefused()
    {
        await using var h = await ProviderHarness.CreateAsync(DatabaseProvider.Sqlite);
        var alpha = await h.Store.CreateAsync(ProviderHarness.Admin, ProviderHarness.Smpp("Alpha", 2775, "alpha", "Pw-A", 0.40m), default);
        var probing = await h.Store.CreateAsync(ProviderHarness.Admin, ProviderHarness.Smpp("Recovering", 2776, "probing", "Pw-P", 0.50m), default);
        var open = await h.Store.CreateAsync(ProviderHarness.Admin, ProviderHarness.Smpp("Broken", 2777, "open", "Pw-O", 0.10m), default);
        var off = await h.Store.CreateAsync(ProviderHarness.Admin, ProviderHarness.Smpp("Switched off", 2778, "off", "Pw-F", 0.05m), default);
        await h.Store.SetEnabledAsync(ProviderHarness.Admin, off, false, default);
        await h.Import.ImportAsync(ProviderHarness.Admin, alpha, new StringReader("destination,price,currency\nMTS,0.25,RUB\n"), PriceImportMode.Replace, default);
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var health = new ProviderHealthBoard(clock) { CoolDown = TimeSpan.FromMinutes(2) };
        health.For(probing).Open();
        clock.Now = clock.Now.AddMinutes(3);
        health.For(open).Open();
        var openUntil = clock.Now.AddMinutes(2).ToString("HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);
        var p = Context(h, health, new RouteLookup(h.NodeRouter(health), h.Audit));
        await using var _ = p.Ctx;
        var page = p.Ctx.Render<RouteTool>();
        var go = () => page.Find("[data-testid=route-go]").Click();

        await page.InvokeAsync(go);
        page.WaitForAssertion(() => Assert.Equal("Type a phone number.", page.Find("[data-testid=route-error]").TextContent.Trim()));

        await page.InvokeAsync(() => Input(page, "route-phone").Input("+7 916 123-45-67"));
        await page.InvokeAsync(() => Input(page, "route-phone").KeyDown(new Microsoft.AspNetCore.Components.Web.KeyboardEventArgs { Key = "Tab" }));
        Assert.Empty(page.FindAll("[data-testid=route-result]"));
        await page.InvokeAsync(() => Input(page, "route-phone").KeyDown(new Microsoft.AspNetCore.Components.Web.KeyboardEventArgs { Key = "Enter" }));
        page.WaitForAssertion(() => Assert.Contains("Alpha", page.Find("[data-testid=route-best]").TextContent));
        Assert.Empty(page.FindAll("[data-testid=route-error]"));
        string Why(string provider) => page.FindAll("[data-testid=route-options] tbody tr").Single(r => r.TextContent.Contains(provider)).TextContent;
        Assert.Contains("price for MTS: 0.25 RUB/part", Why("Alpha"));
        Assert.Contains("recovering, gets one probe: default price 0.50 RUB/part", Why("Recovering"));
        Assert.Contains($"skipped: circuit open until {openUntil} UTC", Why("Broken"));
        Assert.Contains("skipped: disabled", Why("Switched off"));

        // Named: the others are skipped; a disabled one named leaves nothing to send through.
        var named = page.FindComponent<MudSelect<int?>>();
        await page.InvokeAsync(() => named.Instance.OpenMenu());
        p.Popovers.WaitForAssertion(() => Assert.Contains("Switched off", p.Popovers.Markup));
        await page.InvokeAsync(() => named.Instance.ValueChanged.InvokeAsync(off));
        await page.InvokeAsync(go);
        page.WaitForAssertion(() => Assert.Contains("No provider can take this number now", page.Find("[data-testid=route-none]").TextContent));
        Assert.Contains("skipped: another provider was chosen", Why("Alpha"));
        Assert.Empty(page.FindAll("[data-testid=route-best]"));
    }
}
