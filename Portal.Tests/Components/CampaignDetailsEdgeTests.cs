using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using Portal.Components.Pages.Campaigns;
using Portal.Domain.Access;
using Portal.Domain.Campaigns;
using Portal.Domain.Common;
using Portal.Infrastructure.Campaigns;
using Portal.Tests.Infrastructure.Campaigns;

namespace Portal.Tests.Components;

/// <summary>The campaign page's less travelled paths: a refused action, a failed campaign, a progress read that fails, a recurring campaign's runs.</summary>
public class CampaignDetailsEdgeTests
{
    private const string Author = "cm@portal.local";
    private static readonly DateTime Now = new(2026, 11, 25, 12, 0, 0, DateTimeKind.Utc);

    private static async Task<int> CampaignAsync(CampaignPageFixture f, Action<Campaign>? move = null, CampaignSettings? settings = null)
    {
        var id = await f.Catalog.SaveDraftAsync(null, new CampaignDraft { Name = "Black Friday", Settings = settings ?? new CampaignSettings { SegmentId = f.World.Everyone, Body = "Hi" } },
            CampaignCatalogTests.User(Author), f.World.Sales, default);
        if (move is not null)
        {
            await using var db = f.Database.CreateContext();
            move(db.Campaigns.Single(c => c.Id == id));
            await db.SaveChangesAsync();
        }
        return id;
    }

    private static ScriptedOperations Scripted(CampaignPageFixture f)
    {
        var operations = new ScriptedOperations();
        f.Context.Services.AddSingleton<ICampaignOperations>(operations);
        return operations;
    }

    [Fact]
    public async Task RefusedAction_ShowsTheDomainsReason_AndTheAlertCloses()
    {
        await using var f = await CampaignPageFixture.CreateAsync(Author, Roles.CampaignManager);
        var operations = Scripted(f);
        operations.Refusal = new DomainException("A {0} campaign cannot be paused.", CampaignStatus.Completed);
        var id = await CampaignAsync(f, c => { c.Schedule(Now, Now); c.Start(Now); });
        var page = f.Context.Render<CampaignDetails>(p => p.Add(d => d.Id, id));
        page.WaitForAssertion(() => page.Find("[data-testid=action-pause]"));

        await page.InvokeAsync(() => page.Find("[data-testid=action-pause]").Click());

        page.WaitForAssertion(() => Assert.Equal("A Completed campaign cannot be paused.", page.Find("[data-testid=campaign-error]").TextContent.Trim()));
        Assert.Equal([$"Pause:{id}"], operations.Calls);
        Assert.DoesNotContain(f.Context.Services.GetRequiredService<ISnackbar>().ShownSnackbars, s => s.Message == "Campaign paused.");
        // The action button is usable again, and the alert goes when closed.
        Assert.False(page.Find("[data-testid=action-pause]").HasAttribute("disabled"));
        await page.InvokeAsync(() => page.FindComponents<MudAlert>().Single(a => a.Instance.ShowCloseIcon).Find("button").Click());
        Assert.Empty(page.FindAll("[data-testid=campaign-error]"));
    }

    [Fact]
    public async Task Schedule_OnADraft_AndResume_OnAPausedCampaign_CallTheirOperations()
    {
        await using var f = await CampaignPageFixture.CreateAsync(Author, Roles.CampaignManager);
        var operations = Scripted(f);
        var draft = await CampaignAsync(f);
        var paused = await CampaignAsync(f, c => { c.Schedule(Now, Now); c.Start(Now); c.Pause(Now); });
        var snackbar = f.Context.Services.GetRequiredService<ISnackbar>();

        var draftPage = f.Context.Render<CampaignDetails>(p => p.Add(d => d.Id, draft));
        draftPage.WaitForAssertion(() => draftPage.Find("[data-testid=action-schedule]"));
        await draftPage.InvokeAsync(() => draftPage.Find("[data-testid=action-schedule]").Click());
        var pausedPage = f.Context.Render<CampaignDetails>(p => p.Add(d => d.Id, paused));
        pausedPage.WaitForAssertion(() => pausedPage.Find("[data-testid=action-resume]"));
        await pausedPage.InvokeAsync(() => pausedPage.Find("[data-testid=action-resume]").Click());

        Assert.Equal([$"Schedule:{draft}", $"Resume:{paused}"], operations.Calls);
        Assert.Contains(snackbar.ShownSnackbars, s => s.Message == "Campaign scheduled.");
        Assert.Contains(snackbar.ShownSnackbars, s => s.Message == "Campaign resumed.");
    }

