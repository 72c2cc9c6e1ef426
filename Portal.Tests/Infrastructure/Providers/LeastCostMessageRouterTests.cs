using Portal.Domain.Messages;
using Portal.Domain.Providers;
using Portal.Infrastructure.Providers;
using Portal.Infrastructure.Sending;
using Portal.Infrastructure.Smpp.Simulator;
using Portal.Infrastructure.Persistence;
using Portal.Tests.Support;

namespace Portal.Tests.Infrastructure.Providers;

/// <summary>The router against two SMSC simulators over loopback TCP, passwords decrypted from the registry.</summary>
public class LeastCostMessageRouterTests
{
    private const string MtsPhone = "+79161234567";
    private const string BeelinePhone = "+79031234567";

    private static async Task<(SmscSimulator Smsc, int Port)> StartSmscAsync(string systemId, string password)
    {
        var smsc = new SmscSimulator(new SmscSimulatorOptions { KeepMessages = true, Credentials = { [systemId] = password } });
        var endpoint = await smsc.StartAsync();
        return (smsc, endpoint.Port);
    }

    private static OutgoingSms Sms(long id, string to) => new(id, "Portal", to, "Hello", TimeSpan.FromHours(1));

    [Fact]
    public async Task Route_PicksTheCheaperSimulatorPerNumber_AndSends()
    {
        await using var h = await ProviderHarness.CreateAsync(DatabaseProvider.Sqlite);
        var (a, portA) = await StartSmscAsync("alpha", "pwA");
        var (b, portB) = await StartSmscAsync("beta", "pwB");
        await using var _a = a;
        await using var _b = b;
        var idA = await h.Store.CreateAsync(ProviderHarness.Admin, ProviderHarness.Smpp("Alpha", portA, "alpha", "pwA", 0.20m), default);
        var idB = await h.Store.CreateAsync(ProviderHarness.Admin, ProviderHarness.Smpp("Beta", portB, "beta", "pwB", 0.30m), default);
        // Beta is cheaper for MTS only.
        await h.Import.ImportAsync(ProviderHarness.Admin, idB, new StringReader("destination,price,currency\nMTS,0.15,RUB\n"), PriceImportMode.Replace, default);
        var router = h.Router();

        var mts = await router.RouteAsync(null, MtsPhone, default);
        var beeline = await router.RouteAsync(null, BeelinePhone, default);

        Assert.Equal((idB, 0.15m), (mts!.ProviderId, mts.PartPrice));
        Assert.Equal((idA, 0.20m), (beeline!.ProviderId, beeline.PartPrice));
        Assert.Equal(MessageStatus.Submitted, (await mts.Sender.SendAsync(Sms(1, MtsPhone), default)).Status);
        Assert.Equal(MessageStatus.Submitted, (await beeline.Sender.SendAsync(Sms(2, BeelinePhone), default)).Status);
        Assert.EndsWith("9031234567", Assert.Single(a.Messages).To.Value);
        Assert.EndsWith("9161234567", Assert.Single(b.Messages).To.Value);
    }

    [Fact]
    public async Task Route_CheapestIsDown_FailsOverAndShowsTheOpenCircuit()
    {
        await using var h = await ProviderHarness.CreateAsync(DatabaseProvider.Sqlite);
        var (down, portDown) = await StartSmscAsync("alpha", "pwA");
        await down.DisposeAsync(); // nothing listens there any more
        var (b, portB) = await StartSmscAsync("beta", "pwB");
        await using var _b = b;
        var idA = await h.Store.CreateAsync(ProviderHarness.Admin, ProviderHarness.Smpp("Alpha", portDown, "alpha", "pwA", 0.10m), default);
        var idB = await h.Store.CreateAsync(ProviderHarness.Admin, ProviderHarness.Smpp("Beta", portB, "beta", "pwB", 0.30m), default);
        var router = h.Router();

        var route = await router.RouteAsync(null, MtsPhone, default);

        Assert.Equal(idB, route!.ProviderId);
        Assert.Equal(MessageStatus.Submitted, (await route.Sender.SendAsync(Sms(1, MtsPhone), default)).Status);
        Assert.Single(b.Messages);
        var plan = await router.PlanAsync(MtsPhone, null, default);
        Assert.Equal(RouteVerdict.CircuitOpen, plan.Options.Single(o => o.ProviderId == idA).Verdict);
        Assert.Equal(idB, plan.Best!.ProviderId);
    }

