using System.Diagnostics;
using System.Globalization;
using Portal.Infrastructure.Smpp.Esme;
using Portal.Infrastructure.Smpp.Simulator;

namespace Portal.Cli.Bench;

/// <summary>
/// <c>bench smpp [--host H --port P] [--count 200000] [--window 100] [--binds 1] [--system-id ID --password PW]</c>:
/// submit_sm throughput of our ESME (the real <see cref="SmppConnector.SubmitAsync"/> path) with
/// 160-character GSM-7 messages. Without --host an in-process simulator on a free loopback port is the SMSC.
/// <para>
/// Under operators' limits (issue 12): <c>bench smpp --throttle-at 2000 [--seconds 60] [--warmup 5]
/// [--change-at 20 --throttle-after 4000] [--random-throttle 0.01]</c> runs for a fixed time against a
/// simulator that answers 0x58 above the contracted rate (and/or at random), prints accepted/s and
/// the 0x58 share per second, and a summary over the window after the warm-up.
/// </para>
/// </summary>
public static class SmppBench
{
    /// <summary>Exactly 160 GSM-7 characters: one full SMS part, as in the issue's target.</summary>
    private static readonly string Text = string.Concat(Enumerable.Repeat("Portal benchmark message, GSM-7 text. ", 5))[..160];

    public static async Task<int> RunAsync(string[] args)
    {
        var count = Int(args, "count", 200_000);
        var window = Int(args, "window", 100);
        var binds = Int(args, "binds", 1);
        var host = CliVerbs.Option(args, "host");

        var throttleAt = CliVerbs.Option(args, "throttle-at") is { } t ? int.Parse(t, CultureInfo.InvariantCulture) : (int?)null;
        var randomThrottle = CliVerbs.Option(args, "random-throttle") is { } r ? double.Parse(r, CultureInfo.InvariantCulture) : 0;
        var timed = throttleAt is not null || randomThrottle > 0 || CliVerbs.Option(args, "seconds") is not null;

        SmscSimulator? simulator = null;
        var port = Int(args, "port", 2775);
        if (host is null)
        {
            simulator = new SmscSimulator(new SmscSimulatorOptions { Faults = { ContractedRate = throttleAt, ThrottleRate = randomThrottle } });
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

            if (timed) return await RunTimedAsync(connector, simulator, args, window * binds, throttleAt, randomThrottle);

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

    /// <summary>
    /// Fixed-time run: workers submit until the end; every second prints accepted/s and the share of
    /// submit_sm answered 0x58 (the connector's own counters). The summary covers the seconds after
    /// --warmup. With --change-at the simulator's contracted rate becomes --throttle-after mid-run.
    /// </summary>
    private static async Task<int> RunTimedAsync(SmppConnector connector, SmscSimulator? simulator, string[] args, int concurrency, int? throttleAt, double randomThrottle)
    {
        var seconds = Int(args, "seconds", 60);
        var warmup = Int(args, "warmup", 5);
        var changeAt = Int(args, "change-at", 0);
        var after = Int(args, "throttle-after", throttleAt ?? 0);
        using var stop = new CancellationTokenSource();
        long next = -1, failed = 0;
        var workers = Enumerable.Range(0, concurrency).Select(async _ =>
        {
            while (!stop.IsCancellationRequested)
            {
                var i = Interlocked.Increment(ref next);
                var outcome = await connector.SubmitAsync(new SmsSubmission(i.ToString(CultureInfo.InvariantCulture), "Bench", "79990000000", Text) { RequestReceipt = false }, stop.Token);
                if (outcome is not SubmitOutcome.Accepted && !stop.IsCancellationRequested) Interlocked.Increment(ref failed);
            }
        }).ToList();

        var stats = connector.Statistics;
        long windowAccepted = 0, windowThrottled = 0;
        var (lastAccepted, lastThrottled) = (stats.SubmitSmAccepted, stats.Throttled);
        var clock = Stopwatch.StartNew();
        for (var second = 1; second <= warmup + seconds; second++)
        {
            if (changeAt > 0 && second == changeAt + 1 && simulator is not null)
            {
                simulator.Options.Faults.ContractedRate = after;
                Console.WriteLine($"-- contracted rate now {after}/s");
            }
            var wait = TimeSpan.FromSeconds(second) - clock.Elapsed;
            if (wait > TimeSpan.Zero) await Task.Delay(wait);
            var (accepted, throttled) = (stats.SubmitSmAccepted, stats.Throttled);
            var (da, dt) = (accepted - lastAccepted, throttled - lastThrottled);
            (lastAccepted, lastThrottled) = (accepted, throttled);
            var share = da + dt == 0 ? 0 : 100.0 * dt / (da + dt);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"t={second,3}s accepted/s={da,7} 0x58={share,6:F2}% pacing={(double.IsPositiveInfinity(connector.PacingRate) ? "off" : connector.PacingRate.ToString("F0", CultureInfo.InvariantCulture))}"));
            if (second > warmup)
            {
                windowAccepted += da;
                windowThrottled += dt;
            }
        }
        var started = Interlocked.Read(ref next) + 1;
        await stop.CancelAsync();
        try
        {
            await Task.WhenAll(workers);
        }
        catch (OperationCanceledException)
        {
        }
        var rate = windowAccepted / (double)seconds;
        var totalShare = windowAccepted + windowThrottled == 0 ? 0 : 100.0 * windowThrottled / (windowAccepted + windowThrottled);
        var ofContract = throttleAt is { } c && changeAt == 0 ? $", {100 * rate / c:F1} % of the contracted {c}/s" : "";
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{{\"event\":\"bench-throttle\",\"contracted\":{throttleAt?.ToString(CultureInfo.InvariantCulture) ?? "null"},\"random\":{randomThrottle},\"seconds\":{seconds},\"warmup\":{warmup},\"rate\":{rate:F0},\"throttledPercent\":{totalShare:F3},\"failed\":{failed}}}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Portal ESME under limits: {rate:F0} accepted submit_sm/s over {seconds} s after {warmup} s warm-up{ofContract}; {totalShare:F2} % answered 0x58; {failed} messages not accepted; {started} messages started in {warmup + seconds} s ({started / (double)(warmup + seconds):F0}/s)"));
        return failed == 0 ? 0 : 1;
    }

    private static int Int(string[] args, string name, int fallback) =>
        CliVerbs.Option(args, name) is { } value ? int.Parse(value, CultureInfo.InvariantCulture) : fallback;
}
