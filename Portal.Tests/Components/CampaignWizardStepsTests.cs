using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using Portal.Components.Pages.Campaigns;
using Portal.Domain.Access;
using Portal.Domain.Campaigns;
using Portal.Domain.Common;
using Portal.Infrastructure.Campaigns;
using Portal.Tests.Infrastructure.Campaigns;

namespace Portal.Tests.Components;

/// <summary>The wizard keeps the user on a step until it is complete, and says what a refused save or schedule was refused for.</summary>
public class CampaignWizardStepsTests
{
    private const string Author = "cm@portal.local";
    private static readonly DateTime Now = new(2026, 11, 25, 12, 0, 0, DateTimeKind.Utc);

    private static async Task<int> ReadyDraftAsync(CampaignPageFixture f) =>
        await f.Catalog.SaveDraftAsync(null, new CampaignDraft { Name = "Black Friday", Settings = new CampaignSettings { SegmentId = f.World.Everyone, Body = "Hello", SenderId = "Shop" } },
            CampaignCatalogTests.User(Author), f.World.Sales, default);

    private static async Task NextAsync(IRenderedComponent<CampaignWizard> page) => await page.InvokeAsync(() => page.Find("[data-testid=wizard-next]").Click());

    private static string Error(IRenderedComponent<CampaignWizard> page) => page.Find("[data-testid=wizard-error]").TextContent.Trim();

    [Fact]
    public async Task EveryStep_SaysWhatIsMissing_UntilItIsComplete_ThenTheDraftSaves()
    {
        await using var f = await CampaignPageFixture.CreateAsync(Author, Roles.CampaignManager);
        var page = f.Context.Render<CampaignWizard>();
        page.WaitForAssertion(() => page.Find("[data-testid=audience-segment]"));
        await page.InvokeAsync(() => page.FindComponents<MudTextField<string>>().Single(c => c.Instance.Label == "Campaign name").Instance.ValueChanged.InvokeAsync("Spring sale"));

        // Audience: the same segment as audience and exclusion.
        var audience = page.FindComponent<AudienceStep>();
        await page.InvokeAsync(() => audience.FindComponents<MudSelect<int>>()[0].Instance.ValueChanged.InvokeAsync(f.World.Everyone));
        await page.InvokeAsync(() => audience.FindComponents<MudSelect<int>>()[1].Instance.SelectedValuesChanged.InvokeAsync([f.World.Everyone]));
        await NextAsync(page);
        Assert.Equal("A segment cannot be both the audience and an exclusion.", Error(page));
        await page.InvokeAsync(() => audience.FindComponents<MudSelect<int>>()[1].Instance.SelectedValuesChanged.InvokeAsync([f.World.Vip]));
        Assert.Equal([f.World.Vip], audience.Instance.Draft.Settings.ExcludedSegmentIds);
        await NextAsync(page);

        // Message: nothing written.
        page.WaitForAssertion(() => page.FindComponent<MessageStep>());
        await NextAsync(page);
        Assert.Equal("Write the message or choose a template.", Error(page));
        var message = page.FindComponent<MessageStep>();
        await page.InvokeAsync(() => message.FindComponents<MudTextField<string>>().Single(c => c.Instance.Label == "Text").Instance.ValueChanged.InvokeAsync("Sale starts today"));
        await NextAsync(page);

        // Schedule: a date not chosen, a cron that is no cron, a recurrence without an end.
        page.WaitForAssertion(() => page.FindComponent<ScheduleStep>());
        var schedule = page.FindComponent<ScheduleStep>();
        await page.InvokeAsync(() => schedule.FindComponent<MudRadioGroup<ScheduleKind>>().Instance.ValueChanged.InvokeAsync(ScheduleKind.At));
        await NextAsync(page);
        Assert.Equal("Choose the date and time to send.", Error(page));
        await page.InvokeAsync(() => schedule.FindComponent<MudRadioGroup<ScheduleKind>>().Instance.ValueChanged.InvokeAsync(ScheduleKind.Recurring));
        await page.InvokeAsync(() => schedule.FindComponents<MudTextField<string>>().Single(c => c.Instance.Label == "Cron expression (Quartz, UTC)").Instance.ValueChanged.InvokeAsync("every monday"));
        await NextAsync(page);
        Assert.Equal(CronPreview.NotCron, Error(page));
        await page.InvokeAsync(() => schedule.FindComponents<MudTextField<string>>().Single(c => c.Instance.Label == "Cron expression (Quartz, UTC)").Instance.ValueChanged.InvokeAsync("0 0 10 ? * MON"));
        await NextAsync(page);
        Assert.Equal("A recurring campaign needs an end date.", Error(page));
        var ends = DateTime.UtcNow.Date.AddMonths(2);
        await page.InvokeAsync(() => schedule.FindComponent<MudDatePicker>().Instance.DateChanged.InvokeAsync(ends));
        await NextAsync(page);
        page.WaitForAssertion(() => page.FindComponent<TestSendStep>());
        Assert.Empty(page.FindAll("[data-testid=wizard-error]"));

        // Save draft: everything typed is kept.
        await page.InvokeAsync(() => page.Find("[data-testid=wizard-save]").Click());
        var snackbar = f.Context.Services.GetRequiredService<ISnackbar>();
        page.WaitForAssertion(() => Assert.Contains(snackbar.ShownSnackbars, s => s.Message == "Draft saved."));
        await using var db = f.Database.CreateContext();
        var saved = db.Campaigns.Single();
        Assert.Equal((f.World.Everyone, "Sale starts today", ScheduleKind.Recurring, "0 0 10 ? * MON"), (saved.Settings.SegmentId, saved.Settings.Body, saved.Settings.ScheduleKind, saved.Settings.Cron));
        Assert.Equal([f.World.Vip], saved.Settings.ExcludedSegmentIds);
        Assert.Equal(ends.AddHours(23).AddMinutes(59), saved.Settings.RecurrenceEndsAt);
        Assert.EndsWith($"campaigns/{saved.Id}/edit", f.Context.Services.GetRequiredService<NavigationManager>().Uri);
    }

