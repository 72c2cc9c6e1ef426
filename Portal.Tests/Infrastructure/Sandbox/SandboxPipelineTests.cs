using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Portal.Domain.Access;
using Portal.Domain.Campaigns;
using Portal.Domain.Messages;
using Portal.Domain.Providers;
using Portal.Domain.Sandbox;
using Portal.Infrastructure.Analytics;
using Portal.Infrastructure.Bi;
using Portal.Infrastructure.Campaigns;
using Portal.Infrastructure.Clients;
using Portal.Infrastructure.Dashboard;
using Portal.Infrastructure.Inbound;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Providers;
using Portal.Infrastructure.Sandbox;
using Portal.Infrastructure.Segments;
using Portal.Infrastructure.Sending;
using Portal.Infrastructure.Smpp.Simulator;
using Portal.Infrastructure.Templates;
using Portal.Tests.Infrastructure.Sending;

namespace Portal.Tests.Infrastructure.Sandbox;

/// <summary>
/// Issue 18, item 4, through the real pipeline (database, bus, SMPP over loopback TCP): a sandbox
/// campaign that names a real provider, cheaper than the simulator and up, sends every message to
/// the built-in simulator and not one submit_sm to the real one; the simulator's replies and STOPs
/// reach the trainee's sandbox inbox; real clients, analytics, BI exports and the dashboard totals
/// never see a sandbox row, while a real campaign sent next to it is counted as before.
/// </summary>
public sealed class SandboxPipelineTests
{
    private const string Trainee = "trainee-user-id";

    public static TheoryData<DatabaseProvider> Providers => [DatabaseProvider.Sqlite, DatabaseProvider.Postgres];