    [Fact]
    public async Task FailedCampaign_ShowsWhyItFailed_AndARedChip()
    {
        await using var f = await CampaignPageFixture.CreateAsync(Author, Roles.CampaignManager);
        var id = await CampaignAsync(f, c => { c.Schedule(Now, Now); c.Start(Now); c.Fail("No provider could take the messages.", Now); });

        var page = f.Context.Render<CampaignDetails>(p => p.Add(d => d.Id, id));

        page.WaitForAssertion(() => Assert.Contains("No provider could take the messages.", page.FindComponents<MudAlert>().Single(a => a.Instance.Severity == Severity.Error).Markup));
        Assert.Equal(Color.Error, page.FindComponent<CampaignStatusChip>().FindComponent<MudChip<string>>().Instance.Color);
        Assert.Empty(page.FindAll("[data-testid^=action-]"));
    }

    [Fact]
    public async Task ProgressReadThatFails_IsSaid_AndThePageStaysUp()
    {
        CampaignDetails.PollInterval = TimeSpan.FromMilliseconds(50);
        await using var f = await CampaignPageFixture.CreateAsync(Author, Roles.CampaignManager);
        var operations = Scripted(f);
        var reads = 0;
        operations.Progress = _ => Interlocked.Increment(ref reads) == 1
            ? new CampaignProgress(100, 90, 0, 0, 0, 10, 0, 0, 0, 10, 0, 0, 0, [])
            : throw new InvalidOperationException("database went away");
        var id = await CampaignAsync(f, c => { c.Schedule(Now, Now); c.Start(Now); });

        var page = f.Context.Render<CampaignDetails>(p => p.Add(d => d.Id, id));

        page.WaitForAssertion(() => Assert.Equal("Progress could not be read; retrying.", page.Find("[data-testid=campaign-error]").TextContent.Trim()), TimeSpan.FromSeconds(5));
        Assert.Contains("10 of 100 messages are final", page.Find("[data-testid=progress-text]").TextContent);
        Assert.Contains("Black Friday", page.Find("#page-title").TextContent);
    }

    [Fact]
    public async Task RecurringCampaign_ListsItsRuns_OrSaysThereAreNone()
    {
        await using var f = await CampaignPageFixture.CreateAsync(Author, Roles.CampaignManager);
        var id = await CampaignAsync(f, settings: new CampaignSettings
        {
            SegmentId = f.World.Everyone, Body = "Hi", ScheduleKind = ScheduleKind.Recurring, Cron = "0 0 10 ? * MON", RecurrenceEndsAt = Now.AddMonths(3),
        });

        var page = f.Context.Render<CampaignDetails>(p => p.Add(d => d.Id, id));
        page.WaitForAssertion(() => Assert.Equal("No runs yet.", page.Find("[data-testid=runs-empty]").TextContent.Trim()));

        int runId;
        await using (var db = f.Database.CreateContext())
        {
            var run = Campaign.RunOf(db.Campaigns.Single(c => c.Id == id), "Black Friday 1", Now.AddDays(5), Now.AddDays(5));
            db.Campaigns.Add(run);
            await db.SaveChangesAsync();
            runId = run.Id;
        }
        var again = f.Context.Render<CampaignDetails>(p => p.Add(d => d.Id, id));
        again.WaitForAssertion(() => again.Find("[data-testid=runs]"));
        var link = again.Find("[data-testid=runs] a");
        Assert.Equal($"campaigns/{runId}", link.GetAttribute("href"));
        Assert.Equal(BrowserTime.Format(Now.AddDays(5), TimeZoneInfo.Utc), link.TextContent.Trim());
        Assert.Contains("Draft", again.Find("[data-testid=runs]").TextContent);
        Assert.Empty(again.FindAll("[data-testid=runs-empty]"));
    }
}
