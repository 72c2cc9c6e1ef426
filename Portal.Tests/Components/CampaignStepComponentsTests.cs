using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.JSInterop;
using MudBlazor;
using Portal.Components.Pages.Campaigns;
using Portal.Domain.Access;
using Portal.Domain.Analytics;
using Portal.Domain.Campaigns;
using Portal.Domain.Common;
using Portal.Infrastructure.Campaigns;
using Portal.Infrastructure.Segments;

namespace Portal.Tests.Components;

/// <summary>The wizard's steps and the campaign pages' small parts, each rendered on its own.</summary>
public class CampaignStepComponentsTests
{
    private const string Author = "cm@portal.local";
    private static readonly DateTime Now = new(2026, 11, 25, 12, 0, 0, DateTimeKind.Utc);

    [Fact]
    public async Task AudienceStep_ASegmentDeletedSinceItWasChosen_SaysTheRuleIsInvalid_AndNamesTheExclusions()
    {
        await using var f = await CampaignPageFixture.CreateAsync(Author, Roles.CampaignManager);
        var segments = new List<NamedId> { new(f.World.Everyone, "Everyone"), new(f.World.Vip, "VIP") };
        var draft = new CampaignDraft { Settings = new CampaignSettings { SegmentId = 9_999, ExcludedSegmentIds = [f.World.Vip] } };

        var step = f.Context.Render<AudienceStep>(p => p.Add(s => s.Draft, draft).Add(s => s.Segments, segments));

        step.WaitForAssertion(() => Assert.Equal("This audience's rule is invalid: fix it in Audiences.", step.Find("[data-testid=audience-count]").TextContent.Trim()));
        var exclusions = step.FindComponents<MudSelect<int>>()[1].Instance;
        Assert.Equal("VIP", exclusions.ToStringFunc!(f.World.Vip));
        Assert.Equal("12345", exclusions.ToStringFunc!(12_345));
    }

    [Fact]
    public async Task TestSendStep_ShowsItIsSending_ThenTheStatus_OrTheDomainsRefusal()
    {
        await using var f = await CampaignPageFixture.CreateAsync(Author, Roles.CampaignManager);
        var operations = new ScriptedOperations { TestGate = new TaskCompletionSource() };
        f.Context.Services.AddSingleton<ICampaignOperations>(operations);
        var step = f.Context.Render<TestSendStep>(p => p.Add(s => s.InitialPhone, "+79123456789").Add(s => s.SaveAsync, () => Task.FromResult<int?>(42)));

        var click = step.InvokeAsync(() => step.Find("[data-testid=test-send]").Click());
        step.WaitForAssertion(() => Assert.True(step.Find("[data-testid=test-send]").HasAttribute("disabled")));
        step.FindComponent<MudProgressCircular>();
        operations.TestGate.SetResult();
        await click;
        step.WaitForAssertion(() => Assert.Contains("Delivered", step.Find("[data-testid=test-status]").TextContent));
        Assert.Empty(step.FindComponents<MudProgressCircular>());

        operations.Refusal = new DomainException("A test message goes only to a verified phone.");
        await step.InvokeAsync(() => step.Find("[data-testid=test-send]").Click());
        step.WaitForAssertion(() => Assert.Equal("A test message goes only to a verified phone.", step.Find("[data-testid=test-error]").TextContent.Trim()));
        Assert.Empty(step.FindAll("[data-testid=test-status]"));
        Assert.Equal(["SendTest:42", "SendTest:42"], operations.Calls);
    }

