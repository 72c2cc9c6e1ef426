using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Bunit;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Services;
using Portal.Components.Pages.Bi;
using Portal.Domain.Access;
using Portal.Domain.Messages;
using Portal.Infrastructure.Audit;
using Portal.Infrastructure.Bi;
using Portal.Infrastructure.Persistence;
using Portal.Tests.Infrastructure.Bi;
using Portal.Tests.Support;

namespace Portal.Tests.Components;

/// <summary>
/// The BI pages in isolation (issue 21): a provider statement reconciled on the finance page, and
/// scheduled exports created, refused, run and deleted on the exports page.
/// </summary>
public sealed class BiPagesTests
{
    /// <summary>Records what the page asked the scheduler to do.</summary>
    private sealed class RecordingSchedule : IBiExportSchedule
    {
        public ConcurrentQueue<string> Calls { get; } = new();
        public Task ApplyAsync(BiExportDefinition definition, CancellationToken ct) { Calls.Enqueue($"apply {definition.Id}"); return Task.CompletedTask; }
        public Task RemoveAsync(int definitionId, CancellationToken ct) { Calls.Enqueue($"remove {definitionId}"); return Task.CompletedTask; }
        public Task TriggerNowAsync(int definitionId, CancellationToken ct) { Calls.Enqueue($"trigger {definitionId}"); return Task.CompletedTask; }
        public Task<DateTimeOffset?> NextFireAsync(int definitionId, CancellationToken ct) => Task.FromResult<DateTimeOffset?>(null);
    }

    private static (BunitContext Ctx, IRenderedComponent<MudPopoverProvider> Popovers) Context(BiWorld world, string role, Action<IServiceCollection>? more = null)
    {
        var ctx = new BunitContext();
        ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        ctx.Services.AddMudServices(o => o.PopoverOptions.CheckForPopoverProvider = false);
        ctx.Services.AddLocalization();
        ctx.Services.AddSingleton<IDbContextFactory<PortalDbContext>>(world.Database.Factory);
        ctx.Services.AddSingleton(world.Finance);
        ctx.Services.AddSingleton(new AuditLog(world.Database.Factory, world.Time));
        ctx.Services.AddSingleton(world.Time);
        ctx.AddAuthorization().SetAuthorized(role.ToLowerInvariant() + "@portal.local").SetRoles(role);
        more?.Invoke(ctx.Services);
        ctx.Renderer.SetRendererInfo(new Microsoft.AspNetCore.Components.RendererInfo("Server", true));
        return (ctx, ctx.Render<MudPopoverProvider>());
    }

    private static AngleSharp.Dom.IElement Input<T>(IRenderedComponent<T> root, string testId) where T : Microsoft.AspNetCore.Components.IComponent =>
        root.FindAll($"input[data-testid={testId}]").FirstOrDefault() ?? root.Find($"[data-testid={testId}] input");

    [Fact]
    public async Task Finance_StatementWithoutAProvider_DoesNothing_ABadOneListsItsRows_AGoodOneIsReconciledAndAudited()
    {
        await using var world = await BiWorld.CreateAsync(DatabaseProvider.Sqlite, clients: 200);
        List<(string Id, int Parts, decimal Cost)> ours;
        await using (var db = world.Database.CreateContext())
        {
            ours = (await db.Messages.Where(m => m.Status != MessageStatus.Control).OrderBy(m => m.Id)
                .Select(m => new { m.ProviderMessageId, m.Parts, m.Cost }).ToListAsync()).Select(m => (m.ProviderMessageId!, m.Parts, m.Cost)).ToList();
        }
        var (ctx, popovers) = Context(world, Roles.Administrator);
        await using var _ = ctx;
        var page = ctx.Render<FinancePage>();
        page.WaitForAssertion(() => Assert.Contains("MegaSMS", page.Find("[data-testid=cost-table]").TextContent));
        var provider = page.FindComponents<MudSelect<int?>>().Single(s => s.Instance.Label == "Provider");
        await page.InvokeAsync(() => provider.Instance.OpenMenu());
        popovers.WaitForAssertion(() => Assert.Contains("MegaSMS", popovers.Markup)); // offered as the statement's provider
        var upload = page.FindComponent<InputFile>();

        // No provider chosen yet: the file is ignored.
        await page.InvokeAsync(() => upload.UploadFiles(InputFileContent.CreateFromText("date,count,parts,amount,currency\r\n", "s.csv")));
        Assert.Empty(page.FindAll("[data-testid=statement-errors]"));
        Assert.Empty(page.FindAll("[data-testid=statement-summary]"));

        await page.InvokeAsync(() => provider.Instance.ValueChanged.InvokeAsync(world.ProviderId));

        await page.InvokeAsync(() => upload.UploadFiles(InputFileContent.CreateFromText(
            "date,message_id,parts,amount,currency\r\n02/11/2026,mx1,1,0.35,RUB\r\n2026-11-02,mx2,one,0.35,USD\r\n", "bad.csv")));
        var errors = page.WaitForElement("[data-testid=statement-errors]").TextContent;
        Assert.Contains("The statement was not accepted; nothing was changed.", page.Markup);
        Assert.Contains("Not a date (yyyy-MM-dd).", errors);
        Assert.Contains("Not a whole number.", errors);
        Assert.Contains("Another currency than RUB.", errors);
        Assert.Empty(page.FindAll("[data-testid=statement-summary]"));

        var csv = new StringBuilder("date,message_id,parts,amount,currency\r\n");
        foreach (var m in ours.Skip(1))
        {
            csv.Append(CultureInfo.InvariantCulture, $"2026-11-02,{m.Id},{m.Parts},{m.Cost:0.00},RUB\r\n");
        }
        csv.Append("2026-11-02,ghost-1,1,0.35,RUB\r\n");
        await page.InvokeAsync(() => upload.UploadFiles(InputFileContent.CreateFromText(csv.ToString(), "statement.csv")));

        page.WaitForAssertion(() => Assert.Equal((ours.Count - 1).ToString("N0", CultureInfo.CurrentCulture), page.Find("[data-testid=rec-matched]").TextContent));
        Assert.Empty(page.FindAll("[data-testid=statement-errors]"));
        Assert.Equal("1", page.Find("[data-testid=rec-missing-portal]").TextContent);
        Assert.Equal("1", page.Find("[data-testid=rec-missing-statement]").TextContent);
        var items = page.Find("[data-testid=statement-items]").TextContent;
        Assert.Contains("ghost-1", items);
        Assert.Contains(ours[0].Id, items);
        await using (var db = world.Database.CreateContext())
        {
            var audit = await db.AuditEntries.AsNoTracking().SingleAsync(a => a.Action == "bi.reconcile");
            Assert.Equal(world.ProviderId.ToString(CultureInfo.InvariantCulture), audit.EntityId);
            Assert.Contains($"rows={ours.Count}", audit.Details);
        }
    }

