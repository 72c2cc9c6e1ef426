using Microsoft.Extensions.DependencyInjection;
using Bunit;
using MudBlazor;
using Portal.Components.Pages.Campaigns;
using Portal.Domain.Access;
using Portal.Domain.Campaigns;
using Portal.Domain.Messages;
using Portal.Infrastructure.Campaigns;
using Portal.Tests.Infrastructure.Campaigns;

namespace Portal.Tests.Components;

public class CampaignWizardTests
{
    private const string Author = "cm@portal.local";

    private static async Task<int> ReadyDraftAsync(CampaignPageFixture f) =>
        await f.Catalog.SaveDraftAsync(null, new CampaignDraft { Name = "Black Friday", Settings = new CampaignSettings { SegmentId = f.World.Everyone, Body = "Hello {{ client.first_name }}", SenderId = "Shop" } }, CampaignCatalogTests.User(Author), f.World.Sales, default);

    [Fact]
    public async Task Wizard_InvalidSenderId_ShowsTheRuleInline_AndKeepsTheUserOnTheStep()
    {
        await using var f = await CampaignPageFixture.CreateAsync(Author, Roles.CampaignManager);
        var page = f.Context.Render<CampaignWizard>();
        page.WaitForAssertion(() => page.Find("[data-testid=audience-segment]"));

        // Next without an audience says what is missing.
        await page.InvokeAsync(() => page.Find("[data-testid=wizard-next]").Click());
        Assert.Contains("Choose an audience.", page.Find("[data-testid=wizard-error]").TextContent);

        await page.InvokeAsync(() => page.FindComponent<AudienceStep>().FindComponents<MudSelect<int>>()[0].Instance.ValueChanged.InvokeAsync(f.World.Everyone));
        await page.InvokeAsync(() => page.Find("[data-testid=wizard-next]").Click());
        page.WaitForAssertion(() => page.FindComponent<MessageStep>());

        var message = page.FindComponent<MessageStep>();
        await page.InvokeAsync(() => message.FindComponents<MudSelect<int>>()[0].Instance.ValueChanged.InvokeAsync(f.World.Template));
        Assert.Equal("Hello {{ client.first_name }}", message.Instance.Draft.Settings.Body);
        var sender = message.FindComponents<MudTextField<string>>().Single(c => c.Instance.Label == "Sender id");
        await page.InvokeAsync(() => sender.Instance.ValueChanged.InvokeAsync("Way too long sender"));
        page.WaitForAssertion(() => Assert.Contains("A sender id is up to 11 Latin letters", message.Markup));

        await page.InvokeAsync(() => page.Find("[data-testid=wizard-next]").Click());
        Assert.Contains("A sender id is up to 11", page.Find("[data-testid=wizard-error]").TextContent);
        Assert.Single(page.FindComponents<MessageStep>());
        Assert.Equal("Way too long sender", message.Instance.Draft.Settings.SenderId);

        // A valid one clears the error and the wizard moves on.
        await page.InvokeAsync(() => sender.Instance.ValueChanged.InvokeAsync("Shop"));
        Assert.DoesNotContain("A sender id is up to 11 Latin letters", message.Markup);
        await page.InvokeAsync(() => page.Find("[data-testid=wizard-next]").Click());
        page.WaitForAssertion(() => page.FindComponent<ScheduleStep>());
    }

