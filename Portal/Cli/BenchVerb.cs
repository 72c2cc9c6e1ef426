using System.Diagnostics;
using System.Globalization;
using Portal.Infrastructure.Smpp.Esme;
using Portal.Infrastructure.Smpp.Simulator;

namespace Portal.Cli;

/// <summary>
/// <c>bench smpp [--host H --port P] [--count 200000] [--window 100] [--binds 1] [--system-id ID --password PW]</c>:
/// submit_sm throughput of our ESME (the real <see cref="SmppConnector.SubmitAsync"/> path) with
/// 160-character GSM-7 messages. Without --host an in-process simulator on a free loopback port is the SMSC.
/// <c>bench segments</c>: audience counts and samples, see <see cref="SegmentBench"/>.
/// </summary>
public static class BenchVerb
{
    /// <summary>Exactly 160 GSM-7 characters: one full SMS part, as in the issue's target.</summary>
    private static readonly string Text = string.Concat(Enumerable.Repeat("Portal benchmark message, GSM-7 text. ", 5))[..160];

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length >= 2 && args[1] == "segments")
        {
            return await SegmentBench.RunAsync(args);
        }
        if (args.Length < 2 || args[1] != "smpp")
        {
            Console.Error.WriteLine("usage: bench smpp [--host H --port P] [--count N] [--window W] [--binds B] [--system-id ID --password PW]");
            Console.Error.WriteLine("       bench segments [--runs 20] --Database:Provider Postgres --Database:ConnectionString ...");
            return 2;
        }
        var count = Int(args, "count", 200_000);
        var window = Int(args, "window", 100);
        var binds = Int(args, "binds", 1);
        var host = CliVerbs.Option(args, "host");

        SmscSimulator? simulator = null;
        var port = Int(args, "port", 2775);
        if (host is null)
        {
            simulator = new SmscSimulator(new SmscSimulatorOptions());
            port = (await simulator.StartAsync()).Port;
            host = "127.0.0.1";
        }

        var connector = new SmppConnector(new SmppConnectorOptions
        {
            Name = "bench",
            Host = host,
            Port = port,
            SystemId = CliVerbs.Option(args, "system-id") ?? "bench",
            Password = CliVerbs.Option(args, "password") ?? "bench",
            Binds = binds,
            WindowSize = window,
            MatchReceipts = false,
            ResponseTimeout = TimeSpan.FromSeconds(30),
        });
        try
        {
            await connector.StartAsync();
            if (!await connector.WaitForBindsAsync(binds, TimeSpan.FromSeconds(10)))
            {
                Console.Error.WriteLine($"could not bind to {host}:{port}");
                return 1;
            }

            // Warm-up: JIT and connection buffers, not measured.
            await RunAsync(connector, Math.Min(count / 10, 20_000), window * binds);
            var watch = Stopwatch.StartNew();
            var (accepted, other) = await RunAsync(connector, count, window * binds);
            watch.Stop();

            var rate = count / watch.Elapsed.TotalSeconds;
            Console.WriteLine(
                $"{{\"event\":\"bench\",\"count\":{count},\"window\":{window},\"binds\":{binds},\"seconds\":{watch.Elapsed.TotalSeconds.ToString("F3", CultureInfo.InvariantCulture)},\"rate\":{rate.ToString("F0", CultureInfo.InvariantCulture)},\"failed\":{other}}}");
            Console.WriteLine($"Portal ESME: {count} submit_sm in {watch.Elapsed.TotalSeconds:F2} s = {rate:F0} submit_sm/s " +
                              $"(window {window}, binds {binds}, accepted {accepted}, not accepted {other}, SMSC {(simulator is null ? $"{host}:{port}" : "in-process simulator")})");
            return other == 0 ? 0 : 1;
        }
        finally
        {
            await connector.DisposeAsync();
            if (simulator is not null) await simulator.DisposeAsync();
        }
    }

    private static async Task<(long Accepted, long Other)> RunAsync(SmppConnector connector, int count, int concurrency)
    {
        long next = -1, accepted = 0, other = 0;
        var workers = Enumerable.Range(0, concurrency).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) < count)
            {
                var i = next;
                var outcome = await connector.SubmitAsync(new SmsSubmission(i.ToString(CultureInfo.InvariantCulture), "Bench", "79990000000", Text) { RequestReceipt = false });
                if (outcome is SubmitOutcome.Accepted) Interlocked.Increment(ref accepted);
                else Interlocked.Increment(ref other);
            }
        });
        await Task.WhenAll(workers);
        return (accepted, other);
    }

    private static int Int(string[] args, string name, int fallback) =>
        CliVerbs.Option(args, name) is { } value ? int.Parse(value, CultureInfo.InvariantCulture) : fallback;
}
