using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Services;
using Portal.Components.Pages.Clients;
using Portal.Domain.Access;
using Portal.Domain.Audit;
using Portal.Domain.Clients;
using Portal.Infrastructure.Audit;
using Portal.Infrastructure.Clients;
using Portal.Infrastructure.Persistence;
using Portal.Tests.Support;

namespace Portal.Tests.Components;

/// <summary>The clients grid: sorting, opening a row, and issue 14's rules for a reader whose view is masked.</summary>
public sealed class ClientListPageTests : IAsyncLifetime
{
    private static readonly DateTime At = new(2026, 11, 1, 0, 0, 0, DateTimeKind.Utc);

    private readonly BunitContext _ctx = new();
    private TestDatabase _database = default!;
    private long _oreshkinId;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using var db = _database.CreateContext();
        // Names, spend and last purchase each in a different order, so every sort is visible.
        db.Clients.Add(new Client(PhoneNumber.Parse("+79160000001"), "Anna", "Belova", At) { TotalSpend = 300m, LastPurchaseAt = At.AddDays(-1) });
        var oreshkin = new Client(PhoneNumber.Parse("+79160000002"), "Oleg", "Oreshkin", At) { TotalSpend = 100m, LastPurchaseAt = At.AddDays(-30) };
        db.Clients.Add(oreshkin);
        db.Clients.Add(new Client(PhoneNumber.Parse("+79160000003"), "Vera", "Abramova", At) { TotalSpend = 200m, LastPurchaseAt = At.AddDays(-10) });
        await db.SaveChangesAsync();
        _oreshkinId = oreshkin.Id;
    }

    public async Task DisposeAsync()
    {
        await _ctx.DisposeAsync();
        await _database.DisposeAsync();
    }

    private IRenderedComponent<ClientList> Open(string role)
    {
        _ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        _ctx.Services.AddMudServices(o => o.PopoverOptions.CheckForPopoverProvider = false);
        _ctx.Services.AddLocalization();
        _ctx.Services.AddSingleton(new ClientDirectory(_database.Factory, TimeProvider.System));
        _ctx.Services.AddSingleton(new AuditLog(_database.Factory, TimeProvider.System));
        _ctx.AddAuthorization().SetAuthorized("clients@portal.local").SetRoles(role);
        var page = _ctx.Render<ClientList>();
        page.WaitForAssertion(() => Assert.Equal(3, Rows(page).Count), TimeSpan.FromSeconds(10));
        return page;
    }

    private static IReadOnlyList<AngleSharp.Dom.IElement> Rows(IRenderedComponent<ClientList> page) =>
        page.FindAll("[data-testid=clients-grid] tbody tr.mud-table-row");

    private static string Names(IRenderedComponent<ClientList> page) =>
        string.Join("|", Rows(page).Select(r => r.QuerySelectorAll("td")[1].TextContent.Trim()));

    private static Task SortAsync(IRenderedComponent<ClientList> page, string column, SortDirection direction) =>
        page.InvokeAsync(() => page.FindComponent<MudDataGrid<ClientRow>>().Instance.SetSortAsync(column, direction, x => x));

    private static Task SearchAsync(IRenderedComponent<ClientList> page, string text) =>
        page.InvokeAsync(() => page.FindComponent<MudTextField<string>>().Instance.ValueChanged.InvokeAsync(text));

    private string Uri => _ctx.Services.GetRequiredService<NavigationManager>().Uri;

    [Fact]
    public async Task Sorting_ByNameSpendAndLastPurchase_OrdersTheRows()
    {
        var page = Open(Roles.CampaignManager);

        await SortAsync(page, nameof(ClientRow.Name), SortDirection.Ascending);
        page.WaitForAssertion(() => Assert.Equal("Abramova Vera|Belova Anna|Oreshkin Oleg", Names(page)), TimeSpan.FromSeconds(10));
        await SortAsync(page, nameof(ClientRow.TotalSpend), SortDirection.Descending);
        page.WaitForAssertion(() => Assert.Equal("Belova Anna|Abramova Vera|Oreshkin Oleg", Names(page)), TimeSpan.FromSeconds(10));
        await SortAsync(page, nameof(ClientRow.LastPurchaseAt), SortDirection.Ascending);
        page.WaitForAssertion(() => Assert.Equal("Oreshkin Oleg|Abramova Vera|Belova Anna", Names(page)), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task ClickingARow_OpensTheClientCard()
    {
        var page = Open(Roles.CampaignManager);

        await page.InvokeAsync(() => Rows(page).Single(r => r.TextContent.Contains("Oreshkin")).Click());

        Assert.EndsWith($"/clients/{_oreshkinId}", Uri);
    }

    [Fact]
    public async Task MaskedReader_APartialSearchIsRefused_AFullPhoneFindsTheClientOnRecord()
    {
        var page = Open(Roles.Analyst);
        Assert.DoesNotContain("Oreshkin", page.Markup);

        await SearchAsync(page, "Oresh");
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-testid=clients-search-refused]")), TimeSpan.FromSeconds(10));
        Assert.Empty(Rows(page));

        await SearchAsync(page, "+7 916 000-00-02");

        // Issue 19: one match by a full number goes straight to the card.
        page.WaitForAssertion(() => Assert.EndsWith($"/clients/{_oreshkinId}", Uri), TimeSpan.FromSeconds(10));
        Assert.Empty(page.FindAll("[data-testid=clients-search-refused]"));
        await using var db = _database.CreateContext();
        var entry = await db.AuditEntries.SingleAsync(a => a.Action == AuditActions.PersonalDataRead);
        Assert.Equal("clients grid: search by full phone +7916*****02, 1 found", entry.Details);
    }
}