    [Fact]
    public async Task Review_ShowsTheEstimate_AndAboveTheCostThreshold_RequiresApproval()
    {
        await using var f = await CampaignPageFixture.CreateAsync(Author, Roles.CampaignManager,
            new() { ["Campaigns:ApprovalCostThreshold"] = "10000" });
        var id = await ReadyDraftAsync(f);
        f.Estimator.Result = FakeEstimator.Estimate(recipients: 12_345, cost: 15_000m);
        f.Estimator.Gate = new TaskCompletionSource();

        var page = f.Context.Render<CampaignWizard>(p => p.Add(w => w.Id, id));
        page.WaitForAssertion(() => page.Find("[data-testid=step-4]"));
        await page.InvokeAsync(() => page.Find("[data-testid=step-4]").Click());

        page.WaitForAssertion(() => page.Find("[data-testid=estimate-progress]"));
        Assert.True(page.Find("[data-testid=wizard-schedule]").HasAttribute("disabled"));
        f.Estimator.Gate.SetResult();

        page.WaitForAssertion(() => Assert.Equal("12,345", page.Find("[data-testid=estimate-recipients]").TextContent.Trim()));
        Assert.Contains("15,000.00 RUB", page.Find("[data-testid=estimate-cost]").TextContent);
        page.FindComponent<MudChart<double>>();
        page.WaitForAssertion(() => Assert.Contains("a Manager must approve it", page.Find("[data-testid=approval-required]").TextContent));
        Assert.True(page.Find("[data-testid=wizard-schedule]").HasAttribute("disabled"));
        Assert.True((await f.Catalog.FindAsync(id, default))!.RequiresApproval);
        Assert.Empty(f.Operations.Calls);
    }

    [Fact]
    public async Task Review_BelowTheThresholds_SchedulesThroughTheOperations()
    {
        await using var f = await CampaignPageFixture.CreateAsync(Author, Roles.CampaignManager);
        var id = await ReadyDraftAsync(f);
        f.Estimator.Result = FakeEstimator.Estimate(recipients: 1_000, cost: 1_500m);

        var page = f.Context.Render<CampaignWizard>(p => p.Add(w => w.Id, id));
        page.WaitForAssertion(() => page.Find("[data-testid=step-4]"));
        await page.InvokeAsync(() => page.Find("[data-testid=step-4]").Click());
        page.WaitForAssertion(() => Assert.False(page.Find("[data-testid=wizard-schedule]").HasAttribute("disabled")));
        Assert.Empty(page.FindAll("[data-testid=approval-required]"));

        await page.InvokeAsync(() => page.Find("[data-testid=wizard-schedule]").Click());
        page.WaitForAssertion(() => Assert.Equal([$"Schedule:{id}:{Author}"], f.Operations.Calls));
        Assert.False((await f.Catalog.FindAsync(id, default))!.RequiresApproval);
    }

    [Fact]
    public async Task TestSend_ShowsTheVerifiedProfilePhoneMasked_WithNoFieldToType_SavesTheDraft_AndShowsTheStatus()
    {
        await using var f = await CampaignPageFixture.CreateAsync(Author, Roles.CampaignManager);
        var id = await ReadyDraftAsync(f);
        f.Operations.TestStatus = MessageStatus.Delivered;

        var page = f.Context.Render<CampaignWizard>(p => p.Add(w => w.Id, id));
        page.WaitForAssertion(() => page.Find("[data-testid=step-3]"));
        await page.InvokeAsync(() => page.Find("[data-testid=step-3]").Click());
        page.WaitForAssertion(() => page.FindComponent<TestSendStep>());
        // Issue 14: no number to type; the verified phone is shown masked, the server reads it from the account.
        var step = page.FindComponent<TestSendStep>().Markup;
        Assert.Contains("+7912*****89", step);
        Assert.DoesNotContain("<input", step);

        await page.InvokeAsync(() => page.Find("[data-testid=test-send]").Click());
        page.WaitForAssertion(() => Assert.Contains("Delivered", page.Find("[data-testid=test-status]").TextContent));
        Assert.Equal([$"SendTest:{id}:own:{Author}"], f.Operations.Calls);
    }

    [Fact]
    public async Task Schedule_RecurringCron_PreviewsTheNextFiveRuns_AndRefusesABadExpression()
    {
        await using var f = await CampaignPageFixture.CreateAsync(Author, Roles.CampaignManager);
        var draft = new CampaignDraft { Settings = new CampaignSettings { ScheduleKind = ScheduleKind.Recurring, Cron = "0 0 10 ? * MON", RecurrenceEndsAt = DateTime.UtcNow.AddYears(1) } };
        var step = f.Context.Render<ScheduleStep>(p => p.Add(s => s.Draft, draft));
        Assert.Equal(5, step.FindAll("[data-testid=schedule-next] .mud-list-item").Count);

        draft.Settings = draft.Settings with { Cron = "every monday" };
        step.Render();
        Assert.Contains("Not a Quartz cron expression", step.Markup);
        Assert.Empty(step.FindAll("[data-testid=schedule-next]"));
    }

