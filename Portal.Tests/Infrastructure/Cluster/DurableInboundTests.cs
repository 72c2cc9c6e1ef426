using System.Collections.Concurrent;
using Portal.Infrastructure.Smpp.Esme;
using Portal.Infrastructure.Smpp.Simulator;
using Portal.Tests.Infrastructure.Smpp;

namespace Portal.Tests.Infrastructure.Cluster;

/// <summary>
/// Issue 13: a receipt or a reply is answered to the SMSC only once it is durable. A node that
/// crashes between receiving and publishing has not answered, so the SMSC delivers it again to the
/// next bind, over real SMPP to the simulator.
/// </summary>
public sealed class DurableInboundTests
{
    [Fact]
    public async Task CrashBetweenReceiveAndPublish_TheSmscDeliversReceiptsAndStopAgain_NothingLost()
    {
        await using var simulator = new SmscSimulator(new SmscSimulatorOptions
        {
            Credentials = { ["portal"] = "secret" },
            ReceiptDelay = TimeSpan.FromMilliseconds(5),
            Seed = 42,
        });
        var endpoint = await simulator.StartAsync();
        SmppConnectorOptions Options()
        {
            var o = SmppTestRig.Options(endpoint.Port);
            o.MatchReceipts = false;
            o.DurableAcknowledgements = true;
            return o;
        }

        // Node 1 receives everything and crashes before publishing: it never acknowledges.
        var first = new SmppConnector(Options());
        await first.StartAsync();
        Assert.True(await first.WaitForBindsAsync(1, TimeSpan.FromSeconds(10)));
        var ids = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            var outcome = await first.SubmitAsync(new SmsSubmission("m" + i, "Portal", "7990000" + i.ToString("D4"), "Hello"));
            ids.Add(Assert.IsType<SubmitOutcome.Accepted>(outcome).MessageIds[0]!);
        }
        using var stopDelivery = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var stop = simulator.DeliverMoUntilAcknowledgedAsync("+79001234567", "Portal", "STOP", cancellationToken: stopDelivery.Token);
        var seenByFirst = new List<InboundMessage>();
        using (var read = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            while (seenByFirst.Count < 21) seenByFirst.Add(await first.Inbound.ReadAsync(read.Token));
        }
        await Task.Delay(500);
        Assert.Equal(0, simulator.Statistics.ReceiptsAcked);
        Assert.False(stop.IsCompleted, "the STOP must not be acknowledged before it is durable");
        await first.DisposeAsync();

        // Node 2 (or node 1 restarted) binds, receives them again and acknowledges once "published".
        await using var second = new SmppConnector(Options());
        await second.StartAsync();
        var receipts = new ConcurrentDictionary<string, int>();
        var stops = 0;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (receipts.Count < 20 || stops == 0)
        {
            var item = await second.Inbound.ReadAsync(cts.Token);
            if (item is ReceiptReceived r) receipts.AddOrUpdate(r.NormalizedMessageId, 1, (_, n) => n + 1);
            if (item is MoMessageReceived { Text: "STOP" }) stops++;
            item.Acknowledge();
        }
        Assert.True(await stop.WaitAsync(TimeSpan.FromSeconds(30)) >= 2, "the STOP was delivered again after the crash");
        Assert.Equal(ids.Select(i => i.TrimStart('0')).Order(), receipts.Keys.Select(k => k.TrimStart('0')).Order());
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (simulator.Statistics.ReceiptsAcked < 20 && DateTime.UtcNow < deadline) await Task.Delay(100);
        Assert.Equal(20, simulator.Statistics.ReceiptsAcked);
    }
}
