using Bunit;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using MudBlazor;
using MudBlazor.Services;
using Portal.Components.Pages.Segments;
using Portal.Domain.Access;
using Portal.Domain.Clients;
using Portal.Domain.Segments;
using Portal.Identity;
using Portal.Infrastructure.Identity;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Segments;
using Portal.Tests.Support;

namespace Portal.Tests.Components;

/// <summary>The static lists page refuses in words: a file without the key column, and deleting a list an audience uses.</summary>
public sealed class StaticListsRefusalTests : IAsyncLifetime
{
    private readonly BunitContext _ctx = new();
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("portal-lists-refusal-");
    private TestDatabase _database = default!;
    private StaticListImport _lists = default!;

    private sealed class TempEnvironment(string root) : IWebHostEnvironment
    {
        public string WebRootPath { get; set; } = root;
        public IFileProvider WebRootFileProvider { get; set; } = new NullFileProvider();
        public string ApplicationName { get; set; } = "Portal";
        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
        public string ContentRootPath { get; set; } = root;
        public string EnvironmentName { get; set; } = "Test";
    }

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using (var db = _database.CreateContext())
        {
            db.Clients.Add(new Client(PhoneNumber.Parse("+79160000001"), "Anna", "Ivanova", DateTime.UtcNow));
            await db.SaveChangesAsync();
        }
        _lists = new StaticListImport(_database.Factory, TimeProvider.System);
        _ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        _ctx.Services.AddMudServices(o => o.PopoverOptions.CheckForPopoverProvider = false);
        _ctx.Services.AddLocalization();
        _ctx.Services.AddSingleton(_lists);
        _ctx.Services.AddSingleton(new DepartmentScopes(_database.Factory));
        _ctx.Services.AddSingleton<IWebHostEnvironment>(new TempEnvironment(_root.FullName));
        _ctx.AddAuthorization().SetAuthorized(PortalAppFactory.AdminEmail).SetRoles(Roles.Administrator).SetPolicies(Policies.PersonalData, Policies.Audiences);
    }

    public async Task DisposeAsync()
    {
        await _ctx.DisposeAsync();
        await _database.DisposeAsync();
        _root.Delete(recursive: true);
    }

    [Fact]
    public async Task FileWithoutAPhoneColumn_IsRefusedInWords_NoListIsMade_AndTheUploadIsDeleted()
    {
        var page = _ctx.Render<StaticLists>();
        page.WaitForAssertion(() => Assert.Contains("No static lists yet.", page.Markup), TimeSpan.FromSeconds(10));
        await page.InvokeAsync(() => page.FindComponent<MudTextField<string>>().Instance.ValueChanged.InvokeAsync("Callbacks"));

        page.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromText("name,city\nAnna,Moscow\n", "people.csv"));

        page.WaitForAssertion(() => Assert.Contains("No phone column: name it 'phone'", page.Find(".mud-alert-message").TextContent), TimeSpan.FromSeconds(10));
        Assert.Empty(page.FindAll("[data-testid=list-result]"));
        Assert.Empty(Directory.GetFiles(Path.Combine(_root.FullName, "App_Data", "imports")));
        await using var db = _database.CreateContext();
        Assert.False(await db.StaticLists.AnyAsync());
    }

    [Fact]
    public async Task DeletingAListAnAudienceUses_IsRefusedInWords_AndTheListStays()
    {
        int listId;
        await using (var db = _database.CreateContext())
        {
            var list = new StaticList("Callbacks", null, "test", DateTime.UtcNow);
            db.StaticLists.Add(list);
            await db.SaveChangesAsync();
            listId = list.Id;
            var rule = SegmentRule.Everyone();
            rule.ExcludeLists = [listId];
            db.Segments.Add(new Segment("Not called back", null, SegmentRuleJson.Serialize(rule), "test", DateTime.UtcNow));
            await db.SaveChangesAsync();
        }
        var page = _ctx.Render<StaticLists>();
        page.WaitForAssertion(() => Assert.Contains("Callbacks", page.Find("[data-testid=lists-table]").TextContent), TimeSpan.FromSeconds(10));

        await page.InvokeAsync(() => page.Find("[data-testid=lists-table] button[aria-label=Delete]").Click());

        var snackbars = _ctx.Services.GetRequiredService<ISnackbar>().ShownSnackbars;
        page.WaitForAssertion(() => Assert.Contains(snackbars, s => s.Message == "Segments use this list: Not called back." && s.Severity == Severity.Error),
            TimeSpan.FromSeconds(10));
        Assert.Contains("Callbacks", page.Find("[data-testid=lists-table]").TextContent);
        Assert.Single(await _lists.ListAsync(default));
    }
}
