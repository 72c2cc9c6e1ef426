using System.Collections.Concurrent;
using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MudBlazor;
using MudBlazor.Services;
using Portal.Components.Pages.Admin;
using Portal.Domain.Integrations;
using Portal.Infrastructure.Audit;
using Portal.Infrastructure.Integrations.Sync;
using Portal.Infrastructure.Persistence;
using Portal.Tests.Infrastructure.Sending;
using Portal.Tests.Infrastructure.Sync;
using Portal.Tests.Support;

namespace Portal.Tests.Components;

/// <summary>
/// The sync sources page's actions (issue 21): create through the editor, switch on and off, run now,
/// delete with a confirmation, the run chart, and each refusal shown where the administrator looks.
/// </summary>
public sealed class SyncSourcesActionsTests
{
    /// <summary>Records what the page asked the scheduler to do.</summary>
    private sealed class RecordingSchedule : ISyncSchedule
    {
        public ConcurrentQueue<string> Calls { get; } = new();
        public Task ApplyAsync(SyncSource source, CancellationToken ct) { Calls.Enqueue($"apply {source.Id} {source.Enabled}"); return Task.CompletedTask; }
        public Task RemoveAsync(int sourceId, CancellationToken ct) { Calls.Enqueue($"remove {sourceId}"); return Task.CompletedTask; }
        public Task TriggerNowAsync(int sourceId, CancellationToken ct) { Calls.Enqueue($"trigger {sourceId}"); return Task.CompletedTask; }
        public Task<DateTimeOffset?> NextFireAsync(int sourceId, CancellationToken ct) => Task.FromResult<DateTimeOffset?>(null);
    }

    private sealed record Page(
        BunitContext Ctx, IRenderedComponent<MudDialogProvider> Dialogs, IRenderedComponent<SyncSources> Sources,
        ISnackbar Snackbar, RecordingSchedule Schedule, ConcurrentQueue<string> Logs);

    private const string Connection = "Host=127.0.0.1;Port=1;Database=crm;Username=u;Password=p";

    private static SyncSourceCatalog Catalog(SyncHarness sync, RecordingSchedule schedule) =>
        new(sync.Portal.Factory, sync.Secrets, schedule, new AuditLog(sync.Portal.Factory, TimeProvider.System));

    private static Page Render(SyncHarness sync)
    {
        var schedule = new RecordingSchedule();
        var logs = new ConcurrentQueue<string>();
        var ctx = new BunitContext();
        ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        ctx.Services.AddMudServices(o => o.PopoverOptions.CheckForPopoverProvider = false);
        ctx.Services.AddLocalization();
        ctx.Services.AddLogging(b => b.AddProvider(new CapturingLoggerProvider(logs)));
        ctx.Services.AddSingleton(Catalog(sync, schedule));
        ctx.AddAuthorization().SetAuthorized(PortalAppFactory.AdminEmail);
        var dialogs = ctx.Render<MudDialogProvider>();
        var page = ctx.Render<SyncSources>();
        return new Page(ctx, dialogs, page, ctx.Services.GetRequiredService<ISnackbar>(), schedule, logs);
    }

    private static AngleSharp.Dom.IElement Input<T>(IRenderedComponent<T> root, string testId) where T : Microsoft.AspNetCore.Components.IComponent =>
        root.FindAll($"input[data-testid={testId}], textarea[data-testid={testId}]").FirstOrDefault()
        ?? root.Find($"[data-testid={testId}] input, [data-testid={testId}] textarea");

    private static string[] MappingColumns(IRenderedComponent<SyncSourceEditorDialog> editor) =>
        editor.FindComponents<MudTextField<string>>().Where(f => f.Instance.Label == "Source column").Select(f => f.Find("input").GetAttribute("value") ?? "").ToArray();