    internal static ClaimsPrincipal User(string name, params string[] roles) =>
        new(new ClaimsIdentity([new(ClaimTypes.Name, name), .. roles.Select(r => new Claim(ClaimTypes.Role, r))], "test"));

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task SandboxCampaign_NamingACheaperRealProvider_OnlyTheSimulatorSends_RepliesReachTheSandboxInbox_RealTotalsUnchanged(DatabaseProvider provider)
    {
        // The harness's own SMSC is the "real" provider: 127.0.0.1, not named as the simulator, 0.35 a part.
        await using var h = await DispatchHarness.CreateAsync(provider, rabbit: false);
        var replies = new SandboxReplies { ReplyEvery = 2, StopEvery = 3 };
        var builtIn = new SmscSimulator(new SmscSimulatorOptions
        {
            KeepMessages = true, ReceiptDelay = TimeSpan.FromMilliseconds(5), AutoReply = replies.Answer, ReplyDelay = TimeSpan.FromMilliseconds(50),
        });
        var builtInPort = (await builtIn.StartAsync()).Port;
        await using var _ = builtIn;
        int simulatorId;
        await using (var db = h.Database.CreateContext())
        {
            var row = new SmsProvider(EmbeddedSmsc.ProviderName, ProviderKind.Smpp,
                new ProviderSettings { Host = "127.0.0.1", Port = builtInPort, SystemId = "portal", Password = "portal", Binds = 1 }.ToJson()) { DefaultPartPrice = 0.50m };
            db.Providers.Add(row);
            await db.SaveChangesAsync();
            simulatorId = row.Id;
        }
        await h.SeedClientsAsync(30);
        await h.StartAsync();

        // A real campaign first, to prove the exclusions leave real figures alone.
        var realCampaign = await h.CreateCampaignAsync();
        await h.Get<CampaignLauncher>().LaunchAsync(realCampaign, default);
        await h.WaitUntilAsync(realCampaign, DispatchHarness.AllFinal, TimeSpan.FromSeconds(30));
        var realSubmits = h.Smsc.Statistics.SubmitSm;
        Assert.Equal(30, realSubmits);
        var dayStart = DateTime.UtcNow.Date;
        var dashboardBefore = await h.Get<IDashboardQueries>().ReadAsync(dayStart);

        // The trainee's practice campaign names the real provider (cheaper than the simulator).
        var sandbox = h.Get<TrainingSandbox>();
        var sandboxCampaign = await sandbox.SendAsync(User("trainee@test.local"), Trainee, "Practice", "Hi {{ client.first_name }}", h.ProviderId, default);
        await h.WaitUntilAsync(sandboxCampaign, DispatchHarness.AllFinal, TimeSpan.FromSeconds(30));

        // Routing: not one submit_sm more at the real provider; all 24 at the simulator, to synthetic phones only.
        Assert.Equal(realSubmits, h.Smsc.Statistics.SubmitSm);
        Assert.Equal(SandboxPartition.SyntheticClients, builtIn.Statistics.Accepted);
        Assert.All(builtIn.Messages, m => Assert.True(SandboxPartition.IsSyntheticPhone("+" + m.To.Value), m.To.Value));
        await using (var db = h.Database.CreateContext())
        {
            var sent = await db.Messages.Where(m => m.CampaignId == sandboxCampaign).ToListAsync();
            Assert.Equal(SandboxPartition.SyntheticClients, sent.Count);
            Assert.All(sent, m => Assert.Equal(simulatorId, m.ProviderId));
            var realClientIds = await db.Clients.Where(c => c.SandboxOwnerId == null).Select(c => c.Id).ToListAsync();
            Assert.DoesNotContain(sent, m => realClientIds.Contains(m.ClientId));
        }

        // Replies and STOPs (24 sends: 8 STOP, 8 replies) reach the sandbox inbox only.
        var inbox = h.Get<InboxQueries>();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        InboxPage mine;
        do
        {
            mine = await sandbox.InboxAsync(inbox, Trainee, default);
            if (mine.Total >= 16) break;
            await Task.Delay(100);
        }
        while (DateTime.UtcNow < deadline);
        Assert.Equal(16, mine.Total);
        Assert.Equal(8, mine.Rows.Count(r => r.Kind == InboundKind.OptOut));
        Assert.Equal(0, (await inbox.PageAsync(new InboxQuery(), 0, 50, unmasked: true, default)).Total);
        await using (var db = h.Database.CreateContext())
        {
            Assert.Equal(8, await db.Clients.CountAsync(c => c.SandboxOwnerId == Trainee && c.OptedOutAt != null));
            Assert.Equal(0, await db.Clients.CountAsync(c => c.SandboxOwnerId == null && c.OptedOutAt != null));
        }

        // Real pages, analytics, exports and the dashboard: only the real campaign and the 30 real clients.
        var directory = await h.Get<ClientDirectory>().PageAsync(null, ClientSort.Id, false, 0, 100, seesPersonalData: true, default);
        Assert.Equal(30, directory.Total);
        Assert.DoesNotContain(directory.Rows, r => SandboxPartition.IsSyntheticPhone(r.Phone));
        Assert.DoesNotContain(await h.Get<CampaignCatalog>().ListAsync(new CampaignListQuery(), default), c => c.Id == sandboxCampaign);
        Assert.DoesNotContain(await h.Get<SegmentStore>().ListAsync(default), s => s.Name == TrainingSandbox.AudienceName);
        Assert.DoesNotContain(await h.Get<TemplateStore>().ListAsync(default), t => t.Name == TrainingSandbox.StarterTemplateName);
        var report = await h.Get<CampaignsReport>().GetAsync(new CampaignsReportFilter(dayStart.AddDays(-1), dayStart.AddDays(2)), null, 30, default);
        Assert.Equal([realCampaign], report.Campaigns.Select(c => c.Id));
        Assert.Equal(30, report.Campaigns.Single().Recipients);
        var bi = h.Get<BiReader>();
        foreach (var dataset in new[] { BiDatasets.Messages, BiDatasets.Campaigns, BiDatasets.Replies, BiDatasets.DailyCost })
        {
            var rows = new List<object?[]>();
            await foreach (var row in bi.ReadAsync(BiDatasets.Find(dataset)!, new BiFilter(), personal: false)) rows.Add([.. row]);
            var expected = dataset switch { BiDatasets.Messages => 30, BiDatasets.Campaigns => 1, BiDatasets.Replies => 0, _ => 1 };
            Assert.True(expected == rows.Count, $"{dataset}: {rows.Count} rows, expected {expected}");
        }
        var dashboard = await h.Get<IDashboardQueries>().ReadAsync(dayStart);
        Assert.Equal(30, dashboard.Today.Sent);
        Assert.Equal(dashboardBefore.Today.Sent, dashboard.Today.Sent);
        Assert.DoesNotContain(dashboard.Campaigns, c => c.Id == sandboxCampaign);
    }
}
