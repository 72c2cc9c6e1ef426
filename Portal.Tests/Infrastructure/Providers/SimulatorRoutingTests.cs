using Microsoft.EntityFrameworkCore;
using Portal.Domain.Campaigns;
using Portal.Domain.Messages;
using Portal.Domain.Providers;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Providers;
using Portal.Infrastructure.Sending;
using Portal.Infrastructure.Smpp.Simulator;
using Portal.Tests.Support;

namespace Portal.Tests.Infrastructure.Providers;

/// <summary>
/// Issue 12, item 6: the built-in SMSC simulator delivers to nobody, so routing never picks it when
/// a real provider is configured, not even when that provider is down (33 messages of a throttled
/// campaign went to it, shown Delivered and charged), unless a campaign names it (a test). The
/// simulator is the cheapest provider here and up, over loopback TCP; the real one listens nowhere.
/// </summary>
public sealed class SimulatorRoutingTests
{
    private const string Phone = "+79161234567";

    public static TheoryData<DatabaseProvider> Providers => [DatabaseProvider.Sqlite, DatabaseProvider.Postgres];

    private static Campaign CampaignNaming(int? providerId) =>
        new("Campaign", null, MessagePurpose.Service, "author", DateTime.UtcNow, new CampaignSettings { ProviderId = providerId });

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task RealProviderDown_NeverFallsBackToTheSimulator_UnlessTheCampaignNamesIt(DatabaseProvider provider)
    {
        await using var h = await ProviderHarness.CreateAsync(provider);
        var smsc = new SmscSimulator(new SmscSimulatorOptions { KeepMessages = true, Credentials = { ["sim"] = "pw" } });
        var port = (await smsc.StartAsync()).Port;
        await using var _ = smsc;
        var dead = new SmscSimulator(new SmscSimulatorOptions());
        var deadPort = (await dead.StartAsync()).Port;
        await dead.DisposeAsync(); // nothing listens there any more
        var simulatorId = await h.Store.CreateAsync(ProviderHarness.Admin, ProviderHarness.Smpp(EmbeddedSmsc.ProviderName, port, "sim", "pw", 0.01m), default);
        var realId = await h.Store.CreateAsync(ProviderHarness.Admin, ProviderHarness.Smpp("Operator", deadPort, "op", "pw", 0.50m), default);
        var router = h.Router();

        // Real traffic: the real provider cannot be connected (its circuit opens), and nothing else is used.
        Assert.Null(await router.RouteAsync(null, Phone, default));
        Assert.Null(await router.RouteAsync(CampaignNaming(null), Phone, default));
        var plan = await router.PlanAsync(Phone, null, default);
        Assert.DoesNotContain(plan.Options, o => o.ProviderId == simulatorId);
        Assert.Equal(RouteVerdict.CircuitOpen, plan.Options.Single(o => o.ProviderId == realId).Verdict);

        // A test campaign names the simulator explicitly: then it is used.
        var test = await router.RouteAsync(CampaignNaming(simulatorId), Phone, default);
        Assert.Equal(simulatorId, test!.ProviderId);
        Assert.Equal(MessageStatus.Submitted, (await test.Sender.SendAsync(new OutgoingSms(1, "Portal", Phone, "Hello", TimeSpan.FromHours(1)), default)).Status);
        Assert.Single(smsc.Messages);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task SimulatorRenamed_IsStillKnownByItsHost(DatabaseProvider provider)
    {
        await using var h = await ProviderHarness.CreateAsync(provider);
        var renamed = ProviderHarness.Smpp("Cheap SMSC", 2775, "sim", "pw", 0.01m);
        renamed.Host = EmbeddedSmsc.Host;
        var simulatorId = await h.Store.CreateAsync(ProviderHarness.Admin, renamed, default);
        var realId = await h.Store.CreateAsync(ProviderHarness.Admin, ProviderHarness.Smpp("Operator", 2775, "op", "pw", 0.50m), default);

        var plan = await h.Router().PlanAsync(Phone, null, default);

        Assert.DoesNotContain(plan.Options, o => o.ProviderId == simulatorId);
        Assert.Equal(realId, plan.Best!.ProviderId);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task OnlyTheSimulatorEnabled_ItRoutes(DatabaseProvider provider)
    {
        // The demo / development setup: no real provider configured (one disabled does not count).
        await using var h = await ProviderHarness.CreateAsync(provider);
        var smsc = new SmscSimulator(new SmscSimulatorOptions { Credentials = { ["sim"] = "pw" } });
        var port = (await smsc.StartAsync()).Port;
        await using var _ = smsc;
        var simulatorId = await h.Store.CreateAsync(ProviderHarness.Admin, ProviderHarness.Smpp(EmbeddedSmsc.ProviderName, port, "sim", "pw", 0.01m), default);
        var off = ProviderHarness.Smpp("Old operator", port, "op", "pw", 0.50m);
        off.Enabled = false;
        await h.Store.CreateAsync(ProviderHarness.Admin, off, default);

        Assert.Equal(simulatorId, (await h.Router().RouteAsync(null, Phone, default))!.ProviderId);
        await using var db = h.Database.CreateContext();
        Assert.Equal(2, await db.Providers.CountAsync());
    }
}
