using Portal.Domain.Campaigns;
using Portal.Domain.Messages;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Providers;
using Portal.Infrastructure.Sending;
using Portal.Infrastructure.Smpp.Simulator;
using Portal.Tests.Infrastructure.Providers;

namespace Portal.Tests.Infrastructure.Sandbox;

/// <summary>
/// Issue 18, item 4: routing, not the UI, keeps a sandbox campaign on the built-in simulator. A
/// second simulator registered under another name counts as a real provider here, cheaper and up.
/// </summary>
public sealed class SandboxRoutingTests
{
    private const string Phone = "+79990000001";

    public static TheoryData<DatabaseProvider> Providers => [DatabaseProvider.Sqlite, DatabaseProvider.Postgres];

    private static Campaign Sandboxed(int? providerId)
    {
        var campaign = new Campaign("Practice", null, MessagePurpose.Service, "trainee", DateTime.UtcNow, new CampaignSettings { ProviderId = providerId });
        campaign.PlaceInSandbox("trainee-id");
        return campaign;
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task SandboxCampaign_NamingTheCheaperRealProvider_IsRoutedToTheSimulator_AndNeverReachesTheRealOne(DatabaseProvider provider)
    {
        await using var h = await ProviderHarness.CreateAsync(provider);
        var simulator = new SmscSimulator(new SmscSimulatorOptions { KeepMessages = true, Credentials = { ["sim"] = "pw" } });
        await using var _ = simulator;
        var real = new SmscSimulator(new SmscSimulatorOptions { KeepMessages = true, Credentials = { ["op"] = "pw" } });
        await using var __ = real;
        var simulatorId = await h.Store.CreateAsync(ProviderHarness.Admin, ProviderHarness.Smpp(EmbeddedSmsc.ProviderName, (await simulator.StartAsync()).Port, "sim", "pw", 0.50m), default);
        var realId = await h.Store.CreateAsync(ProviderHarness.Admin, ProviderHarness.Smpp("Cheap operator", (await real.StartAsync()).Port, "op", "pw", 0.01m), default);
        var router = h.Router();

        // Real traffic goes to the real provider (the simulator is never a fallback for it).
        Assert.Equal(realId, (await router.RouteAsync(null, Phone, default))!.ProviderId);

        foreach (var named in new int?[] { realId, null, simulatorId })
        {
            var route = await router.RouteAsync(Sandboxed(named), Phone, default);
            Assert.Equal(simulatorId, route!.ProviderId);
            Assert.Equal(MessageStatus.Submitted, (await route.Sender.SendAsync(new OutgoingSms(1, "Training", Phone, "Practice", TimeSpan.FromHours(1)), default)).Status);
        }
        var plan = await router.PlanAsync(Phone, realId, default, sandbox: true);
        Assert.Equal([simulatorId], plan.Usable.Select(o => o.ProviderId));
        Assert.Equal(3, simulator.Statistics.Accepted);
        Assert.Equal(0, real.Statistics.SubmitSm);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task SandboxCampaign_WithoutASimulator_IsNotRoutedAtAll(DatabaseProvider provider)
    {
        await using var h = await ProviderHarness.CreateAsync(provider);
        var real = new SmscSimulator(new SmscSimulatorOptions { KeepMessages = true, Credentials = { ["op"] = "pw" } });
        await using var _ = real;
        var realId = await h.Store.CreateAsync(ProviderHarness.Admin, ProviderHarness.Smpp("Operator", (await real.StartAsync()).Port, "op", "pw", 0.01m), default);
        var router = h.Router();

        Assert.Null(await router.RouteAsync(Sandboxed(realId), Phone, default));
        Assert.Null(await router.RouteAsync(Sandboxed(null), Phone, default));
        Assert.Equal(realId, (await router.RouteAsync(null, Phone, default))!.ProviderId);
        Assert.Equal(0, real.Statistics.SubmitSm);
    }
}
