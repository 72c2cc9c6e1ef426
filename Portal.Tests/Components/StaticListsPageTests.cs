using Bunit;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using MudBlazor;
using MudBlazor.Services;
using Portal.Components.Pages.Segments;
using Portal.Domain.Access;
using Portal.Domain.Clients;
using Portal.Identity;
using Portal.Infrastructure.Identity;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Segments;
using Portal.Tests.Support;

namespace Portal.Tests.Components;

/// <summary>The static lists page: a file of phones becomes a list (unmatched rows named), a list is deleted, a list needs a name.</summary>
public sealed class StaticListsPageTests
{
    private sealed class TempEnvironment(string root) : IWebHostEnvironment
    {
        public string WebRootPath { get; set; } = root;
        public IFileProvider WebRootFileProvider { get; set; } = new NullFileProvider();
        public string ApplicationName { get; set; } = "Portal";
        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
        public string ContentRootPath { get; set; } = root;
        public string EnvironmentName { get; set; } = "Test";
    }

    [Fact]
    public async Task Upload_MakesAListOfTheKnownPhones_NamesTheRest_AndDeleteRemovesIt()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using (var db = database.CreateContext())
        {
            db.Clients.Add(new Client(PhoneNumber.Parse("+79160000001"), "Anna", "Ivanova", DateTime.UtcNow));
            db.Clients.Add(new Client(PhoneNumber.Parse("+79160000002"), "Oleg", "Petrov", DateTime.UtcNow));
            await db.SaveChangesAsync();
        }
        var root = Directory.CreateTempSubdirectory("portal-lists-page-");
        try
        {
            await using var ctx = new BunitContext();
            ctx.JSInterop.Mode = JSRuntimeMode.Loose;
            ctx.Services.AddMudServices(o => o.PopoverOptions.CheckForPopoverProvider = false);
            ctx.Services.AddLocalization();
            ctx.Services.AddSingleton(new StaticListImport(database.Factory, TimeProvider.System));
            ctx.Services.AddSingleton(new DepartmentScopes(database.Factory));
            ctx.Services.AddSingleton<IWebHostEnvironment>(new TempEnvironment(root.FullName));
            ctx.AddAuthorization().SetAuthorized(PortalAppFactory.AdminEmail).SetRoles(Roles.Administrator).SetPolicies(Policies.PersonalData, Policies.Audiences);
            var page = ctx.Render<StaticLists>();
            page.WaitForAssertion(() => Assert.Contains("No static lists yet.", page.Markup), TimeSpan.FromSeconds(10));
            var input = page.FindComponent<Microsoft.AspNetCore.Components.Forms.InputFile>();
            const string file = "phone\n+79160000001\n8 916 000-00-02\n+79990000000\n";

            input.UploadFiles(InputFileContent.CreateFromText(file, "callbacks.csv"));
            page.WaitForAssertion(() => Assert.Contains("Name the list first.", page.Markup), TimeSpan.FromSeconds(10));

            await page.InvokeAsync(() => page.FindComponent<MudTextField<string>>().Instance.ValueChanged.InvokeAsync("Callbacks"));
            input.UploadFiles(InputFileContent.CreateFromText(file, "callbacks.csv"));
            page.WaitForAssertion(() => Assert.Contains("3 rows read, 2 clients added to the list, 1 rows not matched.", page.Find("[data-testid=list-result]").TextContent),
                TimeSpan.FromSeconds(10));
            Assert.Contains("Callbacks", page.Find("[data-testid=lists-table]").TextContent);
            Assert.Empty(Directory.GetFiles(Path.Combine(root.FullName, "App_Data", "imports")));

            await page.InvokeAsync(() => page.Find("[data-testid=lists-table] button[aria-label=Delete]").Click());
            page.WaitForAssertion(() => Assert.Contains("No static lists yet.", page.Markup), TimeSpan.FromSeconds(10));
            await using var check = database.CreateContext();
            Assert.Empty(check.StaticLists);
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }
}
