using System.Diagnostics;
using Portal.Infrastructure.Smpp.Esme;
using Portal.Infrastructure.Smpp.Pdus;
using Portal.Infrastructure.Smpp.Receipts;
using Portal.Infrastructure.Smpp.Simulator;
using Portal.Infrastructure.Smpp.Text;

namespace Portal.Tests.Infrastructure.Smpp;

public class SmppConnectorTests
{
    [Fact]
    public async Task SubmitAsync_ShortGsmMessage_AcceptedAndReceiptMatchedToReference()
    {
        await using var rig = await SmppTestRig.StartAsync();

        var outcome = await rig.Connector.SubmitAsync(new SmsSubmission("msg-1", "Portal", "+79990001122", "Hello {world} €5"));

        var accepted = Assert.IsType<SubmitOutcome.Accepted>(outcome);
        var id = Assert.Single(accepted.MessageIds);
        var kept = Assert.Single(rig.Simulator.Messages);
        Assert.Equal(id, kept.MessageId);
        Assert.Equal("Hello {world} €5", kept.Text);
        Assert.Equal(new SmeAddress(5, 0, "Portal"), kept.From);
        Assert.Equal(new SmeAddress(1, 1, "79990001122"), kept.To);
        var receipt = Assert.Single(await rig.ReadReceiptsAsync(1, TimeSpan.FromSeconds(5)));
        Assert.Equal("msg-1", receipt.Reference);
        Assert.Equal(0, receipt.PartIndex);
        Assert.Equal(MessageState.Delivered, receipt.Receipt.State);
    }

    [Theory]
    [InlineData(LongMessageMethod.Udh)]
    [InlineData(LongMessageMethod.Sar)]
    public async Task SubmitAsync_LongRussianText_SendsConcatenatedUcs2Parts(LongMessageMethod method)
    {
        await using var rig = await SmppTestRig.StartAsync(connector: o => o.LongMessageMethod = method);
        var text = string.Concat(Enumerable.Repeat("Привет, это длинное сообщение! ", 6)); // 186 chars -> 3 parts of 67

        var outcome = await rig.Connector.SubmitAsync(new SmsSubmission("long", "Portal", "79990001122", text) { PartPrice = 0.35m });

        Assert.Equal(3, Assert.IsType<SubmitOutcome.Accepted>(outcome).MessageIds.Count);
        var parts = rig.Simulator.Messages.OrderBy(m => m.Part!.Value.Sequence).ToList();
        Assert.Equal(3, parts.Count);
        Assert.All(parts, p => Assert.Equal(DataCoding.Ucs2, p.DataCoding));
        Assert.All(parts, p => Assert.Equal(3, p.Part!.Value.Total));
        Assert.Single(parts.Select(p => p.Part!.Value.Reference).Distinct());
        Assert.Equal(method == LongMessageMethod.Udh, parts.All(p => (p.EsmClass & EsmClass.UdhIndicator) != 0));
        Assert.Equal(text, string.Concat(parts.Select(p => p.Text)));
        var receipts = await rig.ReadReceiptsAsync(3, TimeSpan.FromSeconds(5));
        Assert.Equal([0, 1, 2], receipts.Select(r => r.PartIndex!.Value).Order());
        // Every part's receipt hands back the count and the caller's part price (issue 12: a receipt
        // can then account a message whose sender died before recording it).
        Assert.All(receipts, r => Assert.Equal((3, 0.35m), (r.PartCount, r.PartPrice)));
    }

    [Fact]
    public async Task SubmitAsync_MessagePayloadMethod_SendsOnePduWithWholeText()
    {
        await using var rig = await SmppTestRig.StartAsync(connector: o => o.LongMessageMethod = LongMessageMethod.MessagePayload);
        var text = new string('x', 400);

        var outcome = await rig.Connector.SubmitAsync(SmppTestRig.Sms(1, text));

        Assert.Single(Assert.IsType<SubmitOutcome.Accepted>(outcome).MessageIds);
        var kept = Assert.Single(rig.Simulator.Messages);
        Assert.Equal(400, kept.Optional!.MessagePayload!.Value.Length);
        Assert.Equal(text, kept.Text);
    }

    [Fact]
    public async Task SubmitAsync_InvalidDestination_RejectedPermanentlyWithoutSending()
    {
        await using var rig = await SmppTestRig.StartAsync();

        var outcome = await rig.Connector.SubmitAsync(new SmsSubmission("bad", "Portal", "not-a-number", "x"));

        var rejected = Assert.IsType<SubmitOutcome.Rejected>(outcome);
        Assert.Equal(CommandStatus.InvalidDestinationAddress, rejected.Status);
        Assert.True(rejected.IsPermanent);
        Assert.Equal(0, rig.Simulator.Statistics.SubmitSm);
    }

