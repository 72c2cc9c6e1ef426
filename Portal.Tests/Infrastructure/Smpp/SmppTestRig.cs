using Portal.Infrastructure.Smpp.Esme;
using Portal.Infrastructure.Smpp.Simulator;

namespace Portal.Tests.Infrastructure.Smpp;

/// <summary>An in-process simulator on a free loopback port and a connector bound to it, with test-friendly timeouts.</summary>
internal sealed class SmppTestRig : IAsyncDisposable
{
    private SmppTestRig(SmscSimulator simulator, SmppConnector connector)
    {
        Simulator = simulator;
        Connector = connector;
    }

    public SmscSimulator Simulator { get; }
    public SmppConnector Connector { get; }

    public static async Task<SmppTestRig> StartAsync(
        Action<SmscSimulatorOptions>? simulator = null,
        Action<SmppConnectorOptions>? connector = null,
        bool waitForBinds = true)
    {
        var simulatorOptions = new SmscSimulatorOptions
        {
            Credentials = { ["portal"] = "secret" },
            KeepMessages = true,
            ReceiptDelay = TimeSpan.FromMilliseconds(5),
            Seed = 42,
        };
        simulator?.Invoke(simulatorOptions);
        var sim = new SmscSimulator(simulatorOptions);
        var endpoint = await sim.StartAsync();

        var connectorOptions = Options(endpoint.Port);
        connector?.Invoke(connectorOptions);
        var esme = new SmppConnector(connectorOptions);
        await esme.StartAsync();
        var rig = new SmppTestRig(sim, esme);
        if (waitForBinds && !await esme.WaitForBindsAsync(connectorOptions.Binds + connectorOptions.ReceiverBinds, TimeSpan.FromSeconds(10)))
        {
            await rig.DisposeAsync();
            throw new InvalidOperationException("connector did not bind to the simulator");
        }
        return rig;
    }

    public static SmppConnectorOptions Options(int port) => new()
    {
        Name = "test",
        Host = "127.0.0.1",
        Port = port,
        SystemId = "portal",
        Password = "secret",
        WindowSize = 50,
        ResponseTimeout = TimeSpan.FromSeconds(2),
        ReconnectDelay = TimeSpan.FromMilliseconds(20),
        MaxReconnectDelay = TimeSpan.FromMilliseconds(200),
        BindWaitTimeout = TimeSpan.FromSeconds(5),
        UnbindTimeout = TimeSpan.FromSeconds(2),
    };

    /// <summary>Reads receipts from the connector until <paramref name="count"/> arrived or the timeout passes.</summary>
    public async Task<List<ReceiptReceived>> ReadReceiptsAsync(int count, TimeSpan timeout)
    {
        var receipts = new List<ReceiptReceived>();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            while (receipts.Count < count)
            {
                if (await Connector.Inbound.ReadAsync(cts.Token) is ReceiptReceived receipt) receipts.Add(receipt);
            }
        }
        catch (OperationCanceledException)
        {
        }
        return receipts;
    }

    public static SmsSubmission Sms(int i, string? text = null) => new($"m{i}", "Portal", "7999000" + i.ToString("D4"), text ?? $"Hello {i}");

    public async ValueTask DisposeAsync()
    {
        await Connector.DisposeAsync();
        await Simulator.DisposeAsync();
    }
}
