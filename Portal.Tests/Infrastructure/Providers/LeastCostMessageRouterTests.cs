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
