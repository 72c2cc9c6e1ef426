using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Services;
using Portal.Components.Pages.Segments;
using Portal.Domain.Access;
using Portal.Domain.Campaigns;
using Portal.Domain.Clients;
using Portal.Domain.Messages;
using Portal.Domain.Segments;
using Portal.Infrastructure.Identity;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Segments;
using Portal.Tests.Support;

namespace Portal.Tests.Components;

/// <summary>The audiences list: sizes (an unreadable rule says so), opening a row, deleting with a confirmation, a refused delete.</summary>
public sealed class SegmentListPageTests : IAsyncLifetime
{
    private static readonly DateTime At = new(2026, 11, 25, 0, 0, 0, DateTimeKind.Utc);

    private readonly BunitContext _ctx = new();
    private TestDatabase _database = default!;
    private SegmentStore _store = default!;
    private IRenderedComponent<MudDialogProvider>? _dialogs;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        var audience = new SegmentAudience(_database.Factory, TimeProvider.System);
        _store = new SegmentStore(_database.Factory, audience, TimeProvider.System);
        _ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        _ctx.Services.AddMudServices(o => o.PopoverOptions.CheckForPopoverProvider = false);
        _ctx.Services.AddLocalization();
        _ctx.Services.AddSingleton(_store);
        _ctx.Services.AddSingleton(new DepartmentScopes(_database.Factory));
        _ctx.AddAuthorization().SetAuthorized("campaigns@portal.local").SetRoles(Roles.Administrator);
    }

    public async Task DisposeAsync()
    {
        await _ctx.DisposeAsync();
        await _database.DisposeAsync();
    }

    private IRenderedComponent<SegmentList> Open()
    {
        _dialogs ??= _ctx.Render<MudDialogProvider>();
        return _ctx.Render<SegmentList>();
    }

    private IEnumerable<Snackbar> Snackbars => _ctx.Services.GetRequiredService<ISnackbar>().ShownSnackbars;

    private async Task SeedClientsAsync(int count)
    {
        await using var db = _database.CreateContext();
        for (var i = 0; i < count; i++)
        {
            db.Clients.Add(new Client(PhoneNumber.Parse($"+7916000{i:D4}"), "Anna", "Ivanova", At));
        }
        await db.SaveChangesAsync();
    }

    private static AngleSharp.Dom.IElement Row(IRenderedComponent<SegmentList> page, string name) =>
        page.FindAll("[data-testid=segments-table] tbody tr").Single(r => r.TextContent.Contains(name));

    private async Task DeleteAsync(IRenderedComponent<SegmentList> page, string name, bool confirm)
    {
        var click = page.InvokeAsync(() => Row(page, name).QuerySelector("button[aria-label=Delete]")!.Click());
        var dialogs = _dialogs!;
        dialogs.WaitForAssertion(() => Assert.Contains($"Delete '{name}'?", dialogs.Markup), TimeSpan.FromSeconds(10));
        var button = dialogs.FindAll("button").Single(b => b.TextContent.Trim() == (confirm ? "Delete" : "Cancel"));
        await dialogs.InvokeAsync(() => button.Click());
        await click;
    }

    [Fact]
    public async Task NoAudiences_InvitesToCreateOne()
    {
        var page = Open();

        page.WaitForAssertion(() => Assert.Contains("No audiences yet: create the first one.", page.Markup), TimeSpan.FromSeconds(10));
        Assert.Empty(page.FindAll("[data-testid=segments-table]"));
    }

    [Fact]
    public async Task Sizes_ArriveForEachAudience_AndAnUnreadableRuleSaysInvalid()
    {
        await SeedClientsAsync(3);
        await _store.SaveAsync(null, "Everyone", SegmentRule.Everyone(), null, "test", default);
        await using (var db = _database.CreateContext())
        {
            db.Segments.Add(new Segment("Broken", null, """{"version":1,"root":{"children":[{"type":"condition","criterion":"shoeSize","operator":"equals","value":42}]}}""", "test", At));
            await db.SaveChangesAsync();
        }

        var page = Open();

        page.WaitForAssertion(() =>
        {
            Assert.Equal("3", Row(page, "Everyone").QuerySelectorAll("td")[1].TextContent.Trim());
            Assert.Equal("invalid rule", Row(page, "Broken").QuerySelectorAll("td")[1].TextContent.Trim());
        }, TimeSpan.FromSeconds(10));
    }

    /// <summary>A database whose every query answers asynchronously, as PostgreSQL does (SQLite answers at once).</summary>
    private sealed class YieldingFactory(IDbContextFactory<PortalDbContext> inner) : IDbContextFactory<PortalDbContext>
    {
        public PortalDbContext CreateDbContext() => inner.CreateDbContext();

        public async Task<PortalDbContext> CreateDbContextAsync(CancellationToken ct = default)
        {
            await Task.Delay(20, ct);
            return await inner.CreateDbContextAsync(ct);
        }
    }

    [Fact]
    public async Task Sizes_ArriveToo_WhenTheListLoadsAfterTheFirstRender()
    {
        await SeedClientsAsync(2);
        await _store.SaveAsync(null, "Everyone", SegmentRule.Everyone(), null, "test", default);
        var slow = new YieldingFactory(_database.Factory);
        _ctx.Services.AddSingleton(new SegmentStore(slow, new SegmentAudience(slow, TimeProvider.System), TimeProvider.System));
        _ctx.Services.AddSingleton(new DepartmentScopes(slow));

        var page = Open();

        page.WaitForAssertion(() => Assert.Equal("2", Row(page, "Everyone").QuerySelectorAll("td")[1].TextContent.Trim()), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task ClickingARow_OpensTheAudience()
    {
        var (id, _) = await _store.SaveAsync(null, "Everyone", SegmentRule.Everyone(), null, "test", default);
        var page = Open();
        page.WaitForAssertion(() => Row(page, "Everyone"), TimeSpan.FromSeconds(10));

        await page.InvokeAsync(() => Row(page, "Everyone").Click());

        Assert.EndsWith($"/segments/{id}", _ctx.Services.GetRequiredService<NavigationManager>().Uri);
    }

    [Fact]
    public async Task Delete_AsksFirst_CancelKeeps_ConfirmDeletes()
    {
        await _store.SaveAsync(null, "Everyone", SegmentRule.Everyone(), null, "test", default);
        await _store.SaveAsync(null, "Spare", SegmentRule.Everyone(), null, "test", default);
        var page = Open();
        page.WaitForAssertion(() => Row(page, "Spare"), TimeSpan.FromSeconds(10));

        await DeleteAsync(page, "Spare", confirm: false);
        Assert.Equal(2, (await _store.ListAsync(default)).Count);
        Assert.Empty(Snackbars);

        await DeleteAsync(page, "Spare", confirm: true);
        page.WaitForAssertion(() => Assert.DoesNotContain("Spare", page.Find("[data-testid=segments-table]").TextContent), TimeSpan.FromSeconds(10));
        Assert.Equal("Everyone", Assert.Single(await _store.ListAsync(default)).Name);
        Assert.Contains(Snackbars, s => s.Message == "Deleted." && s.Severity == Severity.Success);
    }

    [Fact]
    public async Task Delete_OfAnAudienceACampaignUses_IsRefusedInWords_AndKept()
    {
        var (id, _) = await _store.SaveAsync(null, "Winter buyers", SegmentRule.Everyone(), null, "test", default);
        await using (var db = _database.CreateContext())
        {
            db.Campaigns.Add(new Campaign("Winter sale", null, MessagePurpose.Advertising, "test", At, new CampaignSettings { SegmentId = id, Body = "Hi" }));
            await db.SaveChangesAsync();
        }
        var page = Open();
        page.WaitForAssertion(() => Row(page, "Winter buyers"), TimeSpan.FromSeconds(10));

        await DeleteAsync(page, "Winter buyers", confirm: true);

        page.WaitForAssertion(() => Assert.Contains(Snackbars, s => s.Message == "A campaign uses this segment: it cannot be deleted." && s.Severity == Severity.Error),
            TimeSpan.FromSeconds(10));
        Assert.Contains("Winter buyers", page.Find("[data-testid=segments-table]").TextContent);
        Assert.Single(await _store.ListAsync(default));
    }
}