    [Fact]
    public async Task ReportResult_TemporaryFailuresOpenTheCircuit_PermanentOnesDoNot()
    {
        await using var h = await ProviderHarness.CreateAsync(DatabaseProvider.Sqlite);
        var (a, portA) = await StartSmscAsync("alpha", "pwA");
        var (b, portB) = await StartSmscAsync("beta", "pwB");
        await using var _a = a;
        await using var _b = b;
        var idA = await h.Store.CreateAsync(ProviderHarness.Admin, ProviderHarness.Smpp("Alpha", portA, "alpha", "pwA", 0.20m), default);
        var idB = await h.Store.CreateAsync(ProviderHarness.Admin, ProviderHarness.Smpp("Beta", portB, "beta", "pwB", 0.30m), default);
        var router = h.Router();

        var invalidNumber = new SendResult(MessageStatus.Rejected, null, 0, "smpp:0x0000000B");
        var throttled = new SendResult(MessageStatus.Rejected, null, 0, "smpp:0x00000058");
        for (var i = 0; i < 5; i++) Assert.Equal(SendFailureKind.Permanent, router.ReportResult(idA, invalidNumber));
        Assert.Equal(idA, (await router.RouteAsync(null, MtsPhone, default))!.ProviderId);

        for (var i = 0; i < h.Health.Threshold; i++) Assert.Equal(SendFailureKind.Temporary, router.ReportResult(idA, throttled));

        Assert.Equal(idB, (await router.RouteAsync(null, MtsPhone, default))!.ProviderId);
        Assert.Equal(SendFailureKind.Uncertain, LeastCostMessageRouter.Classify(new SendResult(MessageStatus.Uncertain, null, 0, "no-response")));
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task TwoRoutingNodes_SeeEachOther_AndShareTheCaps(DatabaseProvider provider)
    {
        await using var h = await ProviderHarness.CreateAsync(provider);
        var draft = ProviderHarness.Smpp("Alpha", 2775, "alpha", "pwA", 0.20m);
        draft.MaxPartsPerSecond = 100;
        draft.Binds = 4;
        await h.Store.CreateAsync(ProviderHarness.Admin, draft, default);
        var first = h.Router();
        var second = h.Router();
        var lookupOnly = h.Router(); // the route tool's node: plans, never sends

        first.MarkRouting();
        second.MarkRouting();
        await lookupOnly.PlanAsync(MtsPhone, null, default);
        await first.PlanAsync(MtsPhone, null, default);
        Assert.Equal(1, first.LiveNodes);
        await second.PlanAsync(MtsPhone, null, default);
        Assert.Equal(2, second.LiveNodes);
        h.Version.Bump();
        await first.PlanAsync(MtsPhone, null, default);
        Assert.Equal(2, first.LiveNodes);

        var share = new ProviderSettings { MaxPartsPerSecond = 100, Binds = 4 }.ShareOf(3);
        Assert.Equal((33, 1), (share.MaxPartsPerSecond, share.Binds));
        Assert.Equal((1, 1), (new ProviderSettings { MaxPartsPerSecond = 2, Binds = 1 }.ShareOf(5).MaxPartsPerSecond, new ProviderSettings { Binds = 1 }.ShareOf(5).Binds));
        Assert.Null(new ProviderSettings().ShareOf(2).MaxPartsPerSecond);
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task CircuitOpenedOnOneNode_KeepsTheOtherNodeOff_WithinSeconds_UntilTheProbeCloses(DatabaseProvider provider)
    {
        // Issue 12 item 5: node A's provider failed and its circuit opened, but node B kept sending to
        // it until B's own breaker had seen enough failures of its own.
        await using var h = await ProviderHarness.CreateAsync(provider);
        var (a, portA) = await StartSmscAsync("alpha", "pwA");
        var (b, portB) = await StartSmscAsync("beta", "pwB");
        await using var _a = a;
        await using var _b = b;
        var idA = await h.Store.CreateAsync(ProviderHarness.Admin, ProviderHarness.Smpp("Alpha", portA, "alpha", "pwA", 0.10m), default);
        var idB = await h.Store.CreateAsync(ProviderHarness.Admin, ProviderHarness.Smpp("Beta", portB, "beta", "pwB", 0.30m), default);
        ProviderHealthBoard Board() => new(TimeProvider.System) { Threshold = 3, CoolDown = TimeSpan.FromSeconds(3), ShareRefresh = TimeSpan.FromMilliseconds(500) };
        var nodeA = h.NodeRouter(Board());
        var nodeB = h.NodeRouter(Board());
        Assert.Equal(idA, (await nodeA.RouteAsync(null, MtsPhone, default))!.ProviderId);
        Assert.Equal(idA, (await nodeB.RouteAsync(null, MtsPhone, default))!.ProviderId);

        // Alpha stops answering node A: three uncertain outcomes open A's circuit.
        var noAnswer = new SendResult(MessageStatus.Uncertain, null, 0, "smpp:no-response");
        for (var i = 0; i < 3; i++) nodeA.ReportResult(idA, noAnswer);
        Assert.Equal(idB, (await nodeA.RouteAsync(null, MtsPhone, default))!.ProviderId);
        await nodeA.Sharing;
        var opened = System.Diagnostics.Stopwatch.StartNew();
        await using (var db = h.Database.CreateContext())
        {
            var row = Assert.Single(db.ProviderCircuits);
            Assert.Equal(idA, row.ProviderId);
            Assert.Contains("3 failures in a row", row.Reason);
        }

        // Node B, which saw no failure itself, stops routing to Alpha within a couple of seconds.
        var seen = await RoutesToAsync(nodeB, idB, TimeSpan.FromSeconds(3));
        Assert.True(seen, "node B still routes to the provider whose circuit node A opened");
        Assert.True(opened.Elapsed < TimeSpan.FromSeconds(3), $"took {opened.Elapsed}");
        Assert.Equal(RouteVerdict.CircuitOpen, (await nodeB.PlanAsync(MtsPhone, null, default)).Options.Single(o => o.ProviderId == idA).Verdict);

        // A's first probe fails: the circuit opens again and B stays off past the first cool-down.
        // (A half-open provider comes after healthy ones, so the probe is a message that names it.)
        Assert.True(await RoutesToAsync(nodeA, idA, TimeSpan.FromSeconds(6), named: idA), "node A never probed");
        nodeA.ReportResult(idA, noAnswer);
        await nodeA.Sharing;
        // Past the first opening's end (3 s after it): only the shared re-opening keeps B off.
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        Assert.Equal(idB, (await nodeB.RouteAsync(null, MtsPhone, default))!.ProviderId);

        // A's next probe goes through: its circuit closes, its row goes, and B routes to Alpha again.
        Assert.True(await RoutesToAsync(nodeA, idA, TimeSpan.FromSeconds(6), named: idA), "node A never probed again");
        nodeA.ReportResult(idA, new SendResult(MessageStatus.Submitted, "x1", 1, null));
        await nodeA.Sharing;
        await using (var db = h.Database.CreateContext())
        {
            Assert.Empty(db.ProviderCircuits);
        }
        Assert.True(await RoutesToAsync(nodeB, idA, TimeSpan.FromSeconds(2)), "node B did not resume after the circuit closed");
    }

    /// <summary>Routes one number on <paramref name="router"/> every 100 ms until it goes to <paramref name="providerId"/>.</summary>
    private static async Task<bool> RoutesToAsync(LeastCostMessageRouter router, int providerId, TimeSpan within, int? named = null)
    {
        var deadline = DateTime.UtcNow + within;
        while (DateTime.UtcNow < deadline)
        {
            if ((await router.RouteToAsync(named, MtsPhone, default))?.ProviderId == providerId) return true;
            await Task.Delay(100);
        }
        return false;
    }

    private sealed class FixedSender(SendResult result) : ISmsSender
    {
        public int Calls { get; private set; }

        public Task<SendResult> SendAsync(OutgoingSms sms, CancellationToken ct)
        {
            Calls++;
            return Task.FromResult(result);
        }
    }

    [Fact]
    public async Task TemporaryRefusal_ComesBackNotSent_AndTheNextTryForThatNumberAvoidsTheProvider()
    {
        await using var h = await ProviderHarness.CreateAsync(DatabaseProvider.Sqlite);
        var (a, portA) = await StartSmscAsync("alpha", "pwA");
        var (b, portB) = await StartSmscAsync("beta", "pwB");
        await using var _a = a;
        await using var _b = b;
        var idA = await h.Store.CreateAsync(ProviderHarness.Admin, ProviderHarness.Smpp("Alpha", portA, "alpha", "pwA", 0.20m), default);
        var idB = await h.Store.CreateAsync(ProviderHarness.Admin, ProviderHarness.Smpp("Beta", portB, "beta", "pwB", 0.30m), default);
        var router = h.Router();
        var throttled = new SendResult(MessageStatus.Rejected, null, 0, "smpp:0x00000058");

        var shortOne = await new LeastCostMessageRouter.ReportingSender(router, idA, new FixedSender(throttled)).SendAsync(Sms(1, MtsPhone), default);
        var longOne = await new LeastCostMessageRouter.ReportingSender(router, idA, new FixedSender(throttled))
            .SendAsync(Sms(2, BeelinePhone) with { Text = new string('a', 200) }, default);

        Assert.True(shortOne.NotSent);      // one part, refused: safe to send again elsewhere
        Assert.False(longOne.NotSent);      // a part of it may have been accepted: the sender's verdict stands
        Assert.Equal(idB, (await router.RouteAsync(null, MtsPhone, default))!.ProviderId);
        Assert.Equal(idA, (await router.RouteAsync(null, "+79161111111", default))!.ProviderId);

        var uncertain = await new LeastCostMessageRouter.ReportingSender(router, idA, new FixedSender(new SendResult(MessageStatus.Uncertain, null, 0, "no-response")))
            .SendAsync(Sms(3, "+79261234567"), default);
        Assert.False(uncertain.NotSent);    // never re-sent
        Assert.Equal(CircuitState.Open, h.Health.For(idA).State); // third failure in a row (threshold 3)
    }
}