    [Fact]
    public async Task MessageStep_MeasuresTheTextTheSampleClientGets_NotTheLiquidSource()
    {
        // Issue 20 item 3: the step counted the source (107 characters, 2 UCS-2 parts) while the editor and the review said 1 part.
        await using var f = await CampaignPageFixture.CreateAsync(Author, Roles.CampaignManager);
        await using (var db = f.Database.CreateContext())
        {
            // The seeded world's providers step aside: the simulator and one real provider are left.
            foreach (var seeded in db.Providers) seeded.Enabled = false;
            db.Providers.Add(new Portal.Domain.Providers.SmsProvider(Portal.Infrastructure.Sending.EmbeddedSmsc.ProviderName, Portal.Domain.Providers.ProviderKind.Smpp, "{}") { DefaultPartPrice = 0.35m });
            db.Providers.Add(new Portal.Domain.Providers.SmsProvider("Provider X", Portal.Domain.Providers.ProviderKind.Smpp, "{}") { DefaultPartPrice = 0.10m });
            await db.SaveChangesAsync();
        }
        var draft = new CampaignDraft { Settings = new CampaignSettings { Body = "{{ client.first_name }} {{ client.last_name }}, ваш бонус на счёте: {{ client.balance | money }}! Ждём вас." } };

        var step = f.Context.Render<MessageStep>(p => p.Add(s => s.Draft, draft));

        // "Анна Иванова, ваш бонус на счёте: 1 234,50 ₽! Ждём вас."
        step.WaitForAssertion(() => Assert.Equal("Length: 55", step.Find("[data-testid=message-length]").TextContent.Trim()));
        Assert.Equal("Parts: 1", step.Find("[data-testid=message-parts]").TextContent.Trim());
        Assert.Equal("UCS-2", step.Find("[data-testid=message-encoding]").TextContent.Trim());
        // Item 4: priced on the route automatic routing takes, and it says which.
        step.WaitForAssertion(() => Assert.Equal("≈ 0.10 RUB per message via Provider X", step.Find("[data-testid=message-cost]").TextContent.Trim()));
        Assert.DoesNotContain("Characters:", step.Markup);
    }

    [Fact]
    public async Task MessageStep_SyntaxError_IsSaidWithLineAndColumn()
    {
        await using var f = await CampaignPageFixture.CreateAsync(Author, Roles.CampaignManager);
        var step = f.Context.Render<MessageStep>(p => p.Add(s => s.Draft, new CampaignDraft { Settings = new CampaignSettings { Body = "Hi {{ client.first_name " } }));
        step.WaitForAssertion(() => Assert.Contains("Line 1, column", step.Find("[data-testid=message-meter-error]").TextContent));
        Assert.Empty(step.FindAll("[data-testid=message-parts]"));
    }

    [Fact]
    public async Task GoingToTheReview_OrTheTestSend_SavesTheDraft_AndSaysSo()
    {
        // Issue 20 item 9: the draft was saved silently (only the title changed to "Edit campaign").
        await using var f = await CampaignPageFixture.CreateAsync(Author, Roles.CampaignManager);
        var id = await ReadyDraftAsync(f);
        var snackbar = f.Context.Services.GetRequiredService<ISnackbar>();
        var page = f.Context.Render<CampaignWizard>(p => p.Add(w => w.Id, id));
        page.WaitForAssertion(() => page.Find("[data-testid=step-3]"));
        Assert.Empty(snackbar.ShownSnackbars);

        await page.InvokeAsync(() => page.Find("[data-testid=step-3]").Click());
        page.WaitForAssertion(() => page.Find("[data-testid=test-send]"));
        await page.InvokeAsync(() => page.Find("[data-testid=test-send]").Click());
        page.WaitForAssertion(() => Assert.Contains(snackbar.ShownSnackbars, s => s.Message == "Draft saved before the test send."));

        await page.InvokeAsync(() => page.Find("[data-testid=step-4]").Click());
        page.WaitForAssertion(() => Assert.Contains(snackbar.ShownSnackbars, s => s.Message == "Draft saved: the estimate and the schedule work on the saved campaign."));
    }