    [Fact]
    public async Task NewSource_TargetsResetTheMapping_BadCronAndEmptyNameAreShown_ThenSavedAndListed()
    {
        await using var sync = await SyncHarness.CreateAsync(DatabaseProvider.Sqlite);
        var p = Render(sync);
        await using var _ = p.Ctx;
        p.Sources.WaitForAssertion(() => Assert.Contains("No sync sources yet.", p.Sources.Markup));

        await p.Sources.InvokeAsync(() => p.Sources.Find("[data-testid=create-sync-source]").Click());
        p.Dialogs.WaitForElement("[data-testid=sync-save]", TimeSpan.FromSeconds(10));
        var editor = p.Dialogs.FindComponent<SyncSourceEditorDialog>();
        Assert.Equal(["id", "phone"], MappingColumns(editor));
        Assert.Contains("It is stored encrypted and never shown again.", p.Dialogs.Markup);

        var target = editor.FindComponent<MudSelect<SyncTarget>>();
        await p.Dialogs.InvokeAsync(() => target.Instance.ValueChanged.InvokeAsync(SyncTarget.Employees));
        Assert.Equal(["phone", "full_name", "department"], MappingColumns(editor));
        await p.Dialogs.InvokeAsync(() => target.Instance.ValueChanged.InvokeAsync(SyncTarget.Events));
        Assert.Equal(["client_id", "type", "occurred_at"], MappingColumns(editor));
        await p.Dialogs.InvokeAsync(() => target.Instance.ValueChanged.InvokeAsync(SyncTarget.Clients));
        Assert.Equal(["id", "phone"], MappingColumns(editor));

        // An HTTP source asks for a URL and a token instead of a connection string and a query.
        var kind = editor.FindComponent<MudSelect<SyncSourceKind>>();
        await p.Dialogs.InvokeAsync(() => kind.Instance.ValueChanged.InvokeAsync(SyncSourceKind.HttpJson));
        Assert.NotEmpty(p.Dialogs.FindAll("[data-testid=sync-url]"));
        Assert.Empty(p.Dialogs.FindAll("[data-testid=sync-connection]"));
        Assert.Contains("Stored encrypted and never shown again.", p.Dialogs.Markup);
        await p.Dialogs.InvokeAsync(() => kind.Instance.ValueChanged.InvokeAsync(SyncSourceKind.Postgres));

        await p.Dialogs.InvokeAsync(() => Input(p.Dialogs, "sync-cron").Input("every day"));
        p.Dialogs.WaitForAssertion(() => Assert.Contains("Quartz cron, seconds first, UTC", p.Dialogs.Markup));
        Assert.NotEmpty(p.Dialogs.FindAll("[data-testid=sync-cron].mud-input-error, [data-testid=sync-cron] .mud-input-error, .mud-input-control.mud-input-error"));
        await p.Dialogs.InvokeAsync(() => Input(p.Dialogs, "sync-cron").Input("0 0 3 * * ?"));
        p.Dialogs.WaitForAssertion(() => Assert.Contains("Next runs:", p.Dialogs.Markup));

        await p.Dialogs.InvokeAsync(() => p.Dialogs.Find("[data-testid=sync-save]").Click());
        p.Dialogs.WaitForAssertion(() => Assert.Contains("A source's name is 1 to 100 characters.", p.Dialogs.Find("[data-testid=sync-error]").TextContent));

        await p.Dialogs.InvokeAsync(() => Input(p.Dialogs, "sync-name").Change("Loyalty CRM"));
        await p.Dialogs.InvokeAsync(() => Input(p.Dialogs, "sync-connection").Change(Connection));
        await p.Dialogs.InvokeAsync(() => Input(p.Dialogs, "sync-query").Change("SELECT id, phone, updated_at FROM clients WHERE updated_at > COALESCE(@watermark::timestamptz, '-infinity')"));
        await p.Dialogs.InvokeAsync(() => p.Dialogs.Find("[data-testid=sync-save]").Click());

        p.Sources.WaitForAssertion(() => Assert.Contains("Loyalty CRM", p.Sources.Markup), TimeSpan.FromSeconds(10));
        Assert.Contains(p.Snackbar.ShownSnackbars, s => s.Message == "Source saved.");
        Assert.Empty(p.Dialogs.FindAll("[data-testid=sync-save]"));
        await using var db = sync.Portal.CreateContext();
        var saved = await db.SyncSources.AsNoTracking().SingleAsync();
        Assert.Equal(("Loyalty CRM", "0 0 3 * * ?", SyncTarget.Clients), (saved.Name, saved.Cron, saved.Target));
        // A source that has never run says so, and its history is empty.
        Assert.Contains("Never", p.Sources.Markup);
        Assert.Contains("No runs yet.", p.Sources.Find("[data-testid=sync-runs]").TextContent);
    }

