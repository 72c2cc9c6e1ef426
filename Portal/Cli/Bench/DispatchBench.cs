using System.Diagnostics;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using Portal.Domain.Campaigns;
using Portal.Domain.Messages;
using Portal.Domain.Segments;
using Portal.Infrastructure.Campaigns;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Sending;
using Portal.Infrastructure.Telemetry;

namespace Portal.Cli.Bench;

/// <summary>
/// <c>bench launch</c>: launch of a campaign to every client of the configured (seeded) PostgreSQL
/// base: snapshot (one INSERT ... SELECT + chunk cut) and chunks published with confirms; nothing is sent.
/// <c>bench pipeline</c>: the same launch, then the node's own senders (started host) push every
/// message through the bus and the embedded SMSC simulator until every receipt is applied,
/// printing each stage's rate.
/// </summary>
internal static class DispatchBench
{
    /// <summary>How long the counters may stand still before the bench gives up and reports.</summary>
    private static readonly TimeSpan StallAfter = TimeSpan.FromMinutes(2);

    public static Task<int> LaunchAsync(string[] args) => RunAsync(args, send: false);

    public static Task<int> PipelineAsync(string[] args) => RunAsync(args, send: true);

    private static async Task<int> RunAsync(string[] args, bool send)
    {
        var control = CliVerbs.Option(args, "control") is { } c ? int.Parse(c, CultureInfo.InvariantCulture) : 0;
        // A queue of its own per run, so a bench never meets another run's chunks.
        var queue = "bench-" + Guid.NewGuid().ToString("N")[..8];
        string[] hostArgs = [.. args[2..], "--Sending:ChunkQueue", queue + ".chunks", "--Sending:ReceiptQueue", queue + ".receipts",
            "--Scheduling:Enabled", "false", "--Sending:Enabled", send ? "true" : "false"];
        using var host = VerbHost.Build(hostArgs);
        var contexts = host.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        int campaignId;
        long clients;
        await using (var db = await contexts.CreateDbContextAsync())
        {
            if (db.Database.GetDbConnection() is not NpgsqlConnection)
            {
                Console.Error.WriteLine("bench launch/pipeline run against PostgreSQL: pass --Database:Provider Postgres --Database:ConnectionString ...");
                return 2;
            }
            await db.Database.MigrateAsync();
            clients = await db.Clients.LongCountAsync();
            campaignId = await BenchCampaign.AddToEveryoneAsync(db, queue,
                "Hello {{ client.first_name }}! Your balance is {{ client.balance }} RUB. Portal bench.", control);
        }
        Console.WriteLine($"Base: {clients:N0} clients; campaign {campaignId}, control group {control} %; queue {queue}.chunks");

        if (send) await host.StartAsync();
        // Issue 22: with metrics on an own port, scrape /metrics during the run (as Prometheus would)
        // and report its latency; with --Telemetry:Enabled false nothing listens. Every second by
        // default (many latency samples); --scrape-every 15 is a usual Prometheus interval: a profile
        // at 1 s put ~4 % of the process's busy time in the scrapes (building the answer, and this
        // in-process client, which a real Prometheus is not), against ~1 % for the per-message instruments.
        var every = TimeSpan.FromSeconds(CliVerbs.Option(args, "scrape-every") is { } e ? double.Parse(e, CultureInfo.InvariantCulture) : 1);
        var telemetry = host.Services.GetRequiredService<IOptions<TelemetryOptions>>().Value;
        using var scrapes = send && telemetry.Enabled && telemetry.Prometheus.Port > 0
            ? ScrapeSampler.Start($"http://127.0.0.1:{telemetry.Prometheus.Port}{telemetry.Prometheus.Path}", every)
            : null;
        Console.WriteLine(scrapes is null
            ? $"Metrics: {(telemetry.Enabled ? "on, no own port: /metrics not scraped" : "off (Telemetry:Enabled false)")}"
            : $"Metrics: on, scraping {scrapes.Url} every {every.TotalSeconds:N0} s");
        var process = Process.GetCurrentProcess();
        var (user0, system0, pause0, allocated0) = (process.UserProcessorTime, process.PrivilegedProcessorTime, GC.GetTotalPauseDuration(), GC.GetTotalAllocatedBytes());
        var gcs0 = Enumerable.Range(0, 3).Select(GC.CollectionCount).ToArray();
        var total = Stopwatch.StartNew();
        var launch = await host.Services.GetRequiredService<CampaignLauncher>().LaunchAsync(campaignId, default)
            ?? throw new InvalidOperationException("The campaign was not launched.");
        var toSend = launch.Messages - launch.Control;
        Console.WriteLine($"Launch: {launch.Messages:N0} messages ({launch.Control:N0} control), {launch.Chunks:N0} chunks");
        Console.WriteLine($"  snapshot + chunk cut: {launch.Snapshot.TotalSeconds:F1} s ({launch.Messages / launch.Snapshot.TotalSeconds:N0} rows/s)");
        Console.WriteLine($"  publish with confirms: {launch.Publish.TotalSeconds:F1} s ({launch.Chunks / Math.Max(launch.Publish.TotalSeconds, 0.001):N0} chunks/s)");
        Console.WriteLine($"  launch total: {(launch.Snapshot + launch.Publish).TotalSeconds:F1} s");
        if (!send) return 0;

        var sender = host.Services.GetRequiredService<ChunkSender>();
        var receipts = host.Services.GetRequiredService<ReceiptProcessor>();
        var operations = host.Services.GetRequiredService<ICampaignOperations>();
        // Ctrl+C ends the wait, not the process: the figures seen so far are still printed.
        using var stop = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; stop.Cancel(); };
        Console.CancelKeyPress += onCancel;
        var sendStart = total.Elapsed;
        TimeSpan? lastSubmit = null;
        var watch = new PipelineWatch(toSend, StallAfter);
        while (!stop.IsCancellationRequested)
        {
            try { await Task.Delay(5000, stop.Token); }
            catch (OperationCanceledException) { Console.WriteLine("  interrupted: reporting what was seen."); break; }
            var submitted = Interlocked.Read(ref sender.Submitted);
            var applied = Interlocked.Read(ref receipts.Applied);
            var (submitRate, applyRate) = watch.Rates(submitted, applied, total.Elapsed);
            Console.WriteLine($"  t={total.Elapsed.TotalSeconds,5:F0} s  submitted {submitted,9:N0} ({submitRate,7:N0}/s)  receipts applied {applied,9:N0} ({applyRate,7:N0}/s)");
            if (submitted >= toSend && lastSubmit is null) lastSubmit = total.Elapsed;
            // Messages can end without a receipt (cancelled, rejected, expired): when the counters
            // stop moving, the database says whether every message is final.
            var verdict = watch.Observe(submitted, applied, total.Elapsed);
            if (verdict == PipelineWatch.Verdict.AllReceipts) break;
            if (verdict == PipelineWatch.Verdict.Idle)
            {
                var progress = await operations.GetProgressAsync(campaignId);
                if (progress.Final >= progress.Total) { Console.WriteLine("  every message is final."); break; }
            }
            if (verdict == PipelineWatch.Verdict.Stalled)
            {
                Console.WriteLine($"  stalled: nothing moved for {StallAfter.TotalSeconds:F0} s; reporting what was seen.");
                break;
            }
        }
        Console.CancelKeyPress -= onCancel;
        var end = total.Elapsed;
        lastSubmit ??= end;
        var sendSeconds = (lastSubmit.Value - sendStart).TotalSeconds;
        Console.WriteLine($"Submit: {sender.Submitted:N0} in {sendSeconds:F0} s after launch ({sender.Submitted / sendSeconds:N0}/s)");
        Console.WriteLine($"Receipts applied: {receipts.Applied:N0} in {(end - sendStart).TotalSeconds:F0} s after launch ({receipts.Applied / (end - sendStart).TotalSeconds:N0}/s)");
        Console.WriteLine($"End to end (launch to last receipt applied): {end.TotalSeconds:F0} s");
        var final = await operations.GetProgressAsync(campaignId);
        if (scrapes is not null) Console.WriteLine(scrapes.Report());
        // Issue 22: what metrics cost shows in the process's own CPU time and allocations, which
        // other processes on a shared machine barely move (wall time they do).
        process.Refresh();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Process from launch: CPU {(process.UserProcessorTime - user0).TotalSeconds:F1} s user + {(process.PrivilegedProcessorTime - system0).TotalSeconds:F1} s system; " +
            $"allocated {(GC.GetTotalAllocatedBytes() - allocated0) / 1e9:F2} GB; GCs gen0/1/2 {string.Join('/', Enumerable.Range(0, 3).Select(g => GC.CollectionCount(g) - gcs0[g]))}, " +
            $"pauses {(GC.GetTotalPauseDuration() - pause0).TotalSeconds:F2} s"));
        Console.WriteLine($"Final: {final.Delivered:N0} delivered, {final.Failed:N0} failed, {final.Cancelled:N0} cancelled, {final.Uncertain:N0} uncertain, {final.Control:N0} control, {final.Total - final.Final:N0} not final; {final.Parts:N0} parts, {final.Cost:N2} RUB");
        await host.StopAsync();
        return 0;
    }
}
