using Bunit;
using MudBlazor;
using Portal.Components.Pages.Campaigns;
using Portal.Domain.Access;
using Portal.Domain.Campaigns;
using Portal.Infrastructure.Campaigns;
using Portal.Tests.Infrastructure.Campaigns;

namespace Portal.Tests.Components;

public class CampaignDetailsTests
{
    private const string Author = "cm@portal.local";
    private static readonly DateTime Now = new(2026, 11, 25, 12, 0, 0, DateTimeKind.Utc);

    /// <summary>A campaign of the Sales department by <see cref="Author"/>, moved to <paramref name="status"/> with the domain's own transitions.</summary>
    private static async Task<int> CampaignAsync(CampaignPageFixture f, CampaignStatus status, bool requiresApproval = false)
    {
        var id = await f.Catalog.SaveDraftAsync(null, new CampaignDraft { Name = "Black Friday", RequiresApproval = requiresApproval, Settings = new CampaignSettings { SegmentId = f.World.Everyone, Body = "Hi" } }, CampaignCatalogTests.User(Author), f.World.Sales, default);
        await using var db = f.Database.CreateContext();
        var c = db.Campaigns.Single(x => x.Id == id);
        if (status != CampaignStatus.Draft) c.Schedule(Now, Now);
        if (status is CampaignStatus.Sending or CampaignStatus.Paused or CampaignStatus.Completed) c.Start(Now);
        if (status == CampaignStatus.Paused) c.Pause(Now);
        if (status == CampaignStatus.Completed) c.Complete(Now);
        if (status == CampaignStatus.Cancelled) c.Cancel(Now);
        await db.SaveChangesAsync();
        return id;
    }

    private static string[] Actions(IRenderedComponent<CampaignDetails> page) =>
        page.FindAll("[data-testid^=action-]").Select(b => b.GetAttribute("data-testid")!["action-".Length..]).Order().ToArray();

    [Theory]
    [InlineData(CampaignStatus.Draft, false, Roles.CampaignManager, Author, "cancel,edit,schedule")]
    [InlineData(CampaignStatus.Draft, true, Roles.CampaignManager, Author, "cancel,edit")]
    [InlineData(CampaignStatus.Draft, true, Roles.Manager, Author, "cancel,edit")]
    [InlineData(CampaignStatus.Draft, true, Roles.Manager, "boss@portal.local", "approve,cancel,edit")]
    [InlineData(CampaignStatus.Draft, true, Roles.Administrator, "admin@portal.local", "approve,cancel,edit")]
    [InlineData(CampaignStatus.Scheduled, false, Roles.CampaignManager, Author, "cancel")]
    [InlineData(CampaignStatus.Sending, false, Roles.CampaignManager, Author, "cancel,pause")]
    [InlineData(CampaignStatus.Paused, false, Roles.Manager, "boss@portal.local", "cancel,resume")]
    [InlineData(CampaignStatus.Completed, false, Roles.Administrator, "admin@portal.local", "")]
    [InlineData(CampaignStatus.Cancelled, false, Roles.CampaignManager, Author, "")]
    public async Task Page_ShowsTheActionsTheStatusAndRoleAllow(CampaignStatus status, bool requiresApproval, string role, string user, string expected)
    {
        await using var f = await CampaignPageFixture.CreateAsync(user, role);
        var id = await CampaignAsync(f, status, requiresApproval);
        var page = f.Context.Render<CampaignDetails>(p => p.Add(d => d.Id, id));
        page.WaitForAssertion(() => page.Find("[data-testid=campaign-actions]"));
        Assert.Equal(expected, string.Join(",", Actions(page)));
        Assert.Contains(status.ToString(), page.Find("[data-testid=campaign-status]").TextContent);
    }