    [Fact]
    public async Task Row_SelectsItsHistory_WithAChartOnceThereAreTwoRuns_SwitchRunAndDeleteAct()
    {
        await using var sync = await SyncHarness.CreateAsync(DatabaseProvider.Sqlite);
        var first = await sync.Catalog.CreateAsync(SyncHarness.Admin, PostgresSyncTests.ClientsDraft(Connection, name: "First CRM"), default);
        var second = await sync.Catalog.CreateAsync(SyncHarness.Admin, PostgresSyncTests.ClientsDraft(Connection, name: "Second CRM"), default);
        await using (var db = sync.Portal.CreateContext())
        {
            foreach (var (read, at) in new[] { (7, DateTime.UtcNow.AddHours(-2)), (9, DateTime.UtcNow.AddHours(-1)) })
            {
                var run = new SyncRun(second, at);
                run.Finish(read, read, 0, null, at.AddSeconds(3), []);
                db.SyncRuns.Add(run);
            }
            await db.SaveChangesAsync();
        }
        var p = Render(sync);
        await using var _ = p.Ctx;
        p.Sources.WaitForAssertion(() => Assert.Contains("Run history: First CRM", p.Sources.Find("[data-testid=sync-runs]").TextContent));
        Assert.Empty(p.Sources.FindComponents<MudChart<double>>());

        // A click on a row shows that source's runs, charted oldest first.
        await p.Sources.InvokeAsync(() => p.Sources.FindAll("[data-testid=sync-sources-table] tbody tr").Single(r => r.TextContent.Contains("Second CRM")).Click());
        p.Sources.WaitForAssertion(() => Assert.Contains("Run history: Second CRM", p.Sources.Find("[data-testid=sync-runs]").TextContent));
        var chart = p.Sources.FindComponent<MudChart<double>>();
        Assert.Equal("7,9", string.Join(",", chart.Instance.ChartSeries.Single(s => s.Name == "Read").Data.Values));
        Assert.Equal(2, chart.Instance.ChartLabels.Length);

        // The switch turns the source off in the database and in the scheduler.
        await p.Sources.InvokeAsync(() => Input(p.Sources, $"enable-{first}").Change(false));
        p.Sources.WaitForAssertion(() => Assert.Contains($"apply {first} False", p.Schedule.Calls));
        await using (var db = sync.Portal.CreateContext())
        {
            Assert.False((await db.SyncSources.AsNoTracking().SingleAsync(s => s.Id == first)).Enabled);
        }

        // Run now asks the scheduler and says where to look.
        await p.Sources.InvokeAsync(() => p.Sources.Find($"[data-testid=run-{first}]").Click());
        p.Sources.WaitForAssertion(() => Assert.Contains($"trigger {first}", p.Schedule.Calls), TimeSpan.FromSeconds(10));
        p.Sources.WaitForAssertion(() => Assert.Contains(p.Snackbar.ShownSnackbars, s => s.Message == "The run has started; refresh the history to see it."));
        p.Sources.WaitForAssertion(() => Assert.Contains("Run history: First CRM", p.Sources.Find("[data-testid=sync-runs]").TextContent), TimeSpan.FromSeconds(10));

        // Delete asks first: cancelled, nothing happens; confirmed, the source and its history go.
        await p.Sources.InvokeAsync(() => p.Sources.Find($"[data-testid=delete-{first}]").Click());
        p.Dialogs.WaitForAssertion(() => Assert.Contains("The source 'First CRM' and its run history will be deleted.", p.Dialogs.Markup), TimeSpan.FromSeconds(10));
        await p.Dialogs.InvokeAsync(() => p.Dialogs.FindAll("button").Last(b => b.TextContent.Trim() == "Cancel").Click());
        p.Dialogs.WaitForAssertion(() => Assert.DoesNotContain("will be deleted", p.Dialogs.Markup));
        Assert.DoesNotContain($"remove {first}", p.Schedule.Calls);

        await p.Sources.InvokeAsync(() => p.Sources.Find($"[data-testid=delete-{first}]").Click());
        p.Dialogs.WaitForAssertion(() => Assert.Contains("will be deleted", p.Dialogs.Markup), TimeSpan.FromSeconds(10));
        await p.Dialogs.InvokeAsync(() => p.Dialogs.FindAll("button").Last(b => b.TextContent.Trim() == "Delete").Click());
        p.Sources.WaitForAssertion(() => Assert.Empty(p.Sources.FindAll($"[data-testid=delete-{first}]")), TimeSpan.FromSeconds(10));
        Assert.Contains(p.Snackbar.ShownSnackbars, s => s.Message == "Source deleted.");
        Assert.Contains($"remove {first}", p.Schedule.Calls);
        // The deleted source was selected: the first remaining one is shown instead.
        p.Sources.WaitForAssertion(() => Assert.Contains("Run history: Second CRM", p.Sources.Find("[data-testid=sync-runs]").TextContent));
        await using (var db = sync.Portal.CreateContext())
        {
            Assert.Equal(["Second CRM"], await db.SyncSources.AsNoTracking().Select(s => s.Name).ToListAsync());
        }
    }