    [Fact]
    public async Task ScheduleDate_CanBeTyped_AndGreysOutDaysPastInTheUsersZone()
    {
        // Issue 20 item 9. Kiritimati (UTC+14) and Pago Pago (UTC-11) are 25 hours apart: at any moment
        // one of them is on another date than UTC, so a check done in UTC fails for one of the two.
        await using var f = await CampaignPageFixture.CreateAsync(Author, Roles.CampaignManager);
        foreach (var id in new[] { "Pacific/Kiritimati", "Pacific/Pago_Pago" })
        {
            var zone = TimeZoneInfo.FindSystemTimeZoneById(id);
            var today = TimeZoneInfo.ConvertTimeFromUtc(DateTime.UtcNow, zone).Date;
            var draft = new CampaignDraft { Settings = new CampaignSettings { ScheduleKind = ScheduleKind.At } };
            var step = f.Context.Render<ScheduleStep>(p => p.Add(s => s.Draft, draft).Add(s => s.Zone, zone));

            var picker = step.FindComponent<MudDatePicker>().Instance;
            Assert.True(picker.Editable);
            Assert.True(picker.IsDateDisabledFunc(today.AddDays(-1)), $"{id}: yesterday is selectable");
            Assert.False(picker.IsDateDisabledFunc(today), $"{id}: today is greyed out");
            Assert.False(picker.IsDateDisabledFunc(today.AddDays(30)), id);

            // Typed, not picked: the text goes through the picker's parser into the draft.
            var typed = today.AddDays(3);
            var input = step.FindComponent<MudDatePicker>().Find("input");
            await step.InvokeAsync(() => input.Change(typed.ToString(System.Globalization.CultureInfo.CurrentCulture.DateTimeFormat.ShortDatePattern, System.Globalization.CultureInfo.CurrentCulture)));
            step.WaitForAssertion(() => Assert.Equal(typed, TimeZoneInfo.ConvertTimeFromUtc(draft.LaunchAtUtc!.Value, zone).Date));
        }
    }

    [Fact]
    public async Task Review_ShowsTheLengthRange_TheProvider_AndTheLanguagesMoneyIsWrittenIn()
    {
        // Issue 20 items 3-5: the range of rendered lengths, the route priced, and how many clients get "1,234.50 RUB" rather than "1 234,50 ₽".
        await using var f = await CampaignPageFixture.CreateAsync(Author, Roles.CampaignManager);
        var id = await ReadyDraftAsync(f);
        f.Estimator.Result = FakeEstimator.Estimate(recipients: 1_000, cost: 150m) with
        {
            Length = (61, 74), Provider = "Provider X", Languages = new Dictionary<string, int> { ["ru"] = 981, ["en"] = 19 },
        };

        var page = f.Context.Render<CampaignWizard>(p => p.Add(w => w.Id, id));
        page.WaitForAssertion(() => page.Find("[data-testid=step-4]"));
        await page.InvokeAsync(() => page.Find("[data-testid=step-4]").Click());

        page.WaitForAssertion(() => Assert.Equal("61–74", page.Find("[data-testid=estimate-length]").TextContent.Trim()));
        Assert.Contains("via Provider X", page.Find("[data-testid=estimate-cost]").TextContent);
        Assert.Equal("Russian (1 234,50 ₽) 981 · English (1,234.50 RUB) 19", page.Find("[data-testid=estimate-languages]").TextContent.Trim());
    }
}