    [Fact]
    public async Task ScheduleStep_WarnsOfATimePassed_AndWritesQuietHoursSpeedAndValidity()
    {
        await using var f = await CampaignPageFixture.CreateAsync(Author, Roles.CampaignManager);
        var draft = new CampaignDraft { Settings = new CampaignSettings { ScheduleKind = ScheduleKind.At, QuietHoursEnabled = true }, LaunchAtUtc = DateTime.UtcNow.AddHours(-1) };

        var step = f.Context.Render<ScheduleStep>(p => p.Add(s => s.Draft, draft));

        Assert.Contains("This time has passed: the campaign will start as soon as it is scheduled.", step.Markup);
        var pickers = step.FindComponents<MudTimePicker>();
        await step.InvokeAsync(() => pickers.Single(t => t.Instance.Label == "From").Instance.TimeChanged.InvokeAsync(new TimeSpan(22, 30, 0)));
        await step.InvokeAsync(() => pickers.Single(t => t.Instance.Label == "To").Instance.TimeChanged.InvokeAsync(new TimeSpan(8, 0, 0)));
        await step.InvokeAsync(() => step.FindComponent<MudNumericField<int?>>().Instance.ValueChanged.InvokeAsync(50));
        await step.InvokeAsync(() => step.FindComponents<MudNumericField<int>>().Single(n => n.Instance.Label == "Validity, hours").Instance.ValueChanged.InvokeAsync(12));

        Assert.Equal((22 * 60 + 30, 8 * 60, 50, 12), (draft.Settings.QuietFromMinute, draft.Settings.QuietToMinute, draft.Settings.SpeedLimit, draft.Settings.ValidityHours));

        draft.LaunchAtUtc = DateTime.UtcNow.AddDays(1);
        step.Render();
        Assert.DoesNotContain("This time has passed", step.Markup);
    }

    [Fact]
    public async Task GoalFields_WithAGoal_WriteTheMinimumAmountAndTheWindow()
    {
        await using var f = await CampaignPageFixture.CreateAsync(Author, Roles.CampaignManager);
        var draft = new CampaignDraft { Settings = new CampaignSettings { GoalEvents = GoalEventTypes.Purchase } };

        var goal = f.Context.Render<CampaignGoalFields>(p => p.Add(s => s.Draft, draft));
        await goal.InvokeAsync(() => goal.FindComponent<MudNumericField<decimal?>>().Instance.ValueChanged.InvokeAsync(1500m));
        await goal.InvokeAsync(() => goal.FindComponent<MudNumericField<int>>().Instance.ValueChanged.InvokeAsync(48));

        Assert.Equal((1500m, 48), (draft.Settings.GoalMinAmount, draft.Settings.AttributionWindowHours));
        // A combination has no label of its own: it is named by its flags.
        Assert.Equal("Purchase, Payment", CampaignGoalFields.Label(GoalEventTypes.Purchase | GoalEventTypes.Payment));
    }

    [Fact]
    public async Task MessageStep_Advertising_SaysWhoGetsIt_AndTheProviderCanBeChosenAndCleared()
    {
        await using var f = await CampaignPageFixture.CreateAsync(Author, Roles.CampaignManager);
        var draft = new CampaignDraft { Purpose = MessagePurpose.Advertising, Settings = new CampaignSettings { Body = "Sale" } };
        var providers = new List<NamedId> { new(f.World.Provider, "Main SMSC") };

        var step = f.Context.Render<MessageStep>(p => p.Add(s => s.Draft, draft).Add(s => s.Providers, providers));

        Assert.Contains("38-FZ art. 18", step.Find("[data-testid=advertising-note]").TextContent);
        var provider = step.FindComponents<MudSelect<int>>().Single(s => s.Instance.Label == "Provider").Instance;
        await step.InvokeAsync(() => provider.ValueChanged.InvokeAsync(f.World.Provider));
        Assert.Equal(f.World.Provider, draft.Settings.ProviderId);
        await step.InvokeAsync(() => provider.ValueChanged.InvokeAsync(0));
        Assert.Null(draft.Settings.ProviderId);

        draft.Purpose = MessagePurpose.Service;
        step.Render();
        Assert.Empty(step.FindAll("[data-testid=advertising-note]"));
    }

    [Fact]
    public async Task MessageMeter_ATemplateThatFailsToRender_SaysWhy()
    {
        await using var f = await CampaignPageFixture.CreateAsync(Author, Roles.CampaignManager);

        var meter = f.Context.Render<MessageMeter>(p => p.Add(m => m.Text, "{% for i in (1..100000000) %}x{% endfor %}"));

        meter.WaitForAssertion(() => Assert.StartsWith("A range may have at most", meter.Find("[data-testid=message-meter-error]").TextContent.Trim()));
        Assert.Empty(meter.FindAll("[data-testid=message-parts]"));
    }

