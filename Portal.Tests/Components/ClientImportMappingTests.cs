using Bunit;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Logging.Abstractions;
using MudBlazor;
using MudBlazor.Extensions;
using MudBlazor.Services;
using Portal.Components.Pages.Clients;
using Portal.Domain.Clients;
using Portal.Infrastructure.Audit;
using Portal.Infrastructure.Importing;
using Portal.Infrastructure.Persistence;
using Portal.Tests.Support;

namespace Portal.Tests.Components;

/// <summary>Issue 20, item 13: the import wizard's mapping step maps a file's column to a typed custom attribute.</summary>
public class ClientImportMappingTests
{
    // "Contract number" is an attribute's label (guessed); "branch" matches nothing until the user picks.
    private const string Csv = "external_id,phone,first_name,Contract number,branch\nC1,+79161112233,Анна,1017,North\n";

    private sealed class Page : IAsyncDisposable
    {
        public required TestDatabase Database { get; init; }
        public required BunitContext Context { get; init; }
        public required string Folder { get; init; }
        public IRenderedComponent<ClientImport> Cut { get; set; } = default!;

        public async ValueTask DisposeAsync()
        {
            await Context.DisposeAsync();
            await Database.DisposeAsync();
            Directory.Delete(Folder, recursive: true);
        }
    }

    private static async Task<Page> OpenWithFileAsync()
    {
        var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using (var db = database.CreateContext())
        {
            db.AttributeDefinitions.AddRange(new AttributeDefinition("contract_no", AttributeType.Number, "Contract number"),
                new AttributeDefinition("manager", AttributeType.Text, "Manager"));
            await db.SaveChangesAsync();
        }
        var folder = Directory.CreateTempSubdirectory("import-mapping-").FullName;
        var ctx = new BunitContext();
        ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        ctx.Services.AddMudServices(o => o.PopoverOptions.CheckForPopoverProvider = false);
        ctx.Services.AddLocalization();
        ctx.Services.AddSingleton(database.Factory);
        ctx.Services.AddSingleton(Microsoft.Extensions.Options.Options.Create(new ImportOptions()));
        ctx.Services.AddSingleton(new ImportRunner(new ClientImporter(database.Factory, TimeProvider.System, NullLogger<ClientImporter>.Instance),
            NullLogger<ImportRunner>.Instance));
        ctx.Services.AddSingleton(new AuditLog(database.Factory, TimeProvider.System));
        ctx.Services.AddSingleton<IWebHostEnvironment>(new Environment(folder));
        ctx.AddAuthorization().SetAuthorized(PortalAppFactory.AdminEmail);
        var page = new Page { Database = database, Context = ctx, Folder = folder };
        page.Cut = ctx.Render<ClientImport>();
        page.Cut.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromText(Csv, "crm.csv"));
        page.Cut.WaitForElement("[data-testid=import-mapping]", TimeSpan.FromSeconds(10));
        return page;
    }

    private static MudSelect<string> Select(Page page, int column) => page.Cut.FindComponents<MudSelect<string>>()[column].Instance;

    private static Task ChooseAsync(Page page, int column, string choice) =>
        page.Cut.InvokeAsync(() => Select(page, column).ValueChanged.InvokeAsync(choice));

    [Fact]
    public async Task ChosenAttribute_IsOfferedWithItsType_AndCarriedIntoTheImport()
    {
        await using var page = await OpenWithFileAsync();
        Assert.Equal("attr:contract_no", Select(page, 3).GetState(x => x.Value));
        Assert.Equal("?", Select(page, 4).GetState(x => x.Value));
        Assert.Contains("branch", page.Cut.Find("[data-testid=import-ignored]").TextContent);

        await ChooseAsync(page, 4, "attr:manager");
        Assert.Equal("attr:manager", Select(page, 4).GetState(x => x.Value));
        Assert.Empty(page.Cut.FindAll("[data-testid=import-ignored]"));
        await page.Cut.InvokeAsync(() => page.Cut.Find("[data-testid=import-start]").Click());

        page.Cut.WaitForAssertion(() =>
        {
            using var db = page.Database.CreateContext();
            var values = (from a in db.ClientAttributes
                          join d in db.AttributeDefinitions on a.DefinitionId equals d.Id
                          join c in db.Clients on a.ClientId equals c.Id
                          where c.ExternalId == "C1"
                          select new { d.Key, a.Text, a.Number }).ToList();
            Assert.Contains(values, v => v is { Key: "manager", Text: "North" });
            Assert.Contains(values, v => v is { Key: "contract_no", Number: 1017m });
        }, TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task TwoColumnsOntoOneAttribute_AreRefusedInWords_AndNoImportStarts()
    {
        await using var page = await OpenWithFileAsync();
        await ChooseAsync(page, 4, "attr:contract_no");
        await page.Cut.InvokeAsync(() => page.Cut.Find("[data-testid=import-start]").Click());

        var error = page.Cut.WaitForElement("[data-testid=import-mapping-error]", TimeSpan.FromSeconds(10));
        Assert.Equal("Columns Contract number, branch are all mapped to the attribute contract_no: map each attribute from one column only.", error.TextContent.Trim());
        Assert.Empty(page.Cut.FindAll("[data-testid=import-run]"));
        await using var db = page.Database.CreateContext();
        Assert.Equal(0, await db.ImportJobs.CountAsync());
    }

    [Fact]
    public async Task AnAttributeDeletedSinceThePageLoaded_IsRefusedInWords_AndNoImportStarts()
    {
        await using var page = await OpenWithFileAsync();
        await ChooseAsync(page, 4, "attr:manager");
        await using (var db = page.Database.CreateContext())
        {
            await db.AttributeDefinitions.Where(d => d.Key == "manager").ExecuteDeleteAsync();
        }
        await page.Cut.InvokeAsync(() => page.Cut.Find("[data-testid=import-start]").Click());

        var error = page.Cut.WaitForElement("[data-testid=import-mapping-error]", TimeSpan.FromSeconds(10));
        Assert.Equal("There is no custom attribute manager any more (column branch): define it again, or map the column to another field.", error.TextContent.Trim());
        Assert.Empty(page.Cut.FindAll("[data-testid=import-run]"));
        await using var read = page.Database.CreateContext();
        Assert.Equal(0, await read.ImportJobs.CountAsync());
    }

    private sealed class Environment(string root) : IWebHostEnvironment
    {
        public string WebRootPath { get; set; } = root;
        public IFileProvider WebRootFileProvider { get; set; } = new NullFileProvider();
        public string ApplicationName { get; set; } = "Portal";
        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
        public string ContentRootPath { get; set; } = root;
        public string EnvironmentName { get; set; } = "Development";
    }
}
