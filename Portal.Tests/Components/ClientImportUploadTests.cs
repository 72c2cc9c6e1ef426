using Bunit;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Logging.Abstractions;
using MudBlazor;
using MudBlazor.Services;
using Portal.Components.Pages.Clients;
using Portal.Domain.Clients;
using Portal.Domain.Imports;
using Portal.Infrastructure.Audit;
using Portal.Infrastructure.Importing;
using Portal.Infrastructure.Persistence;
using Portal.Tests.Support;

namespace Portal.Tests.Components;

/// <summary>
/// The import wizard's upload and run steps: a file over the limit or unreadable is refused in words
/// (and not kept), attribute types are named in the field choices, a running import is cancelled, and
/// the page starts over for another file.
/// </summary>
public sealed class ClientImportUploadTests : IAsyncLifetime
{
    private const string Csv = "external_id,phone,first_name\nC1,+79161112233,Anna\n";

    private readonly BunitContext _ctx = new();
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("import-upload-");
    private TestDatabase _database = default!;

    /// <summary>
    /// The importer's database, held shut for work that can be cancelled (the import's rows) until it is
    /// cancelled: so the import is reliably still running when the test presses Cancel.
    /// </summary>
    private sealed class HeldFactory(IDbContextFactory<PortalDbContext> inner) : IDbContextFactory<PortalDbContext>
    {
        public PortalDbContext CreateDbContext() => inner.CreateDbContext();

        public async Task<PortalDbContext> CreateDbContextAsync(CancellationToken ct = default)
        {
            if (ct.CanBeCanceled)
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            return await inner.CreateDbContextAsync(ct);
        }
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

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using (var db = _database.CreateContext())
        {
            db.AttributeDefinitions.AddRange(
                new AttributeDefinition("party_day", AttributeType.Date, "Party day"),
                new AttributeDefinition("vip", AttributeType.Boolean, "VIP"),
                new AttributeDefinition("branch", AttributeType.Text, "Branch"),
                new AttributeDefinition("contract_no", AttributeType.Number, "Contract number"));
            await db.SaveChangesAsync();
        }
    }

    public async Task DisposeAsync()
    {
        await _ctx.DisposeAsync();
        await _database.DisposeAsync();
        _root.Delete(recursive: true);
    }

    private IRenderedComponent<ClientImport> Open(ImportOptions? options = null, bool holdImports = false, Action? beforeRender = null)
    {
        _ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        _ctx.Services.AddMudServices(o => o.PopoverOptions.CheckForPopoverProvider = false);
        _ctx.Services.AddLocalization();
        _ctx.Services.AddSingleton(_database.Factory);
        _ctx.Services.AddSingleton(Microsoft.Extensions.Options.Options.Create(options ?? new ImportOptions()));
        IDbContextFactory<PortalDbContext> importerDb = holdImports ? new HeldFactory(_database.Factory) : _database.Factory;
        _ctx.Services.AddSingleton(new ImportRunner(new ClientImporter(importerDb, TimeProvider.System, NullLogger<ClientImporter>.Instance),
            NullLogger<ImportRunner>.Instance));
        _ctx.Services.AddSingleton(new AuditLog(_database.Factory, TimeProvider.System));
        _ctx.Services.AddSingleton<IWebHostEnvironment>(new Environment(_root.FullName));
        _ctx.AddAuthorization().SetAuthorized(PortalAppFactory.AdminEmail);
        beforeRender?.Invoke();
        return _ctx.Render<ClientImport>();
    }

    private string[] Uploads()
    {
        var folder = Path.Combine(_root.FullName, "App_Data", "imports");
        return Directory.Exists(folder) ? Directory.GetFiles(folder) : [];
    }

    [Fact]
    public void FileOverTheLimit_IsRefusedInWords_AndNothingIsWritten()
    {
        var page = Open(new ImportOptions { MaxUploadBytes = 1024 * 1024 });

        page.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromBinary(new byte[1024 * 1024 + 1], "huge.csv"));

        page.WaitForAssertion(() => Assert.Equal("The file is larger than 1 MB.", page.Find("[data-testid=import-file-error]").TextContent.Trim()), TimeSpan.FromSeconds(10));
        Assert.Empty(page.FindAll("[data-testid=import-mapping]"));
        Assert.Empty(Uploads());
    }

    [Fact]
    public void EmptyFile_IsRefusedInWords_AndTheUploadIsDeleted()
    {
        var page = Open();

        page.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromText("", "empty.csv"));

        page.WaitForAssertion(() => Assert.Contains("The file is empty", page.Find("[data-testid=import-file-error]").TextContent), TimeSpan.FromSeconds(10));
        Assert.Empty(page.FindAll("[data-testid=import-mapping]"));
        Assert.Empty(Uploads());
    }

    [Fact]
    public async Task AttributeChoices_NameEachAttributesType()
    {
        IRenderedComponent<MudPopoverProvider>? popovers = null;
        var page = Open(beforeRender: () => popovers = _ctx.Render<MudPopoverProvider>());

        page.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromText(Csv, "crm.csv"));
        page.WaitForElement("[data-testid=import-mapping]", TimeSpan.FromSeconds(10));
        // The items render in the popover provider while the select is open.
        await page.InvokeAsync(() => page.FindComponents<MudSelect<string>>()[2].Instance.OpenMenu());

        var texts = popovers!.FindComponents<MudSelectItem<string>>().Where(i => i.Instance.Value!.StartsWith("attr:"))
            .Select(i => (i.Instance.Value, string.Concat(i.Nodes.Select(n => n.TextContent)).Trim())).Distinct().ToList();
        Assert.Contains(("attr:party_day", "Attribute: Party day (Date)"), texts);
        Assert.Contains(("attr:vip", "Attribute: VIP (Yes/no)"), texts);
        Assert.Contains(("attr:branch", "Attribute: Branch (Text)"), texts);
        Assert.Contains(("attr:contract_no", "Attribute: Contract number (Number)"), texts);
    }

    [Fact]
    public async Task RunningImport_IsCancelled_NothingIsApplied_AndAnotherFileCanBeStarted()
    {
        var page = Open(holdImports: true);
        page.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromText(Csv, "crm.csv"));
        page.WaitForElement("[data-testid=import-mapping]", TimeSpan.FromSeconds(10));
        await page.InvokeAsync(() => page.Find("button[data-testid=import-start]").Click());
        page.WaitForElement("button[data-testid=import-cancel]", TimeSpan.FromSeconds(10));

        await page.InvokeAsync(() => page.Find("button[data-testid=import-cancel]").Click());

        page.WaitForAssertion(() => Assert.Equal("Cancelled", page.Find("[data-testid=import-status]").TextContent.Trim()), TimeSpan.FromSeconds(10));
        await using (var db = _database.CreateContext())
        {
            Assert.Equal(ImportStatus.Cancelled, (await db.ImportJobs.SingleAsync()).Status);
            Assert.False(await db.Clients.AnyAsync());
        }

        await page.InvokeAsync(() => page.FindAll("button").Single(b => b.TextContent.Trim() == "Import another file").Click());

        Assert.Empty(page.FindAll("[data-testid=import-run]"));
        Assert.Empty(page.FindAll("[data-testid=import-mapping]"));
        Assert.NotEmpty(page.FindAll("[data-testid=import-file]"));
    }
}
