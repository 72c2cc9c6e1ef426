using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using Portal.Infrastructure.Smpp.Simulator;

namespace Portal.Cli;

/// <summary>
/// <c>smsc [--host 127.0.0.1] [--port 2775] [--system-id ID --password PW] [--receipt-delay-ms 20]
/// [--outcomes delivered,undeliverable,expired,rejected] [--throttle-rate 0.01] [--nack-rate 0]
/// [--no-response-rate 0] [--drop-every 0] [--latency-ms 0] [--enquire-link-s 0] [--seconds N]</c>:
/// runs the SMSC simulator until Ctrl+C (or for N seconds: scripts and tests).
/// </summary>
public static class SmscVerb
{
    public static async Task<int> RunAsync(string[] args)
    {
        var options = new SmscSimulatorOptions
        {
            Address = IPAddress.Parse(CliVerbs.Option(args, "host") ?? "127.0.0.1"),
            Port = int.Parse(CliVerbs.Option(args, "port") ?? "2775", CultureInfo.InvariantCulture),
        };
        if (CliVerbs.Option(args, "system-id") is { } systemId) options.Credentials[systemId] = CliVerbs.Option(args, "password") ?? string.Empty;
        if (Number(args, "receipt-delay-ms") is { } delay) options.ReceiptDelay = TimeSpan.FromMilliseconds(delay);
        if (Number(args, "latency-ms") is { } latency) options.ResponseLatency = TimeSpan.FromMilliseconds(latency);
        if (Number(args, "enquire-link-s") is { } enquire && enquire > 0) options.EnquireLinkInterval = TimeSpan.FromSeconds(enquire);
        if (Number(args, "throttle-rate") is { } throttle) options.Faults.ThrottleRate = throttle;
        if (Number(args, "nack-rate") is { } nack) options.Faults.GenericNackRate = nack;
        if (Number(args, "no-response-rate") is { } silent) options.Faults.NoResponseRate = silent;
        if (Number(args, "drop-every") is { } drop) options.Faults.DropConnectionEveryPdus = (int)drop;
        if (CliVerbs.Option(args, "outcomes") is { } mix)
        {
            var w = mix.Split(',').Select(s => double.Parse(s, CultureInfo.InvariantCulture)).Concat([0.0, 0, 0, 0]).ToArray();
            options.Outcomes = new ReceiptOutcomeMix(w[0], w[1], w[2], w[3]);
        }

        await using var simulator = new SmscSimulator(options);
        var endpoint = await simulator.StartAsync();
        Console.WriteLine($"SMSC simulator listening on {endpoint} ({(options.Credentials.Count == 0 ? "any credentials" : "configured credentials")}); Ctrl+C stops");

        using var stop = new CancellationTokenSource();
        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }
        using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        try
        {
            await Task.Delay(Number(args, "seconds") is { } seconds ? TimeSpan.FromSeconds(seconds) : Timeout.InfiniteTimeSpan, stop.Token);
        }
        catch (OperationCanceledException)
        {
        }
        var s = simulator.Statistics;
        Console.WriteLine($"binds {s.Binds}, submit_sm {s.SubmitSm}, accepted {s.Accepted}, throttled {s.Throttled}, receipts {s.Receipts}");
        return 0;
    }

    private static double? Number(string[] args, string name) =>
        CliVerbs.Option(args, name) is { } value ? double.Parse(value, CultureInfo.InvariantCulture) : null;
}
