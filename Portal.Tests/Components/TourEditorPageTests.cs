using System.Security.Claims;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Extensions;
using MudBlazor.Services;
using Portal.Components.Tours;
using Portal.Domain.Access;
using Portal.Domain.Tours;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Tours;
using Portal.Tests.Support;
using TourEditorPage = Portal.Components.Pages.Training.TourEditor;

namespace Portal.Tests.Components;

/// <summary>
/// Issue 18 (covered for issue 21): the trainer's tour editor creates a tour, saves its steps as
/// versions, reorders and removes steps, publishes and unpublishes, tries a tour and picks anchors.
/// </summary>
public sealed class TourEditorPageTests : IAsyncLifetime
{
    private static readonly TourStep First = new("", "overview-stats", "Overview", "Обзор", "The overview.", "Обзор.");
    private static readonly TourStep Second = new("", "app-menu", "Menu", "Меню", "The menu.", "Меню.");

    private readonly BunitContext _ctx = new();
    private TestDatabase _database = default!;
    private TourTraining _training = default!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        _training = new TourTraining(_database.Factory, TimeProvider.System);
        _ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        _ctx.Services.AddMudServices(o => o.PopoverOptions.CheckForPopoverProvider = false);
        _ctx.Services.AddLocalization();
        _ctx.Services.AddLogging();
        _ctx.Services.AddSingleton(_training);
        _ctx.Services.AddSingleton(new TourCatalog(_database.Factory, TimeProvider.System));
        _ctx.Services.AddScoped<TourRunner>();
        _ctx.AddAuthorization().SetAuthorized("trainer@example.com").SetRoles(Roles.Trainer)
            .SetClaims(new Claim(ClaimTypes.NameIdentifier, "trainer-1"));
    }

    public async Task DisposeAsync()
    {
        await _ctx.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task NewTour_RefusesATakenKey_ThenCreatesTheTourWithItsFirstVersion_AndOpensIt()
    {
        await _training.CreateAsync("billing", "Billing", "Оплата", default);
        var page = _ctx.Render<TourEditorPage>();
        Assert.Equal("New tour", page.Find("#page-title").TextContent);
        Assert.True(page.Find("button[data-testid=tour-try]").HasAttribute("disabled"));
        Assert.Empty(page.FindAll("[data-testid=tour-publish]"));

        await SetAsync(page, Field<MudTextField<string>>(page, "tour-key"), "billing");
        await SetAsync(page, Field<MudTextField<string>>(page, "tour-title-en"), "Reports");
        await SetAsync(page, Field<MudTextField<string>>(page, "tour-title-ru"), "Отчёты");
        page.Find("button[data-testid=tour-add-step]").Click();
        Assert.Single(page.FindAll("[data-testid=tour-step]"));
        await FillStepAsync(page, 0, "overview-stats", "Look here.", "Смотрите сюда.");
        page.Find("button[data-testid=tour-save]").Click();
        page.WaitForAssertion(() => Assert.Equal("A tour with this key exists.", page.Find("[data-testid=tour-error]").TextContent.Trim()));

        await SetAsync(page, Field<MudTextField<string>>(page, "tour-key"), "monthly-report");
        page.Find("button[data-testid=tour-save]").Click();

        var created = (await _training.ToursAsync(default)).Single(t => t.Key == "monthly-report");
        var navigation = _ctx.Services.GetRequiredService<NavigationManager>();
        page.WaitForAssertion(() => Assert.EndsWith($"training/tours/{created.Id}", navigation.Uri));
        Assert.Equal(("Reports", "Отчёты", 1, null), (created.TitleEn, created.TitleRu, created.LatestVersion, created.PublishedVersion));
        var step = Assert.Single(await _training.StepsAsync(created.Id, 1, default));
        Assert.Equal(("", "overview-stats", "Look here.", "Смотрите сюда.", TourWait.None), (step.Route, step.Anchor, step.TextEn, step.TextRu, step.Wait));
    }

    [Fact]
    public async Task ExistingTour_OpensThePublishedVersion_ReordersAndSavesANewVersion_PublishesAndUnpublishes()
    {
        var id = await _training.CreateAsync("billing", "Billing", "Оплата", default);
        await _training.SaveVersionAsync(id, "Billing", "Оплата", [First], "trainer", default);
        await _training.SaveVersionAsync(id, "Billing", "Оплата", [First, Second], "trainer", default);
        await _training.PublishAsync(id, 1, [], [], default);
        await using (var db = _database.CreateContext())
        {
            db.Users.Add(new Portal.Infrastructure.Identity.PortalUser { Id = "u-ann", UserName = "ann@portal.local", Email = "ann@portal.local" });
            await db.SaveChangesAsync();
        }

        var page = _ctx.Render<TourEditorPage>(p => p.Add(x => x.Id, id));
        page.WaitForAssertion(() => Assert.Equal("Version 1 is published.", page.Find("[data-testid=tour-published]").TextContent.Trim()));
        Assert.Single(page.FindAll("[data-testid=tour-step]"));
        Assert.True(Field<MudTextField<string>>(page, "tour-key").Instance.Disabled);

        // The newer, unpublished version.
        var version = Field<MudSelect<int>>(page, "tour-version");
        await page.InvokeAsync(() => version.Instance.ValueChanged.InvokeAsync(2));
        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("[data-testid=tour-step]").Count));
        Assert.Equal(["overview-stats", "app-menu"], Anchors(page));
        Assert.True(page.FindAll("button[aria-label='Move up']")[0].HasAttribute("disabled"));
        Assert.True(page.FindAll("button[aria-label='Move down']")[1].HasAttribute("disabled"));

        page.FindAll("button[aria-label='Move down']")[0].Click();
        Assert.Equal(["app-menu", "overview-stats"], Anchors(page));
        page.FindAll("button[aria-label='Move up']")[1].Click();
        Assert.Equal(["overview-stats", "app-menu"], Anchors(page));

        // A third step that waits for a page: its target field appears with the choice.
        page.Find("button[data-testid=tour-add-step]").Click();
        Assert.Equal(3, page.FindAll("[data-testid=tour-step]").Count);
        await FillStepAsync(page, 2, "overview-stats", "Open it.", "Откройте.");
        Assert.Empty(page.FindAll("[data-testid=step-target]"));
        var wait = page.FindComponents<MudSelect<TourWait>>()[2];
        await page.InvokeAsync(() => wait.Instance.ValueChanged.InvokeAsync(TourWait.Navigate));
        Assert.Equal("Page reached", Field<MudTextField<string>>(page, "step-target").Instance.Label);
        await page.InvokeAsync(() => wait.Instance.ValueChanged.InvokeAsync(TourWait.Appear));
        Assert.Equal("Anchor that appears", Field<MudTextField<string>>(page, "step-target").Instance.Label);
        await SetAsync(page, Field<MudTextField<string>>(page, "step-target"), " segments-add ");
        page.FindAll("button[aria-label='Remove']")[1].Click();
        Assert.Equal(["overview-stats", "overview-stats"], Anchors(page));

        page.Find("button[data-testid=tour-save]").Click();
        page.WaitForAssertion(() => Assert.Contains("3", page.Find(".mud-chip").TextContent));
        var saved = await _training.StepsAsync(id, 3, default);
        Assert.Equal([(TourWait.None, null), (TourWait.Appear, "segments-add")], saved.Select(s => (s.Wait, s.WaitTarget)));
        Assert.Equal(3, (await _training.VersionsAsync(id, default)).Count);
        Assert.Empty(page.FindAll("[data-testid=tour-error]"));

        // The saved version, published to one role and one user.
        await page.InvokeAsync(() => Field<MudSelect<string>>(page, "publish-roles").Instance.SelectedValuesChanged.InvokeAsync([Roles.Analyst]));
        await page.InvokeAsync(() => Field<MudSelect<string>>(page, "publish-users").Instance.SelectedValuesChanged.InvokeAsync(["u-ann"]));
        Assert.Contains("ann@portal.local", Field<MudSelect<string>>(page, "publish-users").Instance.GetState(x => x.Text));
        page.Find("button[data-testid=tour-publish]").Click();
        page.WaitForAssertion(() => Assert.Equal("Version 3 is published.", page.Find("[data-testid=tour-published]").TextContent.Trim()));
        var published = (await _training.ToursAsync(default)).Single(t => t.Id == id);
        Assert.Equal(3, published.PublishedVersion);
        Assert.Equal([Roles.Analyst], published.Roles);
        Assert.Equal(["u-ann"], published.Users);

        page.Find("button[data-testid=tour-unpublish]").Click();
        page.WaitForAssertion(() => Assert.Equal("Not published.", page.Find("[data-testid=tour-published]").TextContent.Trim()));
        Assert.Null((await _training.ToursAsync(default)).Single(t => t.Id == id).PublishedVersion);
    }

    [Fact]
    public async Task SavingAnInvalidStep_ShowsTheReason_AndSavesNothing()
    {
        var id = await _training.CreateAsync("billing", "Billing", "Оплата", default);
        await _training.SaveVersionAsync(id, "Billing", "Оплата", [First], "trainer", default);
        var page = _ctx.Render<TourEditorPage>(p => p.Add(x => x.Id, id));
        page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-testid=tour-step]")));

        page.Find("button[data-testid=tour-add-step]").Click();
        await FillStepAsync(page, 1, "not a valid anchor!", "Text.", "Текст.");
        page.Find("button[data-testid=tour-save]").Click();

        page.WaitForAssertion(() => Assert.Equal("An anchor is 1 to 100 letters, digits, dashes or underscores.", page.Find("[data-testid=tour-error]").TextContent.Trim()));
        Assert.Single(await _training.VersionsAsync(id, default));
    }

    [Fact]
    public void UnknownTour_SaysSo()
    {
        var page = _ctx.Render<TourEditorPage>(p => p.Add(x => x.Id, 999));
        page.WaitForAssertion(() => Assert.Equal("No such tour.", page.Find("[data-testid=tour-error]").TextContent.Trim()));
        Assert.Empty(page.FindAll("[data-testid=tour-step]"));
    }

    [Fact]
    public async Task TryIt_RefusesAStepWithoutText_ElsePlaysTheEditedStepsThroughTheRunner()
    {
        var id = await _training.CreateAsync("billing", "Billing", "Оплата", default);
        await _training.SaveVersionAsync(id, "Billing", "Оплата", [First], "trainer", default);
        var show = _ctx.JSInterop.SetupModule("./tours.js").Setup<string>("show", _ => true);
        show.SetResult("shown");
        var page = _ctx.Render<TourEditorPage>(p => p.Add(x => x.Id, id));
        page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-testid=tour-step]")));

        page.Find("button[data-testid=tour-add-step]").Click();
        page.Find("button[data-testid=tour-try]").Click();
        page.WaitForAssertion(() => Assert.Equal("An anchor is 1 to 100 letters, digits, dashes or underscores.", page.Find("[data-testid=tour-error]").TextContent.Trim()));
        var runner = _ctx.Services.GetRequiredService<TourRunner>();
        Assert.Null(runner.Active);

        page.FindAll("button[aria-label='Remove']")[1].Click();
        page.Find("button[data-testid=tour-try]").Click();
        page.WaitForAssertion(() => Assert.NotNull(runner.Active));
        Assert.Equal((id, "billing", 1, 0), (runner.Active!.Id, runner.Active.Key, runner.Active.Steps.Count, runner.Index));
        Assert.Single(show.Invocations);
    }

    [Fact]
    public async Task AnchorField_OffersThePagesAnchors_AndThePickerFillsItFromAClickInThePreview()
    {
        var id = await _training.CreateAsync("billing", "Billing", "Оплата", default);
        await _training.SaveVersionAsync(id, "Billing", "Оплата", [First], "trainer", default);
        var picker = _ctx.JSInterop.SetupModule("./tourpicker.js");
        var pick = picker.SetupVoid("pick", _ => true);
        var page = _ctx.Render<TourEditorPage>(p => p.Add(x => x.Id, id));
        page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-testid=tour-step]")));

        var anchor = Field<MudAutocomplete<string>>(page, "step-anchor");
        var search = anchor.Instance.SearchFunc ?? throw new InvalidOperationException("no search");
        async Task<List<string>> SearchAsync(string text) => [.. (await search(text, default)!) ?? []];
        var offered = await SearchAsync("STAT");
        Assert.Contains("overview-stats", offered);
        Assert.All(offered, a => Assert.Contains("stat", a, StringComparison.OrdinalIgnoreCase));
        Assert.Equal(TourAnchors.ByPage[""], await SearchAsync(""));

        // Opened and cancelled: nothing changes.
        page.Find("button[data-testid=step-pick]").Click();
        page.WaitForAssertion(() => Assert.Equal("/", page.Find("iframe#tour-preview").GetAttribute("src")));
        page.Find("button[data-testid=tour-picker-cancel]").Click();
        Assert.Empty(page.FindAll("[data-testid=tour-picker]"));
        Assert.Equal(["overview-stats"], Anchors(page));

        // Opened again: the click in the preview comes back as the step's anchor.
        page.Find("button[data-testid=step-pick]").Click();
        page.WaitForAssertion(() => Assert.Equal(2, pick.Invocations.Count));
        Assert.Equal("tour-preview", pick.Invocations.Last().Arguments[0]);
        await page.Instance.AnchorPicked("app-menu");
        page.WaitForAssertion(() => Assert.Empty(page.FindAll("[data-testid=tour-picker]")));
        Assert.Equal(["app-menu"], Anchors(page));
    }

    private static List<string?> Anchors(IRenderedComponent<TourEditorPage> page) =>
        [.. Fields<MudAutocomplete<string>>(page, "step-anchor").Select(a => a.Instance.GetState(x => x.Value))];

    private static async Task FillStepAsync(IRenderedComponent<TourEditorPage> page, int index, string anchor, string textEn, string textRu)
    {
        await SetAsync(page, Fields<MudAutocomplete<string>>(page, "step-anchor")[index], anchor);
        var texts = page.FindComponents<MudTextField<string>>();
        await SetAsync(page, texts.Where(t => t.Instance.Label == "Text (English)").ToList()[index], textEn);
        await SetAsync(page, texts.Where(t => t.Instance.Label == "Text (Russian)").ToList()[index], textRu);
    }

    private static Task SetAsync<T>(IRenderedComponent<TourEditorPage> page, IRenderedComponent<T> field, string value) where T : MudBaseInput<string> =>
        page.InvokeAsync(() => field.Instance.ValueChanged.InvokeAsync(value));

    private static IRenderedComponent<T> Field<T>(IRenderedComponent<TourEditorPage> page, string testId) where T : MudComponentBase =>
        Fields<T>(page, testId).Single();

    private static List<IRenderedComponent<T>> Fields<T>(IRenderedComponent<TourEditorPage> page, string testId) where T : MudComponentBase =>
        [.. page.FindComponents<T>().Where(c => Equals(c.Instance.UserAttributes.GetValueOrDefault("data-testid"), testId))];
}