    [Fact]
    public async Task ReviewStep_AnEstimateThatFails_IsSaid_AndTryAgainEstimatesAgain()
    {
        await using var f = await CampaignPageFixture.CreateAsync(Author, Roles.CampaignManager);
        var estimator = new ScriptedEstimator { Failure = new DomainException("Segment {0} does not exist.", 9_999) };
        f.Context.Services.AddSingleton<ICampaignEstimator>(estimator);
        var campaign = new Campaign("Black Friday", null, MessagePurpose.Service, Author, Now, new CampaignSettings { Body = "Hi" });

        var step = f.Context.Render<ReviewStep>(p => p.Add(s => s.Draft, CampaignDraft.From(campaign)).Add(s => s.Campaign, campaign));

        step.WaitForAssertion(() => Assert.Equal("Segment 9999 does not exist.", step.Find("[data-testid=estimate-error]").TextContent.Trim()));
        Assert.True(step.Find("[data-testid=wizard-schedule]").HasAttribute("disabled"));
        estimator.Failure = null;
        await step.InvokeAsync(() => step.FindAll("button").Single(b => b.TextContent.Contains("Try again")).Click());
        step.WaitForAssertion(() => Assert.Equal("1,000", step.Find("[data-testid=estimate-recipients]").TextContent.Trim()));
        Assert.Empty(step.FindAll("[data-testid=estimate-error]"));
        // A language without a money example is shown by its code.
        Assert.Equal("Russian (1 234,50 ₽) 990 · de 10", step.Find("[data-testid=estimate-languages]").TextContent.Trim());
        Assert.Equal(2, estimator.Calls);
    }

    [Fact]
    public async Task ReviewStep_ClosedWhileEstimating_StopsTheEstimate_AndDecidesNothing()
    {
        await using var f = await CampaignPageFixture.CreateAsync(Author, Roles.CampaignManager);
        f.Estimator.Gate = new TaskCompletionSource();
        var decisions = new List<bool>();
        var campaign = new Campaign("Black Friday", null, MessagePurpose.Service, Author, Now, new CampaignSettings { Body = "Hi" });
        var step = f.Context.Render<ReviewStep>(p => p.Add(s => s.Draft, CampaignDraft.From(campaign)).Add(s => s.Campaign, campaign)
            .Add(s => s.ApprovalChanged, (bool required) => decisions.Add(required)));
        step.WaitForAssertion(() => step.Find("[data-testid=estimate-progress]"));

        await f.Context.DisposeComponentsAsync();
        f.Estimator.Gate.SetResult();

        Assert.Empty(decisions);
    }

    [Fact]
    public async Task ReviewStep_AnApprovedCampaign_SaysWhoApproved_AndMayBeScheduled()
    {
        await using var f = await CampaignPageFixture.CreateAsync(Author, Roles.CampaignManager);
        var campaign = new Campaign("Black Friday", null, MessagePurpose.Service, Author, Now, new CampaignSettings { Body = "Hi" }) { RequiresApproval = true };
        campaign.Approve("boss@portal.local", Now);

        var step = f.Context.Render<ReviewStep>(p => p.Add(s => s.Draft, CampaignDraft.From(campaign)).Add(s => s.Campaign, campaign));

        step.WaitForAssertion(() => Assert.Equal("Approved by boss@portal.local.", step.Find("[data-testid=approved]").TextContent.Trim()));
        Assert.Empty(step.FindAll("[data-testid=approval-required]"));
        step.WaitForAssertion(() => Assert.False(step.Find("[data-testid=wizard-schedule]").HasAttribute("disabled")));
    }