    [Fact]
    public async Task StartAsync_WrongPassword_BindRefusedAndSubmitRejectedAsNotSent()
    {
        await using var rig = await SmppTestRig.StartAsync(
            connector: o => { o.Password = "wrong"; o.BindWaitTimeout = TimeSpan.FromMilliseconds(300); },
            waitForBinds: false);

        var outcome = await rig.Connector.SubmitAsync(SmppTestRig.Sms(1));

        var rejected = Assert.IsType<SubmitOutcome.Rejected>(outcome);
        Assert.False(rejected.IsPermanent);
        Assert.True(rig.Connector.Statistics.FailedBinds >= 1);
        Assert.True(rig.Simulator.Statistics.RefusedBinds >= 1);
        Assert.Equal(0, rig.Simulator.Statistics.SubmitSm);
    }

    [Fact]
    public async Task StartAsync_SeveralBinds_SpreadsSubmitsOverAll()
    {
        await using var rig = await SmppTestRig.StartAsync(connector: o => o.Binds = 3);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 90).Select(i => rig.Connector.SubmitAsync(SmppTestRig.Sms(i))));

        Assert.Equal(3, rig.Simulator.BoundSessions);
        Assert.All(outcomes, o => Assert.IsType<SubmitOutcome.Accepted>(o));
        Assert.Equal(90, rig.Simulator.Statistics.Accepted);
    }

    [Fact]
    public async Task StartAsync_TransmitterPlusReceiverBind_ReceiptsArriveOnReceiverAndStillMatch()
    {
        await using var rig = await SmppTestRig.StartAsync(connector: o => { o.BindMode = BindMode.Transmitter; o.ReceiverBinds = 1; });

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => rig.Connector.SubmitAsync(SmppTestRig.Sms(i))));
        var receipts = await rig.ReadReceiptsAsync(10, TimeSpan.FromSeconds(5));

        Assert.All(outcomes, o => Assert.IsType<SubmitOutcome.Accepted>(o));
        Assert.Equal(2, rig.Simulator.BoundSessions);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"m{i}").Order(), receipts.Select(r => r.Reference!).Order());
    }

    [Fact]
    public async Task StartAsync_ReceiverOnlyConnector_CannotSubmitButGetsMo()
    {
        await using var rig = await SmppTestRig.StartAsync(connector: o => { o.BindMode = BindMode.Receiver; o.BindWaitTimeout = TimeSpan.FromMilliseconds(200); });

        var outcome = await rig.Connector.SubmitAsync(SmppTestRig.Sms(1));
        await rig.Simulator.InjectMoAsync("79990001122", "1234", "STOP");

        var rejected = Assert.IsType<SubmitOutcome.Rejected>(outcome);
        Assert.Equal("no bind available", rejected.Reason);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        Assert.Equal("STOP", Assert.IsType<MoMessageReceived>(await rig.Connector.Inbound.ReadAsync(cts.Token)).Text);
    }

    [Fact]
    public async Task Reconnect_BindKeepsFailing_DelaysGrowExponentially()
    {
        await using var rig = await SmppTestRig.StartAsync(
            simulator: o => o.Credentials["portal"] = "other",
            connector: o => { o.ReconnectDelay = TimeSpan.FromMilliseconds(20); o.MaxReconnectDelay = TimeSpan.FromMilliseconds(400); },
            waitForBinds: false);

        await WaitUntilAsync(() => rig.Simulator.Statistics.RefusedBinds >= 1);
        var first = Stopwatch.StartNew();
        await WaitUntilAsync(() => rig.Simulator.Statistics.RefusedBinds >= 6, timeoutMs: 10_000);

        // Delays 20, 40, 80, 160, 320 ms (jitter -20 % at worst) sum to >= 496 ms between attempts 1 and 6;
        // without back-off they would be 5 x 20 ms. Load can only make it slower, so this bound is robust.
        Assert.True(first.ElapsedMilliseconds >= 450, $"6 attempts within {first.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task InjectMoAsync_LongCyrillicMo_ArrivesAsPartsWithConcatenationInfo()
    {
        await using var rig = await SmppTestRig.StartAsync();
        var text = new string('Ж', 100);

        var status = await rig.Simulator.InjectMoAsync("79990001122", "1234", text);

        Assert.Equal(CommandStatus.Ok, status);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        var first = Assert.IsType<MoMessageReceived>(await rig.Connector.Inbound.ReadAsync(cts.Token));
        var second = Assert.IsType<MoMessageReceived>(await rig.Connector.Inbound.ReadAsync(cts.Token));
        var parts = new[] { first, second }.OrderBy(m => m.Part!.Value.Sequence).ToList();
        Assert.Equal(text, string.Concat(parts.Select(p => p.Text)));
        Assert.Equal("79990001122", first.From.Value);
        Assert.Equal(2, rig.Connector.Statistics.MoReceived);
    }

    [Fact]
    public async Task EnquireLink_BothDirections_AnsweredOnIdleLink()
    {
        await using var rig = await SmppTestRig.StartAsync(
            // The ESME only probes a quiet link, so the simulator's probes must be rarer than its interval.
            simulator: o => o.EnquireLinkInterval = TimeSpan.FromMilliseconds(300),
            connector: o => o.EnquireLinkInterval = TimeSpan.FromMilliseconds(50));

        var deadline = Stopwatch.StartNew();
        while ((rig.Simulator.Statistics.EnquireLinksReceived == 0 || rig.Simulator.Statistics.EnquireLinkResponsesReceived == 0)
               && deadline.Elapsed < TimeSpan.FromSeconds(5))
        {
            await Task.Delay(20);
        }

        Assert.True(rig.Simulator.Statistics.EnquireLinksReceived > 0, "ESME sent no enquire_link");
        Assert.True(rig.Simulator.Statistics.EnquireLinkResponsesReceived > 0, "ESME did not answer enquire_link");
        Assert.Equal(1, rig.Connector.BoundSessions);
    }

    [Fact]
    public async Task StopAsync_WithMessagesInFlight_DrainsWindowThenUnbinds()
    {
        var rig = await SmppTestRig.StartAsync(simulator: o => o.ResponseLatency = TimeSpan.FromMilliseconds(100));
        var inFlight = Enumerable.Range(0, 20).Select(i => rig.Connector.SubmitAsync(SmppTestRig.Sms(i))).ToArray();
        await Task.Delay(30);

        await rig.Connector.StopAsync();

        var outcomes = await Task.WhenAll(inFlight);
        Assert.All(outcomes, o => Assert.IsType<SubmitOutcome.Accepted>(o));
        Assert.Equal(1, rig.Simulator.Statistics.UnbindsReceived);
        await rig.DisposeAsync();
    }

    [Fact]
    public async Task Reconnect_AfterDropAndSmscUnbind_BindsAgain()
    {
        await using var rig = await SmppTestRig.StartAsync();

        rig.Simulator.DropAll();
        await WaitUntilAsync(() => rig.Connector.Statistics.SuccessfulBinds >= 2 && rig.Connector.BoundSessions == 1);
        await rig.Simulator.UnbindAllAsync();
        await WaitUntilAsync(() => rig.Connector.Statistics.SuccessfulBinds >= 3 && rig.Connector.BoundSessions == 1);

        Assert.IsType<SubmitOutcome.Accepted>(await rig.Connector.SubmitAsync(SmppTestRig.Sms(1)));
        Assert.Equal(3, rig.Simulator.Statistics.Binds);
    }

    [Fact]
    public async Task SubmitAsync_TpsCap_SpacesPartsOverTime()
    {
        await using var rig = await SmppTestRig.StartAsync(connector: o => o.MaxPartsPerSecond = 100);

        var watch = Stopwatch.StartNew();
        // 20 messages of 2 parts = 40 PDUs at 100/s: at least ~0.39 s.
        await Task.WhenAll(Enumerable.Range(0, 20).Select(i => rig.Connector.SubmitAsync(SmppTestRig.Sms(i, new string('a', 200)))));

        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(370), $"40 parts took only {watch.ElapsedMilliseconds} ms");
        Assert.Equal(40, rig.Simulator.Statistics.Accepted);
    }

    [Fact]
    public async Task Receipts_HexResponseDecimalReceipt_MatchedByProviderSetting()
    {
        await using var rig = await SmppTestRig.StartAsync(
            simulator: o => { o.MessageIdFormat = MessageIdRadix.Hex; o.ReceiptIdFormat = MessageIdRadix.Decimal; o.ReceiptTlvs = false; },
            connector: o => o.MessageIdMatching = new MessageIdMatching(MessageIdRadix.Hex, MessageIdRadix.Decimal));

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => rig.Connector.SubmitAsync(SmppTestRig.Sms(i))));
        var receipts = await rig.ReadReceiptsAsync(20, TimeSpan.FromSeconds(5));

        Assert.All(outcomes, o => Assert.IsType<SubmitOutcome.Accepted>(o));
        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"m{i}").Order(), receipts.Select(r => r.Reference!).Order());
    }

    [Fact]
    public async Task QuerySm_KnownMessage_ReturnsItsState()
    {
        await using var rig = await SmppTestRig.StartAsync();
        var outcome = await rig.Connector.SubmitAsync(SmppTestRig.Sms(1) with { RequestReceipt = false });
        var id = Assert.Single(Assert.IsType<SubmitOutcome.Accepted>(outcome).MessageIds)!;

        var state = await RawEsme.QueryAsync(rig.Simulator.EndPoint!, id);

        Assert.Equal(MessageState.Enroute, state);
    }

    internal static async Task WaitUntilAsync(Func<bool> condition, int timeoutMs = 5000)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            if (watch.ElapsedMilliseconds > timeoutMs) throw new TimeoutException("condition not met in time");
            await Task.Delay(10);
        }
    }
}
