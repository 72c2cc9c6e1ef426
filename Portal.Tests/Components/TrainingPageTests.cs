using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Extensions;
using MudBlazor.Services;
using Portal.Domain.Access;
using Portal.Domain.Tours;
using Portal.Infrastructure.Identity;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Tours;
using Portal.Tests.Support;
using TrainingPageComponent = Portal.Components.Pages.Training.TrainingPage;

namespace Portal.Tests.Components;

/// <summary>
/// Issue 18 (covered for issue 21): the trainer's training page lists tours with their audience,
/// assigns a tour to a role with a due date and removes it, and reports each tour's funnel and each
/// person's progress.
/// </summary>
public sealed class TrainingPageTests : IAsyncLifetime
{
    private static readonly TourStep Step = new("", "overview-stats", "Overview", "Обзор", "The overview.", "Обзор.");

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
        _ctx.Services.AddSingleton(_training);
        _ctx.AddAuthorization().SetAuthorized("trainer@example.com").SetRoles(Roles.Trainer);
    }

    public async Task DisposeAsync()
    {
        await _ctx.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task Tours_ShowVersionAndAudience_AssignmentsAreAddedAndRemoved_ProgressIsReported()
    {
        await using (var db = _database.CreateContext())
        {
            db.Users.Add(new PortalUser { Id = "u-ann", UserName = "ann@portal.local", Email = "ann@portal.local" });
            db.Users.Add(new PortalUser { Id = "u-bob", UserName = "bob@portal.local", Email = "bob@portal.local" });
            db.Tours.Add(new Tour("shipped", "Shipped tour", "Встроенный тур", builtIn: true, DateTime.UtcNow));
            await db.SaveChangesAsync();
        }
        var billing = await _training.CreateAsync("billing", "Billing", "Оплата", default);
        await _training.SaveVersionAsync(billing, "Billing", "Оплата", [Step, Step with { Anchor = "app-menu" }], "trainer", default);
        await _training.SaveVersionAsync(billing, "Billing", "Оплата", [Step, Step with { Anchor = "app-menu" }], "trainer", default);
        await _training.PublishAsync(billing, 1, [Roles.Analyst], ["u-bob"], default);
        var reports = await _training.CreateAsync("reports", "Reports", "Отчёты", default);
        await _training.SaveVersionAsync(reports, "Reports", "Отчёты", [Step], "trainer", default);
        await _training.PublishAsync(reports, 1, [], [], default);
        var play = (await _catalog.ForUserAsync("u-ann", [Roles.Analyst], default)).Single(t => t.Id == billing);
        await _catalog.StartAsync("u-ann", play, default);
        await _catalog.ReachAsync("u-ann", billing, 1, default);
        await _catalog.StartAsync("u-bob", play, default);
        await _catalog.SkipAsync("u-bob", billing, 0, default);
        var overdue = DateTime.UtcNow.AddDays(-2);
        await _training.AssignAsync(billing, null, "u-ann", overdue, "trainer", default);

        var page = _ctx.Render<TrainingPageComponent>();
        page.WaitForAssertion(() => Assert.Equal(3, page.FindAll("[data-testid=training-tours] tbody tr").Count));
        var rows = page.FindAll("[data-testid=training-tours] tbody tr").Select(r => r.TextContent).ToList();
        Assert.Contains("built-in", rows[0]);
        Assert.Contains("not published", rows[0]);
        Assert.Contains("1 of 2 published", rows[1]);
        Assert.Contains("Analyst, bob@portal.local", rows[1]);
        Assert.Contains("everyone", rows[2]);
        Assert.NotNull(page.Find($"[data-testid=edit-tour-billing]"));

        // Assignments: one to Ann already; one without a role or a user is refused with the reason.
        page.FindAll(".mud-tab")[1].Click();
        page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-testid=assignments] tbody tr")));
        var annRow = page.Find("[data-testid=assignments] tbody tr").TextContent;
        Assert.Contains("ann@portal.local", annRow);
        Assert.Contains(overdue.ToString("d"), annRow);
        var shipped = (await _training.ToursAsync(default)).Single(t => t.BuiltIn).Id;
        Assert.Equal(shipped, Field<MudSelect<int>>(page, "assign-tour").Instance.GetState(x => x.Value));

        page.Find("button[data-testid=assign-save]").Click();
        page.WaitForAssertion(() => Assert.Equal("Assign a tour to a role or to a user.", page.Find("[data-testid=assign-error]").TextContent.Trim()));

        await page.InvokeAsync(() => Field<MudSelect<int>>(page, "assign-tour").Instance.ValueChanged.InvokeAsync(reports));
        await page.InvokeAsync(() => Field<MudSelect<string>>(page, "assign-role").Instance.ValueChanged.InvokeAsync(Roles.Manager));
        var due = new DateTime(2031, 5, 20);
        await page.InvokeAsync(() => page.FindComponent<MudDatePicker>().Instance.DateChanged.InvokeAsync(due));
        page.Find("button[data-testid=assign-save]").Click();
        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("[data-testid=assignments] tbody tr").Count));
        Assert.Empty(page.FindAll("[data-testid=assign-error]"));
        var added = (await _training.AssignmentsAsync(default)).Single(a => a.Role == Roles.Manager);
        Assert.Equal(("Reports", null, due.ToUniversalTime(), "trainer@example.com"), (added.Tour, added.UserEmail, added.DueAt, added.AssignedBy));
        Assert.Contains(page.FindAll("[data-testid=assignments] tbody tr"), r => r.TextContent.Contains(Roles.Manager));

        var remove = page.FindAll("[data-testid=assignments] tbody tr").Single(r => r.TextContent.Contains(Roles.Manager)).QuerySelector("button[aria-label=Remove]")!;
        remove.Click();
        page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-testid=assignments] tbody tr")));
        Assert.Equal(["u-ann"], (await _training.AssignmentsAsync(default)).Select(a => a.UserEmail == "ann@portal.local" ? "u-ann" : a.UserEmail));

        // Progress: Ann stopped at step 2, Bob skipped at step 1.
        page.FindAll(".mud-tab")[2].Click();
        page.WaitForAssertion(() => Assert.Equal("2", page.Find($"[data-testid=started-{billing}]").TextContent.Trim()));
        Assert.Equal("0", page.Find($"[data-testid=finished-{billing}]").TextContent.Trim());
        var funnel = page.FindAll("[data-testid=tour-funnels] tbody tr").Select(r => r.TextContent).ToList();
        Assert.Contains("step 1: 1, step 2: 1", funnel[1]);
        Assert.Contains("—", funnel[2]);
        var people = page.FindAll("[data-testid=tour-people] tbody tr").Select(r => r.TextContent).ToList();
        Assert.Equal(2, people.Count);
        var ann = people.Single(p => p.Contains("ann@portal.local"));
        Assert.Contains("Started", ann);
        Assert.Contains("2 of 2", ann);
        Assert.Contains(overdue.ToString("d"), ann);
        Assert.NotEmpty(page.FindAll("[data-testid=tour-people] tbody tr .mud-error-text"));
        Assert.Contains("Skipped", people.Single(p => p.Contains("bob@portal.local")));
        await using var check = _database.CreateContext();
        Assert.Equal(2, await check.TourProgress.CountAsync(p => p.TourId == billing));
    }

    private static IRenderedComponent<T> Field<T>(IRenderedComponent<TrainingPageComponent> page, string testId) where T : MudComponentBase =>
        page.FindComponents<T>().Single(c => Equals(c.Instance.UserAttributes.GetValueOrDefault("data-testid"), testId));
}
