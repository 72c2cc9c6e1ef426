using System.Text.Json;
using Portal.Infrastructure.Smpp.Esme;
using Portal.Infrastructure.Smpp.Pdus;
using Portal.Infrastructure.Smpp.Simulator;
using Portal.Infrastructure.Smpp.Text;

namespace Portal.Tests.Infrastructure.Smpp;

/// <summary>
/// Issue 3 item 6: our ESME against node-smpp's SMSC and node-smpp's ESME against our simulator
/// (binds, GSM-7 and long UCS-2 Russian, receipts both ways, MO, enquire_link, unbind).
/// node-smpp comes from <c>./test.sh</c> (<c>npm install --prefix .tools/node smpp@0.5.1</c>).
/// </summary>
public class NodeSmppInteropTests
{
    private const string GsmText = "Hello node @ £5 {ok} [x] ~ €";
    private static readonly string RussianText = string.Concat(Enumerable.Repeat("Привет! Длинное сообщение на русском языке. ", 4));

    [Fact]
    public async Task OurEsme_AgainstNodeSmsc_BindsSendsGetsReceiptsMoAndUnbinds()
    {
        await using var node = NodeSmppProcess.Start("smsc-server.js",
            "--port", "0", "--system-id", "portal", "--password", "secret", "--receipts", "--mo", "Ответ абонента", "--enquire-ms", "300");
        var port = (await node.WaitForAsync("listening")).GetProperty("port").GetInt32();
        var options = SmppTestRig.Options(port);
        // We probe only a quiet link, so node's probes (every 300 ms) must be rarer than ours.
        options.EnquireLinkInterval = TimeSpan.FromMilliseconds(50);
        var connector = new SmppConnector(options);
        await connector.StartAsync();
        Assert.True(await connector.WaitForBindsAsync(1, TimeSpan.FromSeconds(10)));

        var gsm = await connector.SubmitAsync(new SmsSubmission("gsm", "Portal", "79990001122", GsmText));
        var russian = await connector.SubmitAsync(new SmsSubmission("ru", "Portal", "79990001122", RussianText));

        Assert.Single(Assert.IsType<SubmitOutcome.Accepted>(gsm).MessageIds);
        var russianIds = Assert.IsType<SubmitOutcome.Accepted>(russian).MessageIds;
        Assert.Equal(SegmentedMessage.CountParts(RussianText), russianIds.Count);
        Assert.True(russianIds.Count >= 3);

        // What node-smpp decoded from our bytes.
        var gsmSeen = await node.WaitForAsync("submit_sm", where: e => e.GetProperty("data_coding").GetInt32() == 0);
        Assert.Equal(GsmText, gsmSeen.GetProperty("message").GetString());
        var parts = new List<JsonElement>();
        for (var i = 0; i < russianIds.Count; i++) parts.Add(await node.WaitForAsync("submit_sm", where: e => e.GetProperty("data_coding").GetInt32() == 8));
        var ordered = parts.OrderBy(p => p.GetProperty("concat")[2].GetInt32()).ToList();
        Assert.All(ordered, p => Assert.Equal(russianIds.Count, p.GetProperty("concat")[1].GetInt32()));
        Assert.Equal(RussianText, string.Concat(ordered.Select(p => p.GetProperty("message").GetString())));

        // Receipts from node-smpp matched back to our references; MO decoded.
        var inbound = new List<InboundMessage>();
        using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            while (inbound.OfType<ReceiptReceived>().Count() < 1 + russianIds.Count || !inbound.OfType<MoMessageReceived>().Any())
            {
                inbound.Add(await connector.Inbound.ReadAsync(cts.Token));
            }
        }
        var receipts = inbound.OfType<ReceiptReceived>().ToList();
        Assert.Equal(["gsm", .. Enumerable.Repeat("ru", russianIds.Count)], receipts.Select(r => r.Reference!).Order());
        Assert.All(receipts, r => Assert.Equal(MessageState.Delivered, r.Receipt.State));
        Assert.Equal("Ответ абонента", Assert.Single(inbound.OfType<MoMessageReceived>()).Text);

        // enquire_link both ways.
        await node.WaitForAsync("enquire_link");
        var enquireResp = await node.WaitForAsync("enquire_link_resp");
        Assert.Equal(0, enquireResp.GetProperty("status").GetInt32());

        await connector.StopAsync();
        await node.WaitForAsync("unbind");
        await connector.DisposeAsync();
    }

    [Fact]
    public async Task NodeEsme_AgainstOurSimulator_BindsSendsGetsReceiptsMoAndUnbinds()
    {
        await using var simulator = new SmscSimulator(new SmscSimulatorOptions
        {
            Credentials = { ["node"] = "nodepw" },
            KeepMessages = true,
            ReceiptDelay = TimeSpan.FromMilliseconds(10),
            EnquireLinkInterval = TimeSpan.FromMilliseconds(100),
        });
        var endpoint = await simulator.StartAsync();
        var moText = string.Concat(Enumerable.Repeat("Ответ от абонента через симулятор. ", 3));
        await using var node = NodeSmppProcess.Start("esme-client.js",
            "--port", endpoint.Port.ToString(), "--system-id", "node", "--password", "nodepw", "--expect-mo", "2", "--expect-enquire-link");

        var bind = await node.WaitForAsync("bind_resp");
        Assert.Equal(0, bind.GetProperty("status").GetInt32());
        Assert.Equal(CommandStatus.Ok, await simulator.InjectMoAsync("79990002233", "1234", moText, "node"));
        var exitCode = await node.WaitForExitAsync();

        Assert.Equal(0, exitCode);
        var expect = node.Events("expect").Single();
        Assert.Equal(0, node.Events("enquire_link_resp").Single().GetProperty("status").GetInt32());
        Assert.NotEmpty(node.Events("enquire_link")); // our simulator probed node-smpp's ESME
        Assert.True(simulator.Statistics.EnquireLinkResponsesReceived > 0);
        var submitIds = node.Events("submit_sm_resp").Select(e => e.GetProperty("id").GetString()!).ToList();
        Assert.Equal(expect.GetProperty("submits").GetInt32(), submitIds.Count);

        // Our simulator decoded node-smpp's bytes.
        var kept = simulator.Messages.ToList();
        Assert.Equal(expect.GetProperty("gsm").GetString(), kept.Single(m => m.DataCoding == DataCoding.SmscDefault).Text);
        var ucs2 = kept.Where(m => m.DataCoding == DataCoding.Ucs2).OrderBy(m => m.Part!.Value.Sequence).ToList();
        Assert.Equal(expect.GetProperty("russian").GetString(), string.Concat(ucs2.Select(m => m.Text)));

        // Receipts node-smpp got carry the ids it was given, in text and TLV.
        var receipts = node.Events("receipt").ToList();
        Assert.Equal(submitIds.Order(), receipts.Select(r => r.GetProperty("receipted_message_id").GetString()!).Order());
        Assert.All(receipts, r => Assert.Contains("stat:DELIVRD", r.GetProperty("text").GetString()));

        // The MO node-smpp got, reassembled from its UDH.
        var mo = node.Events("mo").OrderBy(m => m.GetProperty("concat")[2].GetInt32()).ToList();
        Assert.Equal(2, mo.Count);
        Assert.Equal(moText, string.Concat(mo.Select(m => m.GetProperty("message").GetString())));

        Assert.Equal(0, node.Events("unbind_resp").Single().GetProperty("status").GetInt32());
        Assert.Equal(1, simulator.Statistics.UnbindsReceived);
    }
}
