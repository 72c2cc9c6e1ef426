using Portal.Cli.Bench;

namespace Portal.Cli;

/// <summary>
/// <c>bench NAME [options]</c>: commands that print the figures in docs/BENCHMARKS.md. Each lives in
/// <c>Cli/Bench/</c>; run them with <c>-c Release</c>.
/// </summary>
public static class BenchVerb
{
    private static readonly Dictionary<string, (Func<string[], Task<int>> Run, string Usage)> Benches = new(StringComparer.OrdinalIgnoreCase)
    {
        ["smpp"] = (SmppBench.RunAsync, "bench smpp [--host H --port P] [--count N] [--window W] [--binds B] [--system-id ID --password PW]"),
        ["import"] = (ImportBench.RunAsync, "bench import [--rows 1900000] [--keep-file]   (uses the configured Database:*)"),
        ["sync"] = (SyncBench.RunAsync, "bench sync --rows N [--postgres CS]   (PostgreSQL source -> configured database)"),
        ["segments"] = (SegmentBench.RunAsync, "bench segments [--runs 20]   (audience counts vs hand-written SQL; PostgreSQL with seeded clients and events)"),
        ["render"] = (RenderBench.RunAsync, "bench render [--count 2000000]   (template rendering + part counting, one thread; no database)"),
        ["estimate"] = (EstimateBench.RunAsync, "bench estimate [--runs 3] [--control 10]   (cost estimate of a campaign to every client of the configured, seeded database)"),
        ["dashboard"] = (DashboardBench.RunAsync, "bench dashboard [--messages 1900000] [--ticks 30]   (the live dashboard's read per tick; PostgreSQL)"),
        ["launch"] = (DispatchBench.LaunchAsync, "bench launch [--control 0]   (1.9 M-recipient launch: snapshot + chunks published; configured PostgreSQL and bus)"),
        ["pipeline"] = (DispatchBench.PipelineAsync, "bench pipeline [--control 0] [--scrape-every 1]   (launch -> bus -> senders -> embedded SMSC simulator -> receipts applied)"),
        ["route"] = (RouteBench.RunAsync, "bench route [--providers 5] [--prefixes 20000] [--count 2000000]   (least-cost plans per message, one thread; no database)"),
        ["analytics"] = (AnalyticsBench.RunAsync, "bench analytics [--clients 1900000] [--events-per-client 5] [--campaigns 50] [--runs 10]   (attribution, campaign results cold/unchanged, across campaigns; PostgreSQL)"),
        ["events-api"] = (EventsApiBench.RunAsync, "bench events-api [--events 200000] [--batch 500] [--callers 8] [--recipients 100000] [--clients N]   (issue 15: client events through POST /api/v1/events on a loopback Kestrel, events/s and latency, then seconds until every conversion is attributed; PostgreSQL)"),
        ["export"] = (ExportBench.RunAsync, "bench export [--rows 500000,1900000] [--pages 20]   (CSV/Parquet/XLSX of a campaign's messages, time and peak memory; read API pages at depths; PostgreSQL)"),
        ["send-api"] = (SendApiBench.RunAsync, "bench send-api [--count 30000] [--warmup 1000] [--url http://portal] [--rate 1000] [--callers 50] [--probes 40]   (send API accept latency and delivery, then API latency to submit_sm while a campaign to the base sends; PostgreSQL + bus + embedded SMSC)"),
        ["alarm"] = (AlarmBench.RunAsync, "bench alarm [--employees 1000] [--confirmations 20] [--escalation-timeout 10] [--campaign-clients 1900000] [--campaign-warmup 20000]   (issue 17: alarm to every employee, confirmations by reply, escalation; idle, then while a campaign to the base sends; bus + embedded SMSC; 0 clients: idle only)"),
        ["pages"] = (PagesBench.RunAsync, "bench pages [--clients 1900000] [--runs 20]   (issue 20: server time of every journey page's queries, p50/p95 against 500 ms; seeds or reuses the base, the demo's past campaigns and one campaign sending to everyone)"),
        ["clients"] = (ClientsBench.RunAsync, "bench clients [--runs 50]   (grid pages and phone search over the configured, seeded database)"),
    };

    public static Task<int> RunAsync(string[] args)
    {
        if (args.Length >= 2 && Benches.TryGetValue(args[1], out var bench))
        {
            return bench.Run(args);
        }
        foreach (var (_, usage) in Benches.Values)
        {
            Console.Error.WriteLine("usage: " + usage);
        }
        return Task.FromResult(2);
    }
}
