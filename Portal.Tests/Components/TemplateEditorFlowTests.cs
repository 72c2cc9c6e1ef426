using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.JSInterop;
using MudBlazor;
using MudBlazor.Extensions;
using MudBlazor.Services;
using Portal.Components.Pages.Templates;
using Portal.Domain.Access;
using Portal.Domain.Clients;
using Portal.Domain.Providers;
using Portal.Domain.Templates;
using Portal.Infrastructure.Audit;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Templates;
using Portal.Tests.Support;

namespace Portal.Tests.Components;

/// <summary>
/// The template editor beyond typing: a missing template, merge fields from the pickers (at the caret
/// through the script, appended without it), the preview for a found client, render errors, saving an
/// existing template (and its refusals) and restoring an earlier version.
/// </summary>
public sealed class TemplateEditorFlowTests : IAsyncLifetime
{
    private const string Module = "./Components/Pages/Templates/TemplateEditor.razor.js";

    private readonly BunitContext _ctx = new();
    private TestDatabase _database = default!;
    private TemplateStore _store = default!;
    private IRenderedComponent<MudPopoverProvider> _popovers = default!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using (var db = _database.CreateContext())
        {
            db.Providers.Add(new SmsProvider("main", ProviderKind.Smpp, "{}") { DefaultPartPrice = 1.25m });
            db.Clients.Add(new Client(PhoneNumber.Parse("+79161234567"), "Boris", "Petrov", DateTime.UtcNow) { ExternalId = "CRM-42" });
            db.AttributeDefinitions.Add(new AttributeDefinition("contract_no", AttributeType.Number, "Contract number"));
            await db.SaveChangesAsync();
        }
        TemplateEditor.Debounce = TimeSpan.FromMilliseconds(10);
        var clock = TimeProvider.System;
        var engine = new TemplateEngine();
        var audit = new AuditLog(_database.Factory, clock);
        _store = new TemplateStore(_database.Factory, engine, audit, clock);
        _ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        _ctx.Services.AddMudServices(o => o.PopoverOptions.CheckForPopoverProvider = false);
        _ctx.Services.AddLocalization();
        _ctx.Services.AddSingleton(clock);
        _ctx.Services.AddSingleton(engine);
        _ctx.Services.AddSingleton(_store);
        _ctx.Services.AddSingleton(new Portal.Infrastructure.Identity.DepartmentScopes(_database.Factory));
        _ctx.Services.AddSingleton(audit);
        _ctx.Services.AddSingleton(new TemplatePreview(_database.Factory, audit, new Portal.Infrastructure.Providers.RouteQuote(_database.Factory, clock), clock));
        _ctx.AddAuthorization().SetAuthorized("editor@portal.local").SetRoles(Roles.CampaignManager);
        _popovers = _ctx.Render<MudPopoverProvider>();
    }

    public async Task DisposeAsync()
    {
        await _ctx.DisposeAsync();
        await _database.DisposeAsync();
    }

    private IEnumerable<Snackbar> Snackbars => _ctx.Services.GetRequiredService<ISnackbar>().ShownSnackbars;

    private IRenderedComponent<TemplateEditor> Open(int? id = null) => _ctx.Render<TemplateEditor>(p => p.Add(x => x.Id, id));

    private static MudTextField<string> Body(IRenderedComponent<TemplateEditor> page) =>
        page.FindComponents<MudTextField<string>>().Single(f => f.Instance.Lines > 1).Instance;

    private static Task TypeAsync(IRenderedComponent<TemplateEditor> page, string text) =>
        page.InvokeAsync(() => Body(page).ValueChanged.InvokeAsync(text));

    private static Task SearchAsync(IRenderedComponent<TemplateEditor> page, string text) =>
        page.InvokeAsync(() => page.FindComponents<MudTextField<string>>().Single(f => f.Instance.Label == "Phone or external id").Instance.ValueChanged.InvokeAsync(text));

    private static string Preview(IRenderedComponent<TemplateEditor> page) => page.Find("[data-testid=template-preview]").TextContent;

    private async Task PickAsync(IRenderedComponent<TemplateEditor> page, string menu, string item)
    {
        await page.InvokeAsync(() => page.FindAll("button").Single(b => b.TextContent.Trim() == menu).Click());
        var entry = _popovers.WaitForElements(".mud-menu-item", TimeSpan.FromSeconds(5)).First(e => e.TextContent.Contains(item));
        await _popovers.InvokeAsync(() => entry.Click());
    }

    private async Task<int> SeedTemplateAsync(params string[] bodies)
    {
        var (id, _) = await _store.SaveAsync(null, "Greeting", bodies[0], null, "editor@portal.local", default);
        foreach (var body in bodies.Skip(1))
        {
            await _store.SaveAsync(id, "Greeting", body, null, "editor@portal.local", default);
        }
        return id;
    }

    [Fact]
    public async Task UnknownTemplate_SaysItDoesNotExist()
    {
        var page = Open(9999);

        page.WaitForAssertion(() => Assert.Contains("This template does not exist.", page.Find(".mud-alert-message").TextContent), TimeSpan.FromSeconds(5));
        Assert.Empty(page.FindAll("[data-testid=template-body]"));
    }

    [Fact]
    public async Task MergeFields_WithoutTheScript_AreAppendedWithASpace()
    {
        var page = Open();
        await TypeAsync(page, "Hi");

        await PickAsync(page, "Campaign field", "Campaign name");
        page.WaitForAssertion(() => Assert.Equal("Hi {{ campaign.name }}", Body(page).GetState(x => x.Value)), TimeSpan.FromSeconds(5));
        await PickAsync(page, "Custom attribute", "Contract number");

        page.WaitForAssertion(() => Assert.Equal("Hi {{ campaign.name }} {{ attr.contract_no }}", Body(page).GetState(x => x.Value)), TimeSpan.FromSeconds(5));
        // The sample client has no attributes; the campaign name is the template's name until it has one.
        page.WaitForAssertion(() => Assert.Equal("Hi Campaign ", Preview(page)), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task MergeField_WhenTheScriptFails_IsAppendedToAnEmptyBodyAsItIs()
    {
        _ctx.JSInterop.SetupModule(Module).Setup<string?>("insertAtCursor", _ => true).SetException(new JSException("script failed"));
        var page = Open();

        await PickAsync(page, "Campaign field", "Send date");

        page.WaitForAssertion(() => Assert.Equal("{{ campaign.date }}", Body(page).GetState(x => x.Value)), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task MergeField_WithTheScript_IsInsertedAtTheCaret_AndTheModuleIsReleasedOnClose()
    {
        var module = _ctx.JSInterop.SetupModule(Module);
        module.Setup<string?>("insertAtCursor", i => Equals(i.Arguments[1], "{{ campaign.sender }}")).SetResult("Hi {{ campaign.sender }}, bye");
        var page = Open();
        await TypeAsync(page, "Hi , bye");

        await PickAsync(page, "Campaign field", "Sender id");

        page.WaitForAssertion(() => Assert.Equal("Hi {{ campaign.sender }}, bye", Body(page).GetState(x => x.Value)), TimeSpan.FromSeconds(5));
        page.WaitForAssertion(() => Assert.Equal("Hi Portal, bye", Preview(page)), TimeSpan.FromSeconds(5));
        await _ctx.DisposeComponentsAsync();
        Assert.Single(module.Invocations["insertAtCursor"]);
    }

    [Fact]
    public async Task QuickTyping_TheNewerTextWins_TheOlderAnalysisIsDropped()
    {
        var page = Open();

        // Both edits in one dispatcher turn: the second arrives while the first still waits out the debounce.
        await page.InvokeAsync(async () =>
        {
            var older = Body(page).ValueChanged.InvokeAsync("Hello {{ client.first_name ");
            await Body(page).ValueChanged.InvokeAsync("Hello {{ client.first_name }}");
            await older;
        });

        page.WaitForAssertion(() => Assert.Equal("Hello Анна", Preview(page)), TimeSpan.FromSeconds(5));
        Assert.Empty(page.FindAll("[data-testid=template-error]"));
    }

    [Fact]
    public async Task FindClient_ByEnter_PreviewsForThatClient_AndAnUnknownKeyWarns()
    {
        var page = Open();
        await TypeAsync(page, "Hi {{ client.first_name }}");
        page.WaitForAssertion(() => Assert.Equal("Hi Анна", Preview(page)), TimeSpan.FromSeconds(5));

        await SearchAsync(page, "CRM-404");
        await page.InvokeAsync(() => page.FindAll("button").Single(b => b.TextContent.Trim() == "Find").Click());
        Assert.Contains(Snackbars, s => s.Message == "No client with this phone or external id." && s.Severity == Severity.Warning);
        Assert.Equal("Hi Анна", Preview(page));

        await SearchAsync(page, "CRM-42");
        var search = page.FindComponents<MudTextField<string>>().Single(f => f.Instance.Label == "Phone or external id");
        await page.InvokeAsync(() => search.Instance.OnKeyDown.InvokeAsync(new KeyboardEventArgs { Key = "Enter" }));

        page.WaitForAssertion(() => Assert.Equal("Hi Boris", Preview(page)), TimeSpan.FromSeconds(5));
        Assert.Contains("+79161234567", page.Find("[data-testid=preview-client]").TextContent);
        // Another key does not search.
        await page.InvokeAsync(() => search.Instance.OnKeyDown.InvokeAsync(new KeyboardEventArgs { Key = "a" }));
        Assert.Single(Snackbars);
    }

    [Fact]
    public async Task RenderErrors_AreShown_ForTheSampleAndForAClientRemovedMeanwhile()
    {
        var page = Open();
        await TypeAsync(page, "{% for i in (1..1000000) %}x{% endfor %}");
        page.WaitForAssertion(() => Assert.Contains("A range may have at most", page.Find("[data-testid=template-render-error]").TextContent), TimeSpan.FromSeconds(5));
        Assert.Empty(page.FindAll("[data-testid=template-preview]"));

        await SearchAsync(page, "CRM-42");
        await page.InvokeAsync(() => page.FindAll("button").Single(b => b.TextContent.Trim() == "Find").Click());
        await using (var db = _database.CreateContext())
        {
            await db.Clients.ExecuteDeleteAsync();
        }
        await TypeAsync(page, "Hi {{ client.first_name }}");

        page.WaitForAssertion(() => Assert.Equal("The client no longer exists.", page.Find("[data-testid=template-render-error]").TextContent.Trim()), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task SaveExisting_AddsAVersion_AndListsIt()
    {
        var id = await SeedTemplateAsync("Hello");
        var page = Open(id);
        page.WaitForAssertion(() => Assert.Equal("Hello", Body(page).GetState(x => x.Value)), TimeSpan.FromSeconds(5));
        var navigation = _ctx.Services.GetRequiredService<NavigationManager>();
        var before = navigation.Uri;

        await TypeAsync(page, "Hello again");
        await page.InvokeAsync(() => page.Find("button[data-testid=template-save]").Click());

        page.WaitForAssertion(() => Assert.Contains(Snackbars, s => s.Message == "Saved as version 2." && s.Severity == Severity.Success), TimeSpan.FromSeconds(5));
        Assert.Equal(2, page.FindAll("[data-testid=template-versions] .mud-chip").Count);
        Assert.NotEmpty(page.FindAll("[data-testid=restore-1]"));
        Assert.Empty(page.FindAll("[data-testid=restore-2]")); // the current version is not offered
        Assert.Equal(before, navigation.Uri);
    }

    [Fact]
    public async Task Save_WithASyntaxError_IsRefusedWithItsPlace_AndNothingIsSaved()
    {
        var id = await SeedTemplateAsync("Hello");
        var page = Open(id);
        page.WaitForAssertion(() => Assert.Equal("Hello", Body(page).GetState(x => x.Value)), TimeSpan.FromSeconds(5));
        await TypeAsync(page, "Hello {{ client.first_name ");

        await page.InvokeAsync(() => page.Find("button[data-testid=template-save]").Click());

        page.WaitForAssertion(() => Assert.Contains(Snackbars, s => s.Message!.StartsWith("Not saved: line 1, column") && s.Severity == Severity.Error), TimeSpan.FromSeconds(5));
        Assert.Equal(1, (await _store.FindAsync(id, default))!.Version);
    }

    [Fact]
    public async Task Save_OfATemplateDeletedMeanwhile_SaysItDoesNotExist()
    {
        var id = await SeedTemplateAsync("Hello");
        var page = Open(id);
        page.WaitForAssertion(() => Assert.Equal("Hello", Body(page).GetState(x => x.Value)), TimeSpan.FromSeconds(5));
        await using (var db = _database.CreateContext())
        {
            await db.TemplateVersions.ExecuteDeleteAsync();
            await db.Templates.ExecuteDeleteAsync();
        }

        await page.InvokeAsync(() => page.Find("button[data-testid=template-save]").Click());

        page.WaitForAssertion(() => Assert.Contains(Snackbars, s => s.Message == $"Template {id} does not exist." && s.Severity == Severity.Error), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Restore_MakesAnEarlierTextCurrentAsANewVersion_AndAVanishedVersionIsRefused()
    {
        var id = await SeedTemplateAsync("First text", "Second text", "Third text");
        var page = Open(id);
        page.WaitForAssertion(() => Assert.Equal(3, page.FindAll("[data-testid=template-versions] .mud-chip").Count), TimeSpan.FromSeconds(5));

        await page.InvokeAsync(() => page.Find("button[data-testid=restore-1]").Click());

        page.WaitForAssertion(() => Assert.Equal("First text", Body(page).GetState(x => x.Value)), TimeSpan.FromSeconds(5));
        Assert.Contains(Snackbars, s => s.Message == "Version 1 restored as version 4." && s.Severity == Severity.Success);
        Assert.Equal("First text", Preview(page));
        Assert.Equal(4, page.FindAll("[data-testid=template-versions] .mud-chip").Count);
        Assert.Equal(4, (await _store.FindAsync(id, default))!.Version);

        await using (var db = _database.CreateContext())
        {
            await db.TemplateVersions.Where(v => v.Version == 2).ExecuteDeleteAsync();
        }
        await page.InvokeAsync(() => page.Find("button[data-testid=restore-2]").Click());

        page.WaitForAssertion(() => Assert.Contains(Snackbars, s => s.Message == $"Template {id} has no version 2." && s.Severity == Severity.Error), TimeSpan.FromSeconds(5));
        Assert.Equal("First text", Body(page).GetState(x => x.Value));
        Assert.Equal(4, (await _store.FindAsync(id, default))!.Version);
    }
}
