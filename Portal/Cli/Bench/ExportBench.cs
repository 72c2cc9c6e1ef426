using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Portal.Api;
using Portal.Domain.Campaigns;
using Portal.Infrastructure.Bi;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Seeding;

namespace Portal.Cli.Bench;

/// <summary>
/// <c>bench export [--rows 500000,1900000] [--pages 20] [--formats csv,parquet,xlsx]</c> against PostgreSQL:
/// a campaign of N message rows read once without writing (the database's and the reader's share of
/// every export), then exported as CSV, Parquet and XLSX (time, peak working set and managed heap
/// sampled every 50 ms while each runs), and the read API's page of 10,000 rows (<c>--pages</c> consecutive
/// pages from several depths, p50/p95, through the API's own row writer). <c>--formats none</c> times the pages only.
/// </summary>
internal static class ExportBench
{
    private const string Prefix = "Export bench ";

    public static async Task<int> RunAsync(string[] args)
    {
        var sizes = (CliVerbs.Option(args, "rows") ?? "500000").Split(',').Select(s => long.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        var pages = int.Parse(CliVerbs.Option(args, "pages") ?? "20", CultureInfo.InvariantCulture);
        // "--formats none": only the read API's pages (the data set up by an earlier run is reused).
        var formats = (CliVerbs.Option(args, "formats") ?? "csv,parquet,xlsx").Split(',').Where(f => f != "none")
            .Select(f => Enum.Parse<BiFormat>(f, ignoreCase: true)).ToArray();
        var hostArgs = args[2..].Where((a, i) => !(a is "--rows" or "--pages" or "--formats") && !(i > 0 && args[2..][i - 1] is "--rows" or "--pages" or "--formats")).ToArray();
        using var host = VerbHost.Build(hostArgs);
        var contexts = host.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        var exporter = host.Services.GetRequiredService<BiExporter>();
        var reader = host.Services.GetRequiredService<BiReader>();
        Console.WriteLine($"Machine: {Environment.ProcessorCount} cores, {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1L << 30)} GB, .NET {Environment.Version}");
        foreach (var size in sizes)
        {
            int campaignId;
            var setup = Stopwatch.StartNew();
            await using (var db = await contexts.CreateDbContextAsync())
            {
                if (db.Database.GetDbConnection() is not NpgsqlConnection)
                {
                    Console.Error.WriteLine("bench export runs against PostgreSQL: pass --Database:Provider Postgres --Database:ConnectionString ...");
                    return 2;
                }
                db.Database.SetCommandTimeout(TimeSpan.FromHours(1));
                await db.Database.MigrateAsync();
                var present = await db.Clients.LongCountAsync();
                if (present < size)
                {
                    await DemoClientWriter.WriteAsync(db, DemoClientGenerator.Generate(present, size - present, DateTime.UtcNow), null, CancellationToken.None);
                }
                var name = Prefix + size.ToString(CultureInfo.InvariantCulture);
                campaignId = await db.Campaigns.Where(c => c.Name == name).Select(c => (int?)c.Id).FirstOrDefaultAsync() ?? 0;
                if (campaignId == 0)
                {
                    var at = DateTime.UtcNow.Date.AddDays(-3);
                    var campaign = new Campaign(name, null, MessagePurpose.Advertising, "bench", at, new CampaignSettings { Body = "Export bench", ControlGroupPercent = 10 });
                    db.Campaigns.Add(campaign);
                    await db.SaveChangesAsync();
                    campaignId = campaign.Id;
                    var first = await db.Clients.OrderBy(c => c.Id).Select(c => c.Id).FirstAsync();
                    await PlantedHistoryWriter.WriteAsync(db, new PlantedCampaign(campaignId, first, first + size - 1, at, Noise: false), CancellationToken.None);
                }
                var rows = await db.Messages.LongCountAsync(m => m.CampaignId == campaignId);
                Console.WriteLine($"\n{rows:N0} message rows (campaign {campaignId}; set-up {setup.Elapsed.TotalSeconds:N0} s)");
            }

            // The split: the query and the rows into typed slots, nothing written. An export's time above
            // this is formatting and writing (on 2 cores the database and the writer overlap).
            if (formats.Length > 0)
            {
                var messages = BiDatasets.Find(BiDatasets.Messages)!;
                var readClock = Stopwatch.StartNew();
                long read = 0;
                await foreach (var _ in reader.ReadRowsAsync(messages, new BiFilter(CampaignId: campaignId), false)) read++;
                Console.WriteLine($"  {"read",-8} {read,10:N0} rows {readClock.Elapsed.TotalSeconds,6:N1} s  (query and rows, no file)");
            }

            foreach (var format in formats)
            {
                var file = Path.Combine(Path.GetTempPath(), $"portal-export-bench.{BiFormats.Extension(format)}");
                GC.Collect();
                var baseline = Process.GetCurrentProcess().WorkingSet64;
                using var sampler = new Sampler();
                var clock = Stopwatch.StartNew();
                long written;
                await using (var stream = new FileStream(file, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
                {
                    written = await exporter.WriteAsync(stream, new BiExportRequest(BiDatasets.Messages, format, new BiFilter(CampaignId: campaignId)), false, null, CancellationToken.None);
                }
                clock.Stop();
                Console.WriteLine($"  {format,-8} {written,10:N0} rows {clock.Elapsed.TotalSeconds,6:N1} s  {new FileInfo(file).Length / 1048576.0,7:N1} MB  " +
                                  $"peak working set {sampler.PeakWorkingSet / 1048576.0:N0} MB (before {baseline / 1048576.0:N0} MB), peak managed heap {sampler.PeakHeap / 1048576.0:N0} MB");
                File.Delete(file);
            }

            // The read API's work for one page: keyset query + the same JSON writing, at several depths.
            var ds = BiDatasets.Find(BiDatasets.Messages)!;
            long firstId, lastId;
            await using (var db = await contexts.CreateDbContextAsync())
            {
                firstId = await db.Messages.Where(m => m.CampaignId == campaignId).MinAsync(m => m.Id);
                lastId = await db.Messages.Where(m => m.CampaignId == campaignId).MaxAsync(m => m.Id);
            }
            async Task<(double Ms, int Count, long? Last)> PageAsync(long after)
            {
                var sw = Stopwatch.StartNew();
                await using var json = new Utf8JsonWriter(Stream.Null);
                json.WriteStartArray();
                var (n, last) = await AnalyticsApi.WriteRowsAsync(json, ds.Columns(false),
                    reader.ReadRowsAsync(ds, new BiFilter(CampaignId: campaignId), false, after, 10_000), ds.Keyed, CancellationToken.None);
                json.WriteEndArray();
                await json.FlushAsync();
                return (sw.Elapsed.TotalMilliseconds, n, last);
            }
            // The process's first pages pay for JIT (tier 0, then tier 1 after ~30 calls), the first
            // connection and the pseudonym key: once per server process, so they are shown apart and not
            // counted in the percentiles. Measured: 528 ms for the first, ~230 ms for the next twenty
            // (tier-0 code), ~70 ms once tiered up.
            var warm = new List<double>();
            for (var i = 0; i < 10; i++) warm.Add((await PageAsync(firstId - 1 + i * 10_000L)).Ms);
            Console.WriteLine($"  API first 10 pages of the process (cold, not counted): {string.Join(", ", warm.Select(ms => ms.ToString("N0", CultureInfo.InvariantCulture)))} ms");
            foreach (var depth in new[] { 0.0, 0.25, 0.5, 0.9, 0.99 })
            {
                // --pages consecutive pages from the depth, each cursor the last id of the page before (as a BI client pages).
                // Past the last row, paging starts again at the depth.
                var start = firstId - 1 + (long)((lastId - firstId) * depth);
                var after = start;
                var times = new List<double>();
                for (var i = 0; i < pages; i++)
                {
                    var (ms, n, last) = await PageAsync(after);
                    if (n == 0) break;
                    times.Add(ms);
                    after = n < 10_000 ? start : last!.Value;
                }
                times.Sort();
                Console.WriteLine($"  API page of 10,000 at {depth:P0} depth: p50 {times[times.Count / 2]:N0} ms, p95 {times[(int)Math.Ceiling(times.Count * 0.95) - 1]:N0} ms ({times.Count} pages)");
            }
        }
        Console.WriteLine($"\nProcess peak working set over the run: {Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0:N0} MB");
        return 0;
    }

    private sealed class Sampler : IDisposable
    {
        private readonly Timer _timer;
        public long PeakWorkingSet { get; private set; }
        public long PeakHeap { get; private set; }

        public Sampler() => _timer = new Timer(_ => Sample(), null, 0, 50);

        private void Sample()
        {
            using var p = Process.GetCurrentProcess();
            PeakWorkingSet = Math.Max(PeakWorkingSet, p.WorkingSet64);
            PeakHeap = Math.Max(PeakHeap, GC.GetTotalMemory(false));
        }

        public void Dispose()
        {
            _timer.Dispose();
            Sample();
        }
    }
}
