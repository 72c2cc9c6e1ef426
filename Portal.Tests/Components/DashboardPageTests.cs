using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MudBlazor.Services;
using Portal.Domain.Access;
using Portal.Domain.Campaigns;
using Portal.Infrastructure.Dashboard;
using Portal.Infrastructure.Messaging;
using Portal.Infrastructure.Sending;
using DashboardPage = Portal.Components.Pages.Dashboard.Dashboard;

namespace Portal.Tests.Components;

/// <summary>The live dashboard page against a test double of its one query: it renders the figures and follows them as they change.</summary>
public class DashboardPageTests
{
    private static readonly DateTime Now = new(2026, 11, 25, 12, 0, 5, DateTimeKind.Utc);

    private sealed class FakeQueries : IDashboardQueries
    {
        private volatile DashboardSnapshot _snapshot = DashboardSnapshot.Empty(Now);
        private int _reads;

        public DashboardSnapshot Snapshot { get => _snapshot; set => _snapshot = value; }
        public int Reads => Volatile.Read(ref _reads);

        public Task<DashboardSnapshot> ReadAsync(DateTime dayStartUtc, CancellationToken ct = default)
        {
            Interlocked.Increment(ref _reads);
            return Task.FromResult(_snapshot);
        }
    }

    private static DashboardSnapshot Snapshot(long sent, int delivered, int queued) => new(
        Now,
        new TodayTotals(sent, delivered, 3, sent * 2, 12.5m),
        [new LiveCampaign(7, "Black Friday", CampaignStatus.Sending, Total: 100, Queued: queued, Submitted: 100 - queued - delivered,
            Delivered: delivered, Failed: 0, Deferred: 0, Control: 0, Cancelled: 0, FinalPerSecond: 5, EstimatedFinish: Now.AddMinutes(2))],
        Enumerable.Range(0, 90).Select(i => new ThroughputBucket(Now.AddSeconds(-905 + 10 * i), i == 89 ? 40 : 0, i == 89 ? 20 : 0)).ToList(),
        [new ProviderLive(1, "main", Nodes: 2, BindsUp: 3, BindsConfigured: 4, WindowInUse: 17, WindowSize: 400, PartsPerSecond: 4, ErrorPercent: 1, ThrottlePercent: 0)],
        [new QueueStats("portal.dispatch", 6, 0), new QueueStats("portal.receipts", 0, 2)],
        TimeSpan.FromMilliseconds(12));

    private static BunitContext Context(FakeQueries queries)
    {
        var ctx = new BunitContext();
        ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        ctx.Services.AddMudServices(o => o.PopoverOptions.CheckForPopoverProvider = false);
        ctx.Services.AddLocalization();
        ctx.Services.AddSingleton<IDashboardQueries>(queries);
        ctx.Services.AddSingleton(TimeProvider.System);
        ctx.Services.AddSingleton(Options.Create(new SendingOptions()));
        ctx.AddAuthorization().SetAuthorized("manager@portal.local").SetRoles(Roles.Manager);
        return ctx;
    }

    [Fact]
    public async Task Page_RendersCards_AndFollowsTheQueryEveryTick_UntilDisposed()
    {
        var queries = new FakeQueries { Snapshot = Snapshot(sent: 10, delivered: 40, queued: 50) };
        await using var ctx = Context(queries);

        var page = RenderTicking(ctx);

        Assert.Equal("10", page.Find("[data-testid=today-sent]").TextContent.Trim());
        Assert.Equal("40", page.Find("[data-testid=today-delivered]").TextContent.Trim());
        var card = page.Find("[data-testid=live-campaign]");
        Assert.Contains("Black Friday", card.TextContent);
        Assert.Equal("campaigns/7", page.Find("[data-testid=live-campaign-link]").GetAttribute("href"));
        Assert.StartsWith("40", page.Find("[data-testid=live-campaign-percent]").TextContent.Trim());
        // Stacked bar: delivered 40 %, submitted 10 %, queued 50 %.
        var widths = page.FindAll("[data-testid=stacked-bar] div").Select(d => d.GetAttribute("style")!).ToList();
        Assert.Equal(3, widths.Count);
        Assert.Contains("width:40%", widths[0]);
        Assert.Contains("3 of 4 up", page.Find("[data-testid=bind-state]").TextContent);
        Assert.Contains("Chunks to send", page.Find("[data-testid=queues]").TextContent);
        Assert.Contains("4 submitted/s", page.Find("[data-testid=throughput-now]").TextContent.Replace(".0", ""));

        // The database moves on: the page follows without a reload.
        queries.Snapshot = Snapshot(sent: 25, delivered: 100, queued: 0);
        page.WaitForAssertion(() =>
        {
            Assert.Equal("25", page.Find("[data-testid=today-sent]").TextContent.Trim());
            Assert.StartsWith("100", page.Find("[data-testid=live-campaign-percent]").TextContent.Trim());
            Assert.Contains("All messages are final.", page.Find("[data-testid=live-campaign-eta]").TextContent);
        }, TimeSpan.FromSeconds(5));
        Assert.True(queries.Reads >= 2);

        // Closing the page stops the timer.
        await ctx.DisposeComponentsAsync();
        var reads = queries.Reads;
        await Task.Delay(300);
        Assert.Equal(reads, queries.Reads);
    }