    [Fact]
    public async Task Pause_CallsTheOperation_AndApprove_ByAnotherManager()
    {
        await using (var f = await CampaignPageFixture.CreateAsync(Author, Roles.CampaignManager))
        {
            var id = await CampaignAsync(f, CampaignStatus.Sending);
            var page = f.Context.Render<CampaignDetails>(p => p.Add(d => d.Id, id));
            page.WaitForAssertion(() => page.Find("[data-testid=action-pause]"));
            await page.InvokeAsync(() => page.Find("[data-testid=action-pause]").Click());
            Assert.Equal([$"Pause:{id}:{Author}"], f.Operations.Calls);
        }
        await using (var f = await CampaignPageFixture.CreateAsync("boss@portal.local", Roles.Manager))
        {
            var id = await CampaignAsync(f, CampaignStatus.Draft, requiresApproval: true);
            var page = f.Context.Render<CampaignDetails>(p => p.Add(d => d.Id, id));
            page.WaitForAssertion(() => page.Find("[data-testid=action-approve]"));
            await page.InvokeAsync(() => page.Find("[data-testid=action-approve]").Click());
            Assert.Equal([$"Approve:{id}:boss@portal.local"], f.Operations.Calls);
        }
    }

    [Fact]
    public async Task Cancel_AsksForConfirmation_First()
    {
        await using var f = await CampaignPageFixture.CreateAsync(Author, Roles.CampaignManager);
        var id = await CampaignAsync(f, CampaignStatus.Scheduled);
        var dialogs = f.Context.Render<MudDialogProvider>();
        var page = f.Context.Render<CampaignDetails>(p => p.Add(d => d.Id, id));
        page.WaitForAssertion(() => page.Find("[data-testid=action-cancel]"));

        var click = page.InvokeAsync(() => page.Find("[data-testid=action-cancel]").Click());
        dialogs.WaitForAssertion(() => Assert.Contains("Nothing more will be sent", dialogs.Markup));
        Assert.Empty(f.Operations.Calls);
        var confirm = dialogs.FindAll("button").Single(b => b.TextContent.Contains("Cancel campaign"));
        await dialogs.InvokeAsync(() => confirm.Click());
        await click;
        page.WaitForAssertion(() => Assert.Equal([$"Cancel:{id}:{Author}"], f.Operations.Calls));
    }

    [Fact]
    public async Task OtherDepartmentsCampaign_IsNotShownToACampaignManager()
    {
        await using var f = await CampaignPageFixture.CreateAsync("other@portal.local", Roles.CampaignManager);
        var id = await CampaignAsync(f, CampaignStatus.Sending);
        var page = f.Context.Render<CampaignDetails>(p => p.Add(d => d.Id, id));
        page.WaitForAssertion(() => page.Find("[data-testid=campaign-load-error]"));
        Assert.DoesNotContain("Black Friday", page.Markup);
    }

    [Fact]
    public async Task Progress_WhileSending_RefreshesByItself()
    {
        CampaignDetails.PollInterval = TimeSpan.FromMilliseconds(50);
        await using var f = await CampaignPageFixture.CreateAsync(Author, Roles.CampaignManager);
        var id = await CampaignAsync(f, CampaignStatus.Sending);
        var delivered = 10;
        f.Operations.Progress = _ => new CampaignProgress(100, 100 - delivered, 0, 0, 0, delivered, 0, 0, 0, delivered, 0, 0, 0, []);

        var page = f.Context.Render<CampaignDetails>(p => p.Add(d => d.Id, id));
        page.WaitForAssertion(() => Assert.Contains("10 of 100 messages are final", page.Find("[data-testid=progress-text]").TextContent));
        delivered = 60;
        page.WaitForAssertion(() => Assert.Contains("60 of 100 messages are final", page.Find("[data-testid=progress-text]").TextContent), TimeSpan.FromSeconds(5));
        Assert.Equal("60", page.Find("[data-testid=progress-bar]").GetAttribute("aria-valuenow"));
    }