    [Fact]
    public async Task SaveDraft_OfACampaignScheduledMeanwhile_IsRefused_WithTheReason_AndTheTestSendSaysSaveFirst()
    {
        await using var f = await CampaignPageFixture.CreateAsync(Author, Roles.CampaignManager);
        var id = await ReadyDraftAsync(f);
        var page = f.Context.Render<CampaignWizard>(p => p.Add(w => w.Id, id));
        page.WaitForAssertion(() => page.Find("[data-testid=wizard-save]"));
        await using (var db = f.Database.CreateContext())
        {
            db.Campaigns.Single(c => c.Id == id).Schedule(Now, Now);
            await db.SaveChangesAsync();
        }

        await page.InvokeAsync(() => page.Find("[data-testid=wizard-save]").Click());

        page.WaitForAssertion(() => Assert.Equal("Only a Draft campaign can be edited; this one is Scheduled.", Error(page)));
        Assert.DoesNotContain(f.Context.Services.GetRequiredService<ISnackbar>().ShownSnackbars, s => s.Message == "Draft saved.");

        await page.InvokeAsync(() => page.Find("[data-testid=step-3]").Click());
        page.WaitForAssertion(() => page.Find("[data-testid=test-send]"));
        await page.InvokeAsync(() => page.Find("[data-testid=test-send]").Click());
        page.WaitForAssertion(() => Assert.Equal("Save the draft first: fix the error above.", page.Find("[data-testid=test-error]").TextContent.Trim()));
        Assert.Empty(f.Operations.Calls);
    }

    [Fact]
    public async Task Schedule_RefusedByTheDomain_ShowsTheReason_AndStaysOnTheReview()
    {
        await using var f = await CampaignPageFixture.CreateAsync(Author, Roles.CampaignManager);
        var operations = new ScriptedOperations { Refusal = new DomainException("The audience is empty: nothing to send.") };
        f.Context.Services.AddSingleton<ICampaignOperations>(operations);
        var id = await ReadyDraftAsync(f);
        var page = f.Context.Render<CampaignWizard>(p => p.Add(w => w.Id, id));
        page.WaitForAssertion(() => page.Find("[data-testid=step-4]"));
        await page.InvokeAsync(() => page.Find("[data-testid=step-4]").Click());
        page.WaitForAssertion(() => Assert.False(page.Find("[data-testid=wizard-schedule]").HasAttribute("disabled")));

        await page.InvokeAsync(() => page.Find("[data-testid=wizard-schedule]").Click());

        page.WaitForAssertion(() => Assert.Equal("The audience is empty: nothing to send.", Error(page)));
        Assert.Equal([$"Schedule:{id}"], operations.Calls);
        page.FindComponent<ReviewStep>();
        Assert.False(new Uri(f.Context.Services.GetRequiredService<NavigationManager>().Uri).AbsolutePath.EndsWith($"/campaigns/{id}", StringComparison.Ordinal));
    }
}