    /// <summary>Renders with a fast tick; the static goes back at once (the page copies it when created).</summary>
    private static IRenderedComponent<DashboardPage> RenderTicking(BunitContext ctx)
    {
        var interval = DashboardPage.TickInterval;
        DashboardPage.TickInterval = TimeSpan.FromMilliseconds(50);
        try
        {
            return ctx.Render<DashboardPage>();
        }
        finally
        {
            DashboardPage.TickInterval = interval;
        }
    }

    [Fact]
    public async Task HttpProvider_IsListedReady_ADisabledProviderShowsDisabled_NeverUp_AndAnOpenCircuitShows()
    {
        // Issue 12 item 5: HTTP providers on the live dashboard; a disabled one is not shown up even while a node still holds its binds.
        var snapshot = Snapshot(sent: 10, delivered: 0, queued: 0) with
        {
            Providers =
            [
                new ProviderLive(2, "gateway", Nodes: 1, BindsUp: 0, BindsConfigured: 0, WindowInUse: 3, WindowSize: 0, PartsPerSecond: 12.5,
                    ErrorPercent: 0.5, ThrottlePercent: 20, Enabled: true, Kind: Portal.Domain.Providers.ProviderKind.Http),
                new ProviderLive(3, "old smsc", Nodes: 1, BindsUp: 2, BindsConfigured: 2, WindowInUse: 0, WindowSize: 100, PartsPerSecond: 0,
                    ErrorPercent: 0, ThrottlePercent: 0, Enabled: false),
                new ProviderLive(4, "failing", Nodes: 1, BindsUp: 1, BindsConfigured: 1, WindowInUse: 0, WindowSize: 10, PartsPerSecond: 0,
                    ErrorPercent: 100, ThrottlePercent: 0, Kind: Portal.Domain.Providers.ProviderKind.Http, CircuitOpenUntil: Now.AddSeconds(25)),
            ],
        };
        await using var ctx = Context(new FakeQueries { Snapshot = snapshot });

        var page = ctx.Render<DashboardPage>();

        var rows = page.FindAll("[data-testid=providers] tbody tr");
        Assert.Equal(3, rows.Count);
        Assert.Contains("gateway", rows[0].TextContent);
        Assert.Equal("HTTP", rows[0].QuerySelector("[data-testid=provider-kind]")!.TextContent.Trim());
        Assert.Equal("Ready", rows[0].QuerySelector("[data-testid=bind-state]")!.TextContent.Trim());
        Assert.Contains("3 in flight", rows[0].TextContent);
        Assert.Contains("20.00 %", rows[0].TextContent);
        Assert.Equal("12.5", rows[0].QuerySelector("[data-testid=provider-speed]")!.TextContent.Trim());
        Assert.Equal("Disabled", rows[1].QuerySelector("[data-testid=bind-state]")!.TextContent.Trim());
        Assert.DoesNotContain("up", rows[1].QuerySelector("[data-testid=bind-state]")!.TextContent);
        // Issue 12: a circuit some node opened is shown, not "Ready".
        Assert.StartsWith("Circuit open until", rows[2].QuerySelector("[data-testid=bind-state]")!.TextContent.Trim());
    }

    [Fact]
    public async Task NoCampaignsOrProviders_SayWhy()
    {
        // An idle quarter of an hour: 90 empty buckets (an all-zero chart used to hang the render).
        var idle = Enumerable.Range(0, 90).Select(i => new ThroughputBucket(Now.AddSeconds(-905 + 10 * i), 0, 0)).ToList();
        var queries = new FakeQueries { Snapshot = DashboardSnapshot.Empty(Now) with { Throughput = idle } };
        await using var ctx = Context(queries);

        var page = ctx.Render<DashboardPage>();

        Assert.Contains("No campaign is sending, paused or due today.", page.Find("[data-testid=no-campaigns]").TextContent);
        Assert.Contains("No provider is configured.", page.Find("[data-testid=no-providers]").TextContent);
        Assert.Equal("0", page.Find("[data-testid=today-sent]").TextContent.Trim());
        Assert.Contains("Nothing was sent in the last 15 minutes.", page.Find("[data-testid=throughput-idle]").TextContent);
    }

    [Fact]
    public async Task CompletedCampaignWithNoMessages_IsListedAsFinished_NotAsRunningOrWaiting()
    {
        // Issue 20 item 6: it showed under "Running campaigns" as "Waiting for the launch."
        var snapshot = Snapshot(sent: 0, delivered: 0, queued: 0) with
        {
            Campaigns =
            [
                new LiveCampaign(8, "Tomorrow", CampaignStatus.Scheduled, 0, 0, 0, 0, 0, 0, 0, 0, 0, null),
                new LiveCampaign(9, "Empty audience", CampaignStatus.Completed, 0, 0, 0, 0, 0, 0, 0, 0, 0, null),
            ],
        };
        await using var ctx = Context(new FakeQueries { Snapshot = snapshot });

        var page = ctx.Render<DashboardPage>();

        var running = page.Find("[data-testid=running-campaigns]");
        Assert.Contains("Tomorrow", running.TextContent);
        Assert.Contains("Waiting for the launch.", running.TextContent);
        Assert.DoesNotContain("Empty audience", running.TextContent);
        var finished = page.Find("[data-testid=finished-campaigns]");
        Assert.Contains("Empty audience", finished.TextContent);
        Assert.Contains("Completed: no messages were sent.", finished.TextContent);
        Assert.Contains("Finished in the last 15 minutes", page.Markup);
    }
}