    [Fact]
    public async Task ProgressCard_WhenDone_ShowsCountsErrorsCostRepliesAndOptOuts()
    {
        await using var f = await CampaignPageFixture.CreateAsync(Author, Roles.CampaignManager);
        var progress = new CampaignProgress(1000, 0, 0, 100, 0, 850, 40, 0, 10, 1200, 1800.50m, 7, 3,
            [("0x0000000B invalid destination", 30), ("expired", 10)]);
        var card = f.Context.Render<CampaignProgressCard>(p => p.Add(c => c.Progress, progress).Add(c => c.Status, CampaignStatus.Completed));

        Assert.Contains("1,000 of 1,000 messages are final", card.Find("[data-testid=progress-text]").TextContent);
        Assert.Contains("1,800.50", card.Find("[data-testid=progress-cost]").TextContent);
        var results = card.Find("[data-testid=progress-results]").TextContent;
        Assert.Contains("Replies", results);
        Assert.Contains("Opt-outs caused", results);
        var errors = card.FindAll("[data-testid=progress-errors] tbody tr");
        Assert.Equal(2, errors.Count);
        Assert.Contains("invalid destination", errors[0].TextContent);
        card.FindComponent<MudChart<double>>();

        var running = f.Context.Render<CampaignProgressCard>(p => p.Add(c => c.Progress, progress with { Delivered = 100, Queued = 750 }).Add(c => c.Status, CampaignStatus.Sending));
        Assert.Empty(running.FindAll("[data-testid=progress-results]"));
    }

    [Fact]
    public async Task ProgressCard_ErrorReasons_AreWordsWithTheCodeBeside()
    {
        await using var f = await CampaignPageFixture.CreateAsync(Author, Roles.CampaignManager);
        var progress = new CampaignProgress(100, 0, 0, 0, 0, 50, 50, 0, 0, 100, 10m, 0, 0,
            [("smpp:0x00000058", 30), ("smpp:0x00000045@p2", 15), ("001", 5)]);
        var card = f.Context.Render<CampaignProgressCard>(p => p.Add(c => c.Progress, progress).Add(c => c.Status, CampaignStatus.Completed));

        var reasons = card.FindAll("[data-testid=error-reason]").Select(r => r.TextContent).ToList();
        Assert.Contains("too many messages per second", reasons[0]);
        Assert.Contains("ESME_RTHROTTLED", reasons[0]);
        Assert.Contains("smpp:0x00000058", reasons[0]);
        Assert.Contains("(part 2)", reasons[1]);
        Assert.Contains("ESME_RSUBMITFAIL", reasons[1]);
        Assert.Contains("The operator reported this error code", reasons[2]);
        Assert.Contains("001", reasons[2]);
    }

    [Fact]
    public async Task Page_SpeaksRussian()
    {
        var (ui, culture) = (System.Globalization.CultureInfo.CurrentUICulture, System.Globalization.CultureInfo.CurrentCulture);
        System.Globalization.CultureInfo.CurrentUICulture = System.Globalization.CultureInfo.CurrentCulture = new System.Globalization.CultureInfo("ru");
        try
        {
            await using var f = await CampaignPageFixture.CreateAsync(Author, Roles.CampaignManager);
            var id = await CampaignAsync(f, CampaignStatus.Sending);
            f.Operations.Progress = _ => new CampaignProgress(100, 90, 0, 0, 0, 10, 0, 0, 0, 10, 0, 0, 0, []);
            var page = f.Context.Render<CampaignDetails>(p => p.Add(d => d.Id, id));
            page.WaitForAssertion(() => Assert.Contains("Приостановить", page.Find("[data-testid=action-pause]").TextContent));
            Assert.Contains("Отправляется", page.Find("[data-testid=campaign-status]").TextContent);
            Assert.Contains("10 из 100 сообщений в итоговом статусе", page.Find("[data-testid=progress-text]").TextContent);
        }
        finally
        {
            (System.Globalization.CultureInfo.CurrentUICulture, System.Globalization.CultureInfo.CurrentCulture) = (ui, culture);
        }
    }
}
