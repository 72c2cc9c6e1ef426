using System.Security.Claims;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.JSInterop;
using MudBlazor;
using MudBlazor.Services;
using Portal.Components.Tours;
using Portal.Domain.Access;
using Portal.Domain.Tours;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Tours;
using Portal.Tests.Support;

namespace Portal.Tests.Components;

/// <summary>
/// Issue 18 (covered for issue 21): the tour runner of a circuit, the "?" menu and the orientation
/// offer. The browser side (tours.js) is bUnit's JS interop: what the runner asks it to show, and what
/// it answers, are checked here; TourPlaybackTests plays the real script.
/// </summary>
public sealed class TourRunnerTests : IAsyncLifetime
{
    private const string UserId = "u-ann";

    private readonly BunitContext _ctx = new();
    private TestDatabase _database = default!;
    private TourTraining _training = default!;
    private TourCatalog _catalog = default!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        _training = new TourTraining(_database.Factory, TimeProvider.System);
        _catalog = new TourCatalog(_database.Factory, TimeProvider.System);
        _ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        _ctx.Services.AddMudServices(o => o.PopoverOptions.CheckForPopoverProvider = false);
        _ctx.Services.AddLocalization();
        _ctx.Services.AddLogging();
        _ctx.Services.AddSingleton(_catalog);
        _ctx.Services.AddScoped<TourRunner>();
        _ctx.Services.AddOptions<TourOptions>();
    }

    public async Task DisposeAsync()
    {
        await _ctx.DisposeAsync();
        await _database.DisposeAsync();
    }

    private void SignIn() =>
        _ctx.AddAuthorization().SetAuthorized("ann@example.com").SetRoles(Roles.Analyst).SetClaims(new Claim(ClaimTypes.NameIdentifier, UserId));

    private TourRunner Runner => _ctx.Services.GetRequiredService<TourRunner>();

    private NavigationManager Navigation => _ctx.Services.GetRequiredService<NavigationManager>();

    private static TourStep Step(string route, string anchor, TourWait wait = TourWait.None, string? target = null) =>
        new(route, anchor, "Title " + anchor, "Заголовок " + anchor, "Text " + anchor, "Текст " + anchor, wait, target);

    private async Task<TourPlay> PublishAsync(string key, params TourStep[] steps)
    {
        var id = await _training.CreateAsync(key, "Tour " + key, "Тур " + key, default);
        var version = await _training.SaveVersionAsync(id, "Tour " + key, "Тур " + key, steps, "trainer", default);
        await _training.PublishAsync(id, version, [], [], default);
        return (await _catalog.ForUserAsync(UserId, [Roles.Analyst], default)).Single(t => t.Id == id);
    }

    private BunitJSModuleInterop Tours(string answer = "shown")
    {
        var module = _ctx.JSInterop.SetupModule("./tours.js");
        module.Setup<string>("show", _ => true).SetResult(answer);
        return module;
    }

    [Fact]
    public async Task WithoutASignedInUser_NothingIsOfferedOrStarted()
    {
        _ctx.AddAuthorization();
        var tour = await PublishAsync("billing", Step("", "overview-stats"));

        Assert.Empty(await Runner.AvailableAsync());
        Assert.Empty(await Runner.StatesAsync());
        await Runner.StartAsync(tour);

        Assert.Null(Runner.Active);
        Assert.Empty(_ctx.JSInterop.Invocations);
        Assert.Empty(await _catalog.StatesAsync(UserId, default));
    }

    [Fact]
    public async Task NextBackAndSkip_DoNothingWithoutATour_AndBackStopsAtTheFirstStep()
    {
        SignIn();
        var module = Tours();
        await Runner.Next();
        await Runner.Back();
        await Runner.Skip();
        Assert.Null(Runner.Active);
        Assert.Empty(_ctx.JSInterop.Invocations);

        var tour = await PublishAsync("billing", Step("", "overview-stats"), Step("", "app-menu"));
        await Runner.StartAsync(tour);
        await Runner.Back();
        Assert.Equal(0, Runner.Index);
        Assert.Single(module.Invocations["show"]);
        await Runner.Next();
        await Runner.Back();
        Assert.Equal(0, Runner.Index);
        Assert.Equal(3, module.Invocations["show"].Count);
    }

    [Fact]
    public async Task ResumingOnAStepOfAClickedPage_StartsFromTheStepThatLeadsThere_OnItsPage()
    {
        SignIn();
        var module = Tours();
        var tour = await PublishAsync("results",
            Step("", "overview-stats"),
            Step("analytics", "results-link", TourWait.Navigate, "analytics/campaigns/"),
            Step("analytics/campaigns/*", "results-goal"));
        Navigation.NavigateTo("segments");

        await Runner.StartAsync(tour, fromStep: 2);

        Assert.Equal((tour, 1), (Runner.Active, Runner.Index));
        Assert.Equal("analytics", Runner.CurrentPath);
        Assert.Single(module.Invocations["show"]);
        // A resume is not a new start: nothing is recorded until the next move.
        Assert.Empty(await _catalog.StatesAsync(UserId, default));
    }

    [Fact]
    public async Task Skip_RecordsWhereTheUserStopped_AndClosesTheTour()
    {
        SignIn();
        var module = Tours();
        var close = module.SetupVoid("close", _ => true);
        close.SetVoidResult();
        var tour = await PublishAsync("billing", Step("", "overview-stats"), Step("", "app-menu"), Step("", "help"));
        var changes = 0;
        Runner.Changed += () => changes++;
        await Runner.StartAsync(tour);
        await Runner.Next();

        await Runner.Skip();

        Assert.Null(Runner.Active);
        Assert.Single(close.Invocations);
        var state = (await _catalog.StatesAsync(UserId, default))[tour.Id];
        Assert.Equal((TourStatus.Skipped, 1), (state.Status, state.LastStep));
        Assert.True(changes >= 3);
    }

    [Fact]
    public async Task AStepWaitingForAPage_MovesOnWhenTheUserOpensIt_AndTheLastNextFinishes()
    {
        SignIn();
        var module = Tours();
        var tour = await PublishAsync("results",
            Step("analytics", "results-link", TourWait.Navigate, "/analytics/campaigns/"),
            Step("analytics/campaigns/*", "results-goal"));
        await Runner.StartAsync(tour);
        Assert.Equal("analytics", Runner.CurrentPath);

        Navigation.NavigateTo("segments");
        Assert.Equal(0, Runner.Index);
        Navigation.NavigateTo("analytics/campaigns/7?tab=1");
        await WaitAsync(() => Runner.Index == 1);
        Assert.Equal(1, (await _catalog.StatesAsync(UserId, default))[tour.Id].LastStep);

        await Runner.Next();
        Assert.Null(Runner.Active);
        Assert.Equal(TourStatus.Finished, (await _catalog.StatesAsync(UserId, default))[tour.Id].Status);
        Assert.Equal(2, module.Invocations["show"].Count);
    }

    [Fact]
    public async Task ACircuitGoingAway_DuringAMoveOrAClose_IsNoError()
    {
        SignIn();
        var module = _ctx.JSInterop.SetupModule("./tours.js");
        var show = module.Setup<string>("show", _ => true);
        show.SetResult("shown");
        module.SetupVoid("close", _ => true).SetException(new JSDisconnectedException("gone"));
        var tour = await PublishAsync("results",
            Step("analytics", "results-link", TourWait.Navigate, "analytics/campaigns/"),
            Step("analytics/campaigns/*", "results-goal"));
        await Runner.StartAsync(tour);

        show.SetException(new JSDisconnectedException("gone"));
        Navigation.NavigateTo("analytics/campaigns/7?tab=1");
        await WaitAsync(() => show.Invocations.Count == 2);
        Assert.Equal(1, Runner.Index);

        // A restart closes the old one first: a gone browser is no reason to fail.
        show.SetResult("shown");
        await Runner.StartAsync(tour);
        Assert.Equal(0, Runner.Index);
    }

    [Fact]
    public async Task AMissingAnchor_StopsTheTour_AndTheOfferShowsWhy()
    {
        SignIn();
        Tours(answer: "missing");
        var tour = await PublishAsync("billing", Step("", "renamed-control"));
        _ctx.Renderer.SetRendererInfo(new RendererInfo("Static", isInteractive: false));
        var offer = _ctx.Render<TourOffer>();
        Assert.Empty(offer.FindAll("[data-testid=tour-problem]"));

        await offer.InvokeAsync(() => Runner.StartAsync(tour));

        Assert.Null(Runner.Active);
        Assert.Equal("This step's control is not on the page: the tour stops here.", Runner.Problem);
        offer.WaitForAssertion(() => Assert.Contains(Runner.Problem!, offer.Find("[data-testid=tour-problem]").TextContent));
    }

    [Fact]
    public async Task TheOrientationOffer_NotNow_RecordsItSkipped_AndHidesTheOffer()
    {
        SignIn();
        Tours();
        var orientation = await PublishAsync(TourCatalog.OrientationKey, Step("", "overview-stats"));
        _ctx.Renderer.SetRendererInfo(new RendererInfo("Server", isInteractive: true));
        var offer = _ctx.Render<TourOffer>();
        offer.WaitForAssertion(() => offer.Find("[data-testid=tour-offer]"));

        offer.Find("button[data-testid=tour-offer-later]").Click();

        offer.WaitForAssertion(() => Assert.Empty(offer.FindAll("[data-testid=tour-offer]")));
        Assert.Null(Runner.Active);
        Assert.Equal(TourStatus.Skipped, (await _catalog.StatesAsync(UserId, default))[orientation.Id].Status);
    }

    [Fact]
    public async Task TheOrientationOffer_Start_PlaysTheTourFromItsFirstStep()
    {
        SignIn();
        var module = Tours();
        var orientation = await PublishAsync(TourCatalog.OrientationKey, Step("", "overview-stats"), Step("", "app-menu"));
        _ctx.Renderer.SetRendererInfo(new RendererInfo("Server", isInteractive: true));
        var offer = _ctx.Render<TourOffer>();
        offer.WaitForAssertion(() => offer.Find("[data-testid=tour-offer]"));

        offer.Find("button[data-testid=tour-offer-start]").Click();

        offer.WaitForAssertion(() => Assert.Empty(offer.FindAll("[data-testid=tour-offer]")));
        await WaitAsync(() => Runner.Active is not null);
        Assert.Equal((orientation.Id, 0), (Runner.Active!.Id, Runner.Index));
        Assert.Single(module.Invocations["show"]);
        var state = (await _catalog.StatesAsync(UserId, default))[orientation.Id];
        Assert.Equal((TourStatus.Started, 2), (state.Status, state.StepCount));
    }

    [Fact]
    public void HelpMenu_WithNoToursPublished_SaysSo()
    {
        SignIn();
        var menu = RenderMenu();
        menu.Find("button").Click();
        menu.WaitForAssertion(() => Assert.Contains("No tours are published to you yet.", menu.Markup));
    }

    [Fact]
    public async Task HelpMenu_ListsThisPagesToursFirst_MarksFinishedOnes_AndResumesAStartedOne()
    {
        SignIn();
        var module = Tours();
        var here = await PublishAsync("here", Step("", "overview-stats"), Step("", "app-menu"), Step("", "help"));
        var done = await PublishAsync("done", Step("segments", "segments-add"));
        var other = await PublishAsync("other", Step("clients", "clients-search"));
        await _catalog.StartAsync(UserId, here, default);
        await _catalog.ReachAsync(UserId, here.Id, 1, default);
        await _catalog.StartAsync(UserId, done, default);
        await _catalog.FinishAsync(UserId, done.Id, default);

        var menu = RenderMenu();
        menu.Find("button").Click();
        menu.WaitForAssertion(() => Assert.Contains("continue at 2 of 3", menu.Markup));
        var text = menu.Markup;
        Assert.True(text.IndexOf("Tours of this page", StringComparison.Ordinal) < text.IndexOf("All tours", StringComparison.Ordinal));
        Assert.True(text.IndexOf("Tour here", StringComparison.Ordinal) < text.IndexOf("All tours", StringComparison.Ordinal));
        Assert.True(text.IndexOf("Tour other", StringComparison.Ordinal) > text.IndexOf("All tours", StringComparison.Ordinal));
        Assert.Single(menu.FindAll("[data-tour-start=done] .mud-icon-root"));
        Assert.Empty(menu.FindAll("[data-tour-start=other] .mud-icon-root"));

        await menu.InvokeAsync(() => menu.Find("[data-tour-start=here]").Click());
        await WaitAsync(() => Runner.Active is not null);
        Assert.Equal((here.Id, 1), (Runner.Active!.Id, Runner.Index));
        Assert.Single(module.Invocations["show"]);
        _ = other;
    }

    private IRenderedComponent<PopoverHost> RenderMenu() => _ctx.Render<PopoverHost>(p => p.AddChildContent<TourButton>());

    private static async Task WaitAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for the runner");
            await Task.Delay(20);
        }
    }
}