    [Fact]
    public async Task Exports_ScheduleIsRefusedWithTheReason_ThenSaved_RunNowAndDeleteReachTheScheduler()
    {
        await using var world = await BiWorld.CreateAsync(DatabaseProvider.Sqlite, clients: 50);
        var schedule = new RecordingSchedule();
        var (ctx, popovers) = Context(world, Roles.Administrator, s => s.AddSingleton(world.Exporter()).AddSingleton<IBiExportSchedule>(schedule));
        await using var _ = ctx;
        var page = ctx.Render<ExportsPage>();
        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=schedule-save]")));
        Assert.NotEmpty(page.FindAll("[data-testid=interactive]"));
        var datasets = page.FindComponents<MudSelect<string>>().Single(s => s.Instance.Label == "Dataset");
        await page.InvokeAsync(() => datasets.Instance.OpenMenu());
        // Every dataset is offered by its name for people.
        foreach (var dataset in new[] { "Messages, one row each", "Campaigns and runs", "Replies and opt-outs", "Daily cost", "Conversions and uplift" })
        {
            Assert.Contains(dataset, popovers.Markup);
        }

        await page.InvokeAsync(() => page.Find("[data-testid=schedule-save]").Click());
        page.WaitForAssertion(() => Assert.Contains("A name is 1 to 200 characters.", page.Markup));
        await page.InvokeAsync(() => Input(page, "schedule-name").Change("Nightly messages"));
        await page.InvokeAsync(() => page.Find("[data-testid=schedule-save]").Click());
        page.WaitForAssertion(() => Assert.Contains("Choose a folder.", page.Markup));
        Assert.Empty(page.FindAll("[data-testid=schedule-row]"));

        await page.InvokeAsync(() => Input(page, "schedule-destination").Change("nightly"));
        await page.InvokeAsync(() => page.Find("[data-testid=schedule-save]").Click());
        page.WaitForAssertion(() => Assert.Contains("Nightly messages", page.Find("[data-testid=schedule-row]").TextContent));
        Assert.DoesNotContain("Choose a folder.", page.Markup);
        int id;
        await using (var db = world.Database.CreateContext())
        {
            var definition = await db.BiExportDefinitions.AsNoTracking().SingleAsync();
            (id, var dataset, var destination) = (definition.Id, definition.Dataset, definition.Destination);
            Assert.Equal((BiDatasets.Messages, "nightly"), (dataset, destination));
            Assert.True(await db.AuditEntries.AnyAsync(a => a.Action == "bi.schedule.create" && a.EntityId == id.ToString(CultureInfo.InvariantCulture)));
        }
        Assert.Contains($"apply {id}", schedule.Calls);
        Assert.Equal("", Input(page, "schedule-name").GetAttribute("value") ?? "");

        // The run started by the scheduler shows as the definition's last run once the list reloads.
        await using (var db = world.Database.CreateContext())
        {
            db.BiExports.Add(new BiExport(BiDatasets.Messages, BiFormat.Csv, new BiFilter(), false, "scheduler", world.Time.GetUtcNow().UtcDateTime, id));
            await db.SaveChangesAsync();
        }
        await page.InvokeAsync(() => page.FindAll("[data-testid=schedule-row] button").Single(b => b.TextContent.Trim() == "Run now").Click());
        page.WaitForAssertion(() => Assert.Contains($"trigger {id}", schedule.Calls), TimeSpan.FromSeconds(10));
        page.WaitForAssertion(() => Assert.DoesNotContain("—", page.Find("[data-testid=schedule-row]").TextContent), TimeSpan.FromSeconds(10));

        await page.InvokeAsync(() => page.FindAll("[data-testid=schedule-row] button").Single(b => b.TextContent.Trim() == "Delete").Click());
        page.WaitForAssertion(() => Assert.Empty(page.FindAll("[data-testid=schedule-row]")), TimeSpan.FromSeconds(10));
        Assert.Contains($"remove {id}", schedule.Calls);
        await using (var db = world.Database.CreateContext())
        {
            Assert.False(await db.BiExportDefinitions.AnyAsync());
            Assert.True(await db.AuditEntries.AnyAsync(a => a.Action == "bi.schedule.delete" && a.EntityId == id.ToString(CultureInfo.InvariantCulture)));
        }
    }
}