    [Fact]
    public async Task Switch_OnASourceDeletedMeanwhile_SaysItNoLongerExists_AndAFailingDatabaseGivesAReference()
    {
        await using var sync = await SyncHarness.CreateAsync(DatabaseProvider.Sqlite);
        var gone = await sync.Catalog.CreateAsync(SyncHarness.Admin, PostgresSyncTests.ClientsDraft(Connection, name: "Gone CRM"), default);
        var kept = await sync.Catalog.CreateAsync(SyncHarness.Admin, PostgresSyncTests.ClientsDraft(Connection, name: "Kept CRM"), default);
        var p = Render(sync);
        await using var _ = p.Ctx;
        p.Sources.WaitForAssertion(() => p.Sources.Find($"[data-testid=enable-{gone}]"));
        await sync.Catalog.DeleteAsync(SyncHarness.Admin, gone, default);

        await p.Sources.InvokeAsync(() => Input(p.Sources, $"enable-{gone}").Change(false));

        p.Sources.WaitForAssertion(() => Assert.Contains(p.Snackbar.ShownSnackbars, s => s.Message == "This source no longer exists."));
        p.Sources.WaitForAssertion(() => Assert.Empty(p.Sources.FindAll($"[data-testid=enable-{gone}]")));

        // The row is written, then the audit entry fails: the raw SQLite error is logged, not shown.
        await using (var db = sync.Portal.CreateContext())
        {
            await db.Database.ExecuteSqlRawAsync("DROP TABLE \"AuditEntries\"");
        }
        await p.Sources.InvokeAsync(() => Input(p.Sources, $"enable-{kept}").Change(false));
        p.Sources.WaitForAssertion(() => Assert.Contains(p.Snackbar.ShownSnackbars, s => (s.Message ?? "").StartsWith("Something went wrong", StringComparison.Ordinal)));
        var shown = p.Snackbar.ShownSnackbars.First(s => (s.Message ?? "").StartsWith("Something went wrong", StringComparison.Ordinal)).Message ?? "";
        Assert.DoesNotContain("no such table", shown, StringComparison.OrdinalIgnoreCase);
        var reference = System.Text.RegularExpressions.Regex.Match(shown, "administrator: ([0-9a-f]{12})").Groups[1].Value;
        Assert.Contains(p.Logs, line => line.Contains(reference, StringComparison.Ordinal) && line.Contains("no such table", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task EditExisting_CancelChangesNothing_AFailingSaveStaysInTheDialogWithAReference()
    {
        await using var sync = await SyncHarness.CreateAsync(DatabaseProvider.Sqlite);
        var id = await sync.Catalog.CreateAsync(SyncHarness.Admin, PostgresSyncTests.ClientsDraft(Connection, name: "Edited CRM"), default);
        var p = Render(sync);
        await using var _ = p.Ctx;
        p.Sources.WaitForAssertion(() => Assert.Contains("Edited CRM", p.Sources.Markup));
        var edit = () => p.Sources.FindAll("[data-testid=sync-sources-table] button").Single(b => b.GetAttribute("aria-label") == "Edit").Click();

        await p.Sources.InvokeAsync(edit);
        p.Dialogs.WaitForElement("[data-testid=sync-save]", TimeSpan.FromSeconds(10));
        Assert.Contains("Leave empty to keep the stored one", p.Dialogs.Markup);
        Assert.Equal("Edited CRM", Input(p.Dialogs, "sync-name").GetAttribute("value"));
        await p.Dialogs.InvokeAsync(() => Input(p.Dialogs, "sync-name").Change("Never saved"));
        await p.Dialogs.InvokeAsync(() => p.Dialogs.FindAll("button").First(b => b.TextContent.Trim() == "Cancel").Click());
        p.Dialogs.WaitForAssertion(() => Assert.Empty(p.Dialogs.FindAll("[data-testid=sync-save]")));
        Assert.DoesNotContain(p.Snackbar.ShownSnackbars, s => s.Message == "Source saved.");

        await p.Sources.InvokeAsync(edit);
        p.Dialogs.WaitForElement("[data-testid=sync-save]", TimeSpan.FromSeconds(10));
        await p.Dialogs.InvokeAsync(() => Input(p.Dialogs, "sync-name").Change("Renamed CRM"));
        await using (var db = sync.Portal.CreateContext())
        {
            await db.Database.ExecuteSqlRawAsync("DROP TABLE \"AuditEntries\"");
        }
        await p.Dialogs.InvokeAsync(() => p.Dialogs.Find("[data-testid=sync-save]").Click());

        var error = p.Dialogs.WaitForElement("[data-testid=sync-error]", TimeSpan.FromSeconds(10)).TextContent;
        Assert.StartsWith("Something went wrong", error.Trim(), StringComparison.Ordinal);
        Assert.DoesNotContain("no such table", error, StringComparison.OrdinalIgnoreCase);
        var reference = System.Text.RegularExpressions.Regex.Match(error, "administrator: ([0-9a-f]{12})").Groups[1].Value;
        Assert.Contains(p.Logs, line => line.Contains(reference, StringComparison.Ordinal) && line.Contains("no such table", StringComparison.OrdinalIgnoreCase));
        Assert.NotEmpty(p.Dialogs.FindAll("[data-testid=sync-save]"));
        Assert.True(id > 0);
    }
}
