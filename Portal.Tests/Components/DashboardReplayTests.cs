using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MudBlazor;
using MudBlazor.Services;
using Portal.Domain.Access;
using Portal.Domain.Audit;
using Portal.Domain.Campaigns;
using Portal.Identity;
using Portal.Infrastructure.Audit;
using Portal.Infrastructure.Dashboard;
using Portal.Infrastructure.Messaging;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Sending;
using Portal.Tests.Support;
using DashboardPage = Portal.Components.Pages.Dashboard.Dashboard;

namespace Portal.Tests.Components;

/// <summary>The dashboard's dead-letter replay (issue 13) and the provider and campaign states the other tests do not reach.</summary>
public class DashboardReplayTests
{
    private static readonly DateTime Now = new(2026, 11, 25, 12, 0, 5, DateTimeKind.Utc);

    private sealed class FixedQueries(DashboardSnapshot snapshot) : IDashboardQueries
    {
        public Task<DashboardSnapshot> ReadAsync(DateTime dayStartUtc, CancellationToken ct = default) => Task.FromResult(snapshot);
    }

    /// <summary>A broker that has <see cref="DeadLetters"/> to move back, or (null) answers the replay with an error.</summary>
    private sealed class ReplayBus : IMessageBus
    {
        public int? DeadLetters { get; init; }
        public List<string> Replayed { get; } = [];

        public Task PublishAsync<T>(string queue, T message, CancellationToken ct = default) => Task.CompletedTask;
        public Task<IAsyncDisposable> SubscribeAsync<T>(string queue, Func<T, CancellationToken, Task> handler, SubscriptionOptions? options = null, CancellationToken ct = default) =>
            throw new NotSupportedException();
        public Task<QueueStats> GetStatsAsync(string queue, CancellationToken ct = default) => throw new NotSupportedException();

        public Task<int> ReplayDeadLettersAsync(string queue, CancellationToken ct = default)
        {
            Replayed.Add(queue);
            return DeadLetters is int n ? Task.FromResult(n) : Task.FromException<int>(new MessagePublishException("broker unreachable"));
        }
    }

    private static readonly DashboardSnapshot WithDeadLetters = DashboardSnapshot.Empty(Now) with
    {
        Campaigns = [new LiveCampaign(7, "Black Friday", CampaignStatus.Sending, 0, 0, 0, 0, 0, 0, 0, 0, 0, null)],
        Providers =
        [
            new ProviderLive(1, "no node", Nodes: 0, BindsUp: 0, BindsConfigured: 2, WindowInUse: 0, WindowSize: 10, PartsPerSecond: 0, ErrorPercent: 0, ThrottlePercent: 0),
            new ProviderLive(2, "down", Nodes: 1, BindsUp: 0, BindsConfigured: 2, WindowInUse: 0, WindowSize: 10, PartsPerSecond: 0, ErrorPercent: 0, ThrottlePercent: 0),
        ],
        Queues = [new QueueStats("portal.receipts", 0, 3)],
    };

    private static BunitContext Context(TestDatabase database, IMessageBus bus, string role, params string[] policies)
    {
        var ctx = new BunitContext();
        ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        ctx.Services.AddMudServices(o => o.PopoverOptions.CheckForPopoverProvider = false);
        ctx.Services.AddLocalization();
        ctx.Services.AddSingleton<IDashboardQueries>(new FixedQueries(WithDeadLetters));
        ctx.Services.AddSingleton(TimeProvider.System);
        var sending = Options.Create(new SendingOptions());
        ctx.Services.AddSingleton(sending);
        ctx.Services.AddSingleton(new DeadLetters(bus, sending, new AuditLog(database.Factory, TimeProvider.System)));
        ctx.AddAuthorization().SetAuthorized("admin@portal.local").SetRoles(role).SetPolicies(policies);
        return ctx;
    }

    [Fact]
    public async Task Administrator_ReplaysTheDeadLetters_ItIsSaidHowManyAndAudited()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        var bus = new ReplayBus { DeadLetters = 3 };
        await using var ctx = Context(database, bus, Roles.Administrator, Policies.Administration);

        var page = ctx.Render<DashboardPage>();
        page.WaitForAssertion(() => page.Find("[data-testid=replay-dead-letters]"));
        await page.InvokeAsync(() => page.Find("[data-testid=replay-dead-letters]").Click());

        Assert.Equal(["portal.receipts"], bus.Replayed);
        Assert.Contains(ctx.Services.GetRequiredService<ISnackbar>().ShownSnackbars, s => s.Message == "3 dead letters sent back to the queue." && s.Severity == Severity.Success);
        await using var db = database.CreateContext();
        var audit = await db.AuditEntries.SingleAsync(a => a.Action == AuditActions.DeadLettersReplayed);
        Assert.Equal("replayed=3", audit.Details);
        Assert.False(page.Find("[data-testid=replay-dead-letters]").HasAttribute("disabled"));
    }

    [Fact]
    public async Task Replay_TheBrokerDoesNotAnswer_IsSaid_AndNothingIsAudited()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        var bus = new ReplayBus();
        await using var ctx = Context(database, bus, Roles.Administrator, Policies.Administration);

        var page = ctx.Render<DashboardPage>();
        page.WaitForAssertion(() => page.Find("[data-testid=replay-dead-letters]"));
        await page.InvokeAsync(() => page.Find("[data-testid=replay-dead-letters]").Click());

        Assert.Contains(ctx.Services.GetRequiredService<ISnackbar>().ShownSnackbars,
            s => s.Message == "The dead letters could not be replayed: the message broker did not answer." && s.Severity == Severity.Error);
        await using var db = database.CreateContext();
        Assert.False(await db.AuditEntries.AnyAsync(a => a.Action == AuditActions.DeadLettersReplayed));
        Assert.False(page.Find("[data-testid=replay-dead-letters]").HasAttribute("disabled"));
    }

    [Fact]
    public async Task Manager_SeesTheDeadLetters_WithoutAReplay_AndProvidersNotConnectedOrDown()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using var ctx = Context(database, new ReplayBus { DeadLetters = 3 }, Roles.Manager);

        var page = ctx.Render<DashboardPage>();

        page.WaitForAssertion(() => Assert.Equal("3", page.Find("[data-testid=dead-letters]").TextContent.Trim()));
        Assert.Empty(page.FindAll("[data-testid=replay-dead-letters]"));
        var states = page.FindAll("[data-testid=bind-state]").Select(s => s.TextContent.Trim()).ToList();
        Assert.Equal(["Not connected", "Down"], states);
        var chips = page.FindComponents<MudChip<string>>().Where(c => c.Markup.Contains("bind-state", StringComparison.Ordinal)).Select(c => c.Instance.Color).ToList();
        Assert.Equal([Color.Default, Color.Error], chips);
        // A sending campaign with no messages yet says so, not a finish time.
        Assert.Contains("No messages yet.", page.Find("[data-testid=live-campaign-eta]").TextContent);
    }
}
