using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Portal.Domain.Campaigns;
using Portal.Domain.Messages;
using Portal.Domain.Segments;
using Portal.Infrastructure.Persistence;
using Portal.Tests.Infrastructure.Sending;
using Portal.Tests.Support;
using Xunit.Abstractions;

namespace Portal.Tests.Chaos;

/// <summary>
/// Issue 13, the chaos stage: three Portal processes (web+scheduler, scheduler+sender, sender) on
/// one PostgreSQL and one RabbitMQ that <c>scripts/chaos.sh</c> started for this run only, a
/// campaign through one SMSC simulator both sender nodes bind to, and during it: kill -9 of a
/// sender node and its restart, a RabbitMQ restart, a PostgreSQL restart, and kill -9 of a
/// scheduler node at a recurring firing; STOP replies are sent by the simulator throughout
/// (store-and-forward: again until acknowledged). Run through the script only (it restarts the
/// servers): <c>scripts/chaos.sh [size] [runs]</c>.
/// </summary>
[Trait("Category", "Chaos")]
public sealed class ChaosTests(ITestOutputHelper output)
{
    private const int Stops = 20;

    [Fact]
    public async Task ThreeNodes_UnderFaults_LoseNothing_FlagEveryDuplicate_AndFireOncePerFiring()
    {
        var dir = Environment.GetEnvironmentVariable("CHAOS_DIR");
        Assert.False(string.IsNullOrEmpty(dir), "run through scripts/chaos.sh: it starts the private PostgreSQL and RabbitMQ this test restarts");
        var size = int.Parse(Environment.GetEnvironmentVariable("CHAOS_SIZE") ?? "5000", CultureInfo.InvariantCulture);
        var seconds = int.Parse(Environment.GetEnvironmentVariable("CHAOS_SECONDS") ?? "90", CultureInfo.InvariantCulture);
        var run = Environment.GetEnvironmentVariable("CHAOS_RUN") ?? "1";

        await using var h = await DispatchHarness.CreateAsync(DatabaseProvider.Postgres, rabbit: true, smsc: o =>
        {
            o.ReceiptDelay = TimeSpan.FromMilliseconds(50);
            o.Seed = null;
        });
        await h.SeedClientsAsync(size);
        // Paced so the faults land while it sends: the limit is shared across the live sender nodes.
        var speed = Math.Max(10, size / seconds);
        var campaignId = await h.CreateCampaignAsync(s => s with { SpeedLimit = speed });
        int firstNine;
        await using (var db = h.Database.CreateContext())
        {
            // The recurring campaign goes to nine clients (+79000000001..9), not the whole base.
            var rule = new SegmentRule();
            rule.Root.Children.Add(new RuleCondition { Criterion = Criteria.PhonePrefix, Operator = RuleOperator.StartsWith, Value = System.Text.Json.Nodes.JsonValue.Create("+7900000000") });
            var segment = new Segment("First nine", null, SegmentRuleJson.Serialize(rule), "test", DateTime.UtcNow);
            db.Segments.Add(segment);
            await db.SaveChangesAsync();
            firstNine = segment.Id;
        }
        var recurringId = await h.CreateCampaignAsync(s => s with { ScheduleKind = ScheduleKind.Recurring, Cron = "0 * * * * ?", SegmentId = firstNine });

        var queues = "chaos-" + Guid.NewGuid().ToString("N")[..8];
        await using var nodes = new Nodes(dir!, h.Database.ConnectionString, queues, output);
        nodes.Start("a", "web,scheduler");
        nodes.Start("b", "scheduler,sender");
        nodes.Start("c", "sender");
        var faults = new List<Fault>();
        var watch = Stopwatch.StartNew();
        await WaitForAsync(() => Task.FromResult(h.Smsc.BoundSessions >= 2), TimeSpan.FromMinutes(2), "both sender nodes bound (the provider's two binds are split across live senders)");
        await WaitForAsync(async () => (await DoneAsync(h, campaignId)) > 0, TimeSpan.FromMinutes(2), "the scheduler launched the campaign");
        var launched = watch.Elapsed;

        // STOPs from the top of the base, one every few seconds across the faults.
        var stopPhones = Enumerable.Range(size - Stops + 1, Stops).Select(i => $"+7900{i:D7}").ToList();
        using var stopping = new CancellationTokenSource(TimeSpan.FromMinutes(15));
        var stopTasks = new List<Task<int>>();
        var stopFeeder = Task.Run(async () =>
        {
            foreach (var phone in stopPhones)
            {
                stopTasks.Add(h.Smsc.DeliverMoUntilAcknowledgedAsync(phone, "Portal", "STOP", cancellationToken: stopping.Token));
                await Task.Delay(TimeSpan.FromSeconds(seconds / (double)Stops));
            }
        });

        async Task AtAsync(double fraction) => await Task.Delay(TimeSpan.FromSeconds(Math.Max(0, launched.TotalSeconds + seconds * fraction - watch.Elapsed.TotalSeconds)));
        async Task<Fault> MeasureAsync(string name, Func<Task> fault)
        {
            var at = watch.Elapsed;
            await fault();
            var after = await DoneAsync(h, campaignId);
            var recovered = Stopwatch.StartNew();
            await WaitForAsync(async () => await DoneAsync(h, campaignId) > after || await DoneAsync(h, campaignId) >= size, TimeSpan.FromMinutes(5), "progress after " + name);
            var f = new Fault(name, at, recovered.Elapsed);
            output.WriteLine($"fault {name} at {at.TotalSeconds:F0} s, progress again {f.Recovery.TotalSeconds:F1} s after");
            return f;
        }

        await AtAsync(0.15);
        faults.Add(await MeasureAsync("kill -9 sender node c, restart 5 s later", async () =>
        {
            nodes.Kill("c");
            await Task.Delay(5000);
            nodes.Start("c", "sender");
        }));
        await AtAsync(0.35);
        faults.Add(await MeasureAsync("RabbitMQ restart", () => ScriptAsync(Path.Combine(dir!, "restart-rabbitmq.sh"))));
        await AtAsync(0.55);
        faults.Add(await MeasureAsync("PostgreSQL restart", () => ScriptAsync(Path.Combine(dir!, "restart-postgres.sh"))));
        // Kill the web+scheduler node right at a recurring firing (node b schedules too).
        var now = DateTime.UtcNow;
        var firing = new DateTime(now.Year, now.Month, now.Day, now.Hour, now.Minute, 0, DateTimeKind.Utc).AddMinutes(1);
        await Task.Delay(firing - DateTime.UtcNow + TimeSpan.FromMilliseconds(30));
        faults.Add(await MeasureAsync($"kill -9 scheduler node a at the {firing:HH:mm:ss} firing, restart 5 s later", async () =>
        {
            nodes.Kill("a");
            await Task.Delay(5000);
            nodes.Start("a", "web,scheduler");
        }));

        await h.WaitUntilAsync(campaignId, c => DispatchHarness.AllFinal(c) && c.Values.Sum() == size, TimeSpan.FromMinutes(20));
        await stopFeeder;
        var stopDeliveries = await Task.WhenAll(stopTasks).WaitAsync(TimeSpan.FromMinutes(5));
        await Task.Delay(5000); // a late duplicate still on its way reaches the simulator
        var total = watch.Elapsed;

        await using var read = h.Database.CreateContext();
        var messages = await read.Messages.Where(m => m.CampaignId == campaignId)
            .Select(m => new { m.Phone, m.Status, m.Resubmitted }).ToListAsync();
        // Submits per number for this campaign: the recurring runs' own messages to the first nine
        // numbers are not duplicates (the first run counted them as unflagged duplicates).
        var otherRuns = await read.Messages.Where(m => m.CampaignId != campaignId && m.Status != MessageStatus.Queued)
            .GroupBy(m => m.Phone).Select(g => new { Phone = g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Phone, g => g.Count);
        var submits = h.Smsc.Messages.GroupBy(m => "+" + m.To.Value).ToDictionary(g => g.Key, g => g.Count() - otherRuns.GetValueOrDefault(g.Key));
        var byPhone = messages.GroupBy(m => m.Phone).ToDictionary(g => g.Key, g => g.ToList());
        // Lost: a recipient without a final message (a STOP before its turn makes a final, skipped one).
        var lost = size - messages.Count(m => m.Status is not (MessageStatus.Queued or MessageStatus.Deferred or MessageStatus.Submitting or MessageStatus.Submitted));
        var duplicated = submits.Where(s => s.Value > 1 && byPhone.ContainsKey(s.Key)).ToList();
        var unflagged = duplicated.Count(d => !byPhone[d.Key].Any(m => m.Resubmitted));
        var receiptsUnapplied = messages.Count(m => m.Status is MessageStatus.Submitted or MessageStatus.Submitting);
        var optedOut = await read.Clients.CountAsync(c => stopPhones.Contains(c.Phone) && c.OptedOutAt != null);
        var firings = await read.Campaigns.Where(c => c.ParentCampaignId == recurringId).GroupBy(c => c.FiringAt)
            .Select(g => new { Firing = g.Key, Runs = g.Count() }).ToListAsync();
        var window = 250 * 2 * 2; // Sending:BatchSize x Concurrency x sender nodes

        var summary = new StringBuilder();
        summary.AppendLine(CultureInfo.InvariantCulture, $"chaos run {run}: {size} recipients at {speed} msg/s, {total.TotalSeconds:F0} s; lost {lost}, "
            + $"duplicates {duplicated.Count} (flagged {duplicated.Count - unflagged}, unflagged {unflagged}), receipts unapplied {receiptsUnapplied}, "
            + $"STOPs applied {optedOut}/{Stops} (deliveries {stopDeliveries.Sum()}), firings {string.Join(" ", firings.Select(f => $"{f.Firing:HH:mm}x{f.Runs}"))}, "
            + $"simulator submit_sm {h.Smsc.Statistics.SubmitSm}, receipts {h.Smsc.Statistics.Receipts} (acked {h.Smsc.Statistics.ReceiptsAcked})");
        foreach (var f in faults)
        {
            summary.AppendLine(CultureInfo.InvariantCulture, $"| {run} | {f.Name} | {f.At.TotalSeconds:F0} s | {lost} | {duplicated.Count - unflagged} / {unflagged} | {receiptsUnapplied} / {Stops - optedOut} | {f.Recovery.TotalSeconds:F1} s |");
        }
        output.WriteLine(summary.ToString());
        await File.AppendAllTextAsync(Path.Combine(dir!, "results.md"), summary.ToString());

        Assert.Equal(size, messages.Count);
        Assert.Equal(size, byPhone.Count);
        Assert.Equal(0, lost);
        Assert.Equal(0, unflagged);
        Assert.True(duplicated.Count <= window, $"{duplicated.Count} duplicates, more than the in-flight window {window}");
        Assert.Equal(0, receiptsUnapplied);
        Assert.Equal(Stops, optedOut);
        Assert.NotEmpty(firings);
        Assert.All(firings, f => Assert.Equal(1, f.Runs));
        Assert.Contains(firings, f => f.Firing == firing);
    }

    private sealed record Fault(string Name, TimeSpan At, TimeSpan Recovery);

    private static async Task<int> DoneAsync(DispatchHarness h, int campaignId)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await using var db = h.Database.CreateContext();
                // Final: delivered, or skipped (a STOP before its turn) and the like; not in flight.
                return await db.Messages.CountAsync(m => m.CampaignId == campaignId
                    && !(m.Status == MessageStatus.Queued || m.Status == MessageStatus.Deferred || m.Status == MessageStatus.Submitting || m.Status == MessageStatus.Submitted));
            }
            catch (Exception) when (attempt < 60)
            {
                await Task.Delay(500); // PostgreSQL restarting
            }
        }
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var until = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < until, "timed out waiting for " + what);
            await Task.Delay(200);
        }
    }

    private static async Task ScriptAsync(string path)
    {
        using var process = Process.Start(new ProcessStartInfo("bash", [path]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{path} failed: {await stdout} {await stderr}");
    }

    /// <summary>Portal processes (<c>dotnet Portal.dll</c>), each with its roles, logging to a file in the chaos folder.</summary>
    private sealed class Nodes(string dir, string database, string queues, ITestOutputHelper output) : IAsyncDisposable
    {
        private readonly Dictionary<string, Process> _running = [];
        private readonly string _dll = FindPortalDll();

        public void Start(string name, string roles)
        {
            var info = new ProcessStartInfo("bash", ["-c", $"exec dotnet \"{_dll}\" >> \"{Path.Combine(dir, "node-" + name + ".log")}\" 2>&1"])
            {
                WorkingDirectory = Path.GetDirectoryName(_dll)!,
            };
            var env = new Dictionary<string, string>
            {
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
                ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
                ["Node__Roles"] = roles,
                ["Database__Provider"] = "Postgres",
                ["Database__ConnectionString"] = database,
                ["Messaging__Transport"] = "RabbitMq",
                ["Messaging__RabbitMq__Uri"] = TestEnvironment.RabbitMq,
                ["Sending__EmbeddedSimulator"] = "false",
                ["Sending__ChunkQueue"] = queues + ".chunks",
                ["Sending__ReceiptQueue"] = queues + ".receipts",
                ["Sending__InboundQueue"] = queues + ".inbound",
                ["Sending__InFlightGrace"] = "00:00:05",
                ["Sending__SweepInterval"] = "00:00:01",
                ["Scheduling__ReconcileInterval"] = "00:00:05",
                ["Seed__DemoClients"] = "0",
                ["Seed__DemoHistory"] = "false",
                ["Seed__AdminPassword"] = PortalAppFactory.AdminPassword,
                ["DataProtection__KeysPath"] = Path.Combine(dir, "keys"),
                ["Logging__LogLevel__Default"] = "Warning",
                ["Logging__LogLevel__Portal"] = "Information",
            };
            foreach (var (k, v) in env) info.Environment[k] = v;
            _running[name] = Process.Start(info)!;
            output.WriteLine($"node {name} ({roles}) started, pid {_running[name].Id}");
        }

        public void Kill(string name)
        {
            var process = _running[name];
            process.Kill(); // SIGKILL: no shutdown, nothing returned to the queue, no record written
            process.WaitForExit();
            output.WriteLine($"node {name} killed (-9)");
        }

        private static string FindPortalDll()
        {
            for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            {
                var dll = Path.Combine(d.FullName, "Portal", "bin", "Debug", "net10.0", "Portal.dll");
                if (File.Exists(dll)) return dll;
            }
            throw new FileNotFoundException("Portal/bin/Debug/net10.0/Portal.dll: build the solution first");
        }

        public ValueTask DisposeAsync()
        {
            foreach (var process in _running.Values)
            {
                if (!process.HasExited) process.Kill();
                process.Dispose();
            }
            return ValueTask.CompletedTask;
        }
    }
}