    [Fact]
    public async Task SettingsSummary_SaysWhenADatedOrRecurringCampaignGoesOut()
    {
        await using var f = await CampaignPageFixture.CreateAsync(Author, Roles.CampaignManager);
        var zone = TimeZoneInfo.FindSystemTimeZoneById("Asia/Vladivostok");
        string Schedule(CampaignDraft draft) =>
            f.Context.Render<CampaignSettingsSummary>(p => p.Add(s => s.Draft, draft).Add(s => s.Zone, zone))
                .FindAll("[data-testid=campaign-summary] tr").Single(r => r.TextContent.StartsWith("Schedule", StringComparison.Ordinal)).Children[1].TextContent;

        var at = new CampaignDraft { Settings = new CampaignSettings { ScheduleKind = ScheduleKind.At }, LaunchAtUtc = Now };
        Assert.Equal(BrowserTime.Format(Now, zone), Schedule(at));
        Assert.Equal(new DateTime(2026, 11, 25, 22, 0, 0).ToString("g"), Schedule(at));
        var recurring = new CampaignDraft { Settings = new CampaignSettings { ScheduleKind = ScheduleKind.Recurring, Cron = "0 0 10 ? * MON", RecurrenceEndsAt = Now } };
        Assert.Equal($"0 0 10 ? * MON (UTC), until {BrowserTime.Format(Now, zone)}", Schedule(recurring));
        // A kind this page does not know (a newer version's) is shown as stored, not as a blank.
        Assert.Equal("7", Schedule(new CampaignDraft { Settings = new CampaignSettings { ScheduleKind = (ScheduleKind)7 } }));
    }

    [Fact]
    public async Task StatusChip_AFailedCampaignIsRed_AnUnknownStatusIsPlain()
    {
        await using var f = await CampaignPageFixture.CreateAsync(Author, Roles.CampaignManager);
        var chip = f.Context.Render<CampaignStatusChip>(p => p.Add(c => c.Status, CampaignStatus.Failed));
        Assert.Equal(Color.Error, chip.FindComponent<MudChip<string>>().Instance.Color);
        Assert.Equal("Failed", chip.Find("[data-testid=campaign-status]").TextContent.Trim());
        Assert.Equal(Color.Default, CampaignStatusChip.ColorOf((CampaignStatus)99));
    }

    [Fact]
    public async Task BrowserTime_TakesTheBrowsersZone_OrUtcWhenTheBrowserCannotTell()
    {
        await using var ctx = new BunitContext();
        var module = ctx.JSInterop.SetupModule("./campaigns.js");
        module.Setup<string?>("timeZone").SetResult("Asia/Vladivostok");
        Assert.Equal("Asia/Vladivostok", (await BrowserTime.ZoneAsync(ctx.JSInterop.JSRuntime)).Id);

        await using var broken = new BunitContext();
        broken.JSInterop.SetupModule("./campaigns.js").Setup<string?>("timeZone").SetException(new JSException("Intl is not available"));
        Assert.Equal(TimeZoneInfo.Utc, await BrowserTime.ZoneAsync(broken.JSInterop.JSRuntime));

        await using var unknown = new BunitContext();
        unknown.JSInterop.SetupModule("./campaigns.js").Setup<string?>("timeZone").SetResult("Mars/Olympus_Mons");
        Assert.Equal(TimeZoneInfo.Utc, await BrowserTime.ZoneAsync(unknown.JSInterop.JSRuntime));
    }

    [Fact]
    public void BrowserTime_AWallClockTimeSkippedByTheSpringChange_MovesAnHourForward()
    {
        var berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
        // 29 March 2026: 02:00 CET becomes 03:00 CEST, so 02:30 never happens; 03:30 CEST is 01:30 UTC.
        Assert.Equal(new DateTime(2026, 3, 29, 1, 30, 0, DateTimeKind.Utc), BrowserTime.ToUtc(new DateTime(2026, 3, 29, 2, 30, 0), berlin));
        Assert.Equal(new DateTime(2026, 3, 29, 0, 30, 0, DateTimeKind.Utc), BrowserTime.ToUtc(new DateTime(2026, 3, 29, 1, 30, 0), berlin));
    }

    /// <summary>Fails with <see cref="Failure"/> while it is set; otherwise a fixed estimate with a language that has no money example.</summary>
    private sealed class ScriptedEstimator : ICampaignEstimator
    {
        public Exception? Failure { get; set; }
        public int Calls { get; private set; }

        public Task<CampaignEstimate> EstimateAsync(Campaign campaign, IProgress<double>? progress = null, CancellationToken ct = default)
        {
            Calls++;
            return Failure is { } failure
                ? Task.FromException<CampaignEstimate>(failure)
                : Task.FromResult(FakeEstimator.Estimate(recipients: 1_000, cost: 150m) with { Languages = new Dictionary<string, int> { ["de"] = 10, ["ru"] = 990 } });
        }
    }
}
