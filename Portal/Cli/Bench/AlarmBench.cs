using System.Diagnostics;
using System.Globalization;
using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Portal.Domain.Access;
using Portal.Domain.Alerts;
using Portal.Domain.Campaigns;
using Portal.Domain.Clients;
using Portal.Domain.Messages;
using Portal.Domain.Segments;
using Portal.Domain.Staff;
using Portal.Infrastructure.Alerts;
using Portal.Infrastructure.Campaigns;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Seeding;
using Portal.Infrastructure.Sending;

namespace Portal.Cli.Bench;

/// <summary>
/// <c>bench alarm</c> (issue 17): an alarm to <c>--employees</c> people, measured as the issue states
/// its targets, once on an idle pipeline and once while a campaign to <c>--campaign-clients</c>
/// clients sends at full speed: raise call to each SMS submitted (p95 ≤ 5 s), an employee's reply
/// (a deliver_sm from the embedded SMSC simulator) to the confirmation applied (≤ 1 s), and an
/// unanswered alarm's level-2 SMS against its deadline (≤ 5 s). The node's own senders, escalation
/// loop and inbound processor do the work; the bench only raises, replies and watches the database.
/// </summary>
internal static class AlarmBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var settings = new AlarmBenchSettings(
            Employees: Int(args, "employees", 1_000),
            Confirmations: Int(args, "confirmations", 20),
            EscalationTimeout: TimeSpan.FromSeconds(Int(args, "escalation-timeout", 10)));
        var campaignClients = Int(args, "campaign-clients", 1_900_000);
        var warmup = Int(args, "campaign-warmup", 20_000);
        var queue = "bench-alarm-" + Guid.NewGuid().ToString("N")[..8];
        string[] hostArgs = [.. args[2..].Where((a, i) => !IsOwnOption(args[2..], i)), "--Sending:ChunkQueue", queue + ".chunks", "--Sending:ReceiptQueue", queue + ".receipts",
            "--Sending:PriorityQueue", queue + ".priority", "--Sending:InboundQueue", queue + ".inbound", "--Scheduling:Enabled", "false",
            "--Sending:EmbeddedSimulator", "true", "--Smsc:Demo", "true"];
        using var host = VerbHost.Build(hostArgs);
        var contexts = host.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        Console.WriteLine($"bench alarm: {settings.Employees:N0} employees, {settings.Confirmations} confirmations, escalation timeout {settings.EscalationTimeout.TotalSeconds:F0} s, " +
                          $"campaign to {campaignClients:N0} clients; queues {queue}.*; load average {LoadAverage()}");
        await using (var db = await contexts.CreateDbContextAsync())
        {
            db.Database.SetCommandTimeout(TimeSpan.FromMinutes(10));
            await db.Database.MigrateAsync();
            if (campaignClients > 0)
            {
                var present = await db.Clients.LongCountAsync(c => c.ExternalId!.StartsWith(DemoClientGenerator.ExternalIdPrefix));
                if (present < campaignClients)
                {
                    var clock = Stopwatch.StartNew();
                    var written = await DemoClientWriter.WriteAsync(db, DemoClientGenerator.Generate(present, campaignClients - present, DateTime.UtcNow), null, default);
                    Console.WriteLine($"  seeded {written:N0} demo clients in {clock.Elapsed.TotalSeconds:F0} s (the base had {present:N0})");
                }
            }
        }
        await host.StartAsync();
        var simulator = host.Services.GetRequiredService<EmbeddedSmsc>().Simulator
            ?? throw new InvalidOperationException("The embedded SMSC simulator does not run (Sending:Enabled false?).");
        var core = new AlarmBenchCore(host.Services, (from, text) => simulator.InjectMoAsync(from, "1234", text), Console.Out);
        var staffGroup = await core.SeedStaffAsync(settings.Employees);

        var results = new List<AlarmFigures> { await core.MeasureAsync("idle pipeline", staffGroup, settings) };
        if (campaignClients > 0)
        {
            var (campaignId, messages) = await LaunchCampaignAsync(host.Services, queue);
            var sender = host.Services.GetRequiredService<ChunkSender>();
            // Full speed first: the alarm lands while the chunks are flowing at their steady rate, not during the senders' warm-up.
            var wait = Stopwatch.StartNew();
            while (Interlocked.Read(ref sender.Submitted) < warmup && wait.Elapsed < TimeSpan.FromMinutes(3)) await Task.Delay(100);
            var sample = Interlocked.Read(ref sender.Submitted);
            await Task.Delay(3000);
            var before = Interlocked.Read(ref sender.Submitted);
            var queuedBefore = await QueuedAsync(contexts, campaignId);
            Console.WriteLine($"  campaign {campaignId}: {messages:N0} messages; {before:N0} submitted ({(before - sample) / 3.0:N0}/s over the last 3 s), " +
                              $"{queuedBefore:N0} still queued when the alarm is raised");
            var t0 = Stopwatch.GetTimestamp();
            results.Add(await core.MeasureAsync($"campaign of {messages:N0} sending", staffGroup, settings));
            var seconds = Stopwatch.GetElapsedTime(t0).TotalSeconds;
            var after = Interlocked.Read(ref sender.Submitted);
            var queuedAfter = await QueuedAsync(contexts, campaignId);
            Console.WriteLine($"  campaign during the alarm phase: {after - before:N0} submitted in {seconds:F1} s ({(after - before) / seconds:N0}/s), {queuedAfter:N0} still queued at its end");
            try
            {
                await host.Services.GetRequiredService<ICampaignOperations>().CancelAsync(campaignId,
                    new ClaimsPrincipal(new ClaimsIdentity([new(ClaimTypes.Name, "bench"), new(ClaimTypes.Role, Roles.Administrator)], "bench")), default);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Console.WriteLine($"  cancelling the campaign failed ({e.GetType().Name}: {e.Message}); cancel campaign {campaignId} by hand");
            }
        }
        Console.WriteLine();
        Console.WriteLine("Summary:");
        foreach (var r in results) AlarmBenchCore.Print(r, Console.Out);
        Console.WriteLine($"load average at the end {LoadAverage()}");
        await host.StopAsync();
        return results.All(r => r.AllPass) ? 0 : 1;
    }

    private static async Task<(int Id, long Messages)> LaunchCampaignAsync(IServiceProvider services, string queue)
    {
        int campaignId;
        await using (var db = await services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync())
        {
            campaignId = await BenchCampaign.AddToEveryoneAsync(db, queue);
        }
        var clock = Stopwatch.StartNew();
        var launch = await services.GetRequiredService<CampaignLauncher>().LaunchAsync(campaignId, default)
            ?? throw new InvalidOperationException("The campaign was not launched.");
        Console.WriteLine($"Campaign launched: {launch.Messages:N0} messages, {launch.Chunks:N0} chunks in {clock.Elapsed.TotalSeconds:F1} s");
        return (campaignId, launch.Messages - launch.Control);
    }

    private static async Task<int> QueuedAsync(IDbContextFactory<PortalDbContext> contexts, int campaignId)
    {
        await using var db = await contexts.CreateDbContextAsync();
        return await db.Messages.CountAsync(m => m.CampaignId == campaignId && m.Status == MessageStatus.Queued);
    }

    internal static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";

    private static readonly string[] Own = ["--employees", "--confirmations", "--escalation-timeout", "--campaign-clients", "--campaign-warmup"];

    private static bool IsOwnOption(string[] args, int i) => Own.Contains(args[i]) || (i > 0 && Own.Contains(args[i - 1]));

    private static int Int(string[] args, string name, int fallback) =>
        CliVerbs.Option(args, name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
}

/// <summary>What one measurement asks for; the escalation timeout is short so the bench stays short.</summary>
internal sealed record AlarmBenchSettings(int Employees, int Confirmations, TimeSpan EscalationTimeout, int EscalationPeople = 5)
{
    /// <summary>How long any one wait may take before the figure is reported as missed.</summary>
    public TimeSpan Patience { get; init; } = TimeSpan.FromSeconds(90);
}

/// <summary>
/// One condition's figures. Times in milliseconds, sorted. Submit times are "seen Submitted" (the
/// submit_sm_resp recorded, polled every <see cref="AlarmBenchCore.PollEvery"/>): an upper bound of
/// raise → submit_sm; the claim time (SubmittedAt, just before the submit_sm is written) is the lower one.
/// </summary>
internal sealed record AlarmFigures(
    string Condition,
    int Recipients,
    double RaiseMs,
    double[] SubmitSeenMs,
    double[] SubmitClaimMs,
    int ConfirmationsSent,
    double[] ConfirmMs,
    int Level2Recipients,
    double? EscalationFiredLateMs,
    double? EscalationSubmittedLateMs)
{
    public const double SubmitTargetMs = 5_000, ConfirmTargetMs = 1_000, EscalationTargetMs = 5_000;

    public bool AllSubmitted => SubmitSeenMs.Length == Recipients;
    public bool SubmitPass => AllSubmitted && AlarmBenchCore.P(SubmitSeenMs, 95) <= SubmitTargetMs;
    public bool ConfirmPass => ConfirmMs.Length == ConfirmationsSent && ConfirmationsSent > 0 && ConfirmMs[^1] <= ConfirmTargetMs;
    public bool EscalationPass => EscalationSubmittedLateMs is { } late && late <= EscalationTargetMs;
    public bool AllPass => SubmitPass && ConfirmPass && EscalationPass;
}

/// <summary>
/// The measuring part of <c>bench alarm</c>, apart from the host so a test can run it at a tiny size
/// on SQLite and the in-process bus (the bench code must not rot between runs). Replies go through
/// <c>reply(from, text)</c>: the simulator's mobile-originated deliver_sm.
/// </summary>
internal sealed class AlarmBenchCore(IServiceProvider services, Func<string, string, Task> reply, TextWriter output)
{
    public const string Department = "Bench alarm";
    public static readonly TimeSpan PollEvery = TimeSpan.FromMilliseconds(20);

    private readonly IDbContextFactory<PortalDbContext> _contexts = services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
    private readonly AlertService _alerts = services.GetRequiredService<AlertService>();

    /// <summary>Makes sure <paramref name="count"/> active employees of the bench's department exist (kept between runs); returns its group.</summary>
    public async Task<int> SeedStaffAsync(int count)
    {
        await using var db = await _contexts.CreateDbContextAsync();
        var present = await db.Employees.CountAsync(e => e.Department == Department);
        var now = DateTime.UtcNow;
        for (var i = present; i < count; i++)
        {
            var phone = PhoneNumber.Parse($"+7912{i + 1:D7}");
            var e = new Employee("Bench employee " + i, phone, now);
            e.Update("Bench employee " + i, phone, null, Department, "Engineer", "HQ", null, true, now);
            db.Employees.Add(e);
        }
        await db.SaveChangesAsync();
        var group = await db.EmployeeGroups.FirstOrDefaultAsync(g => g.Rule == GroupRule.Department && g.RuleValue == Department);
        if (group is null)
        {
            group = new EmployeeGroup("Bench alarm: everyone", GroupRule.Department, Department);
            db.EmployeeGroups.Add(group);
            await db.SaveChangesAsync();
        }
        var active = await db.Employees.CountAsync(e => e.Department == Department && e.Active);
        if (active != count)
        {
            throw new InvalidOperationException($"The department '{Department}' holds {active} active employees, not {count}: use --employees {active} or another database.");
        }
        return group.Id;
    }

    /// <summary>
    /// Raises the alarm to the group (every confirmation needed, so each reply is applied) and an
    /// escalating alarm (two levels of <see cref="AlarmBenchSettings.EscalationPeople"/>, nobody
    /// answers) at the same moment, then sends the replies once every SMS is out and watches both.
    /// </summary>
    public async Task<AlarmFigures> MeasureAsync(string condition, int groupId, AlarmBenchSettings settings)
    {
        output.WriteLine($"Phase: {condition} (load average {AlarmBench.LoadAverage()})");
        List<(int Id, string Phone)> staff;
        int chainId;
        await using (var db = await _contexts.CreateDbContextAsync())
        {
            staff = (await db.Employees.AsNoTracking().Where(e => e.Department == Department && e.Active).OrderBy(e => e.Id)
                .Select(e => new { e.Id, e.Phone }).ToListAsync()).Select(e => (e.Id, e.Phone)).ToList();
            var chain = new EscalationChain("Bench alarm " + Guid.NewGuid().ToString("N")[..8]);
            var n = Math.Min(settings.EscalationPeople, staff.Count / 2);
            chain.AddLevel(staff.Take(n).Select(s => s.Id), [], settings.EscalationTimeout);
            chain.AddLevel(staff.Skip(n).Take(n).Select(s => s.Id), [], settings.EscalationTimeout);
            db.EscalationChains.Add(chain);
            await db.SaveChangesAsync();
            chainId = chain.Id;
        }

        // "The click": the raise call, as the page and the API make it.
        var raisedAt = DateTime.UtcNow;
        var clock = Stopwatch.StartNew();
        var alarm = await _alerts.RaiseAsync(new AlertRequest(AlertKind.Alarm, "Bench: data centre A is down", [groupId], [], null, RequiredAcks.All), "bench");
        var raiseMs = clock.Elapsed.TotalMilliseconds;
        var escalating = await _alerts.RaiseAsync(new AlertRequest(AlertKind.Alarm, "Bench: escalation drill", [], [], chainId), "bench");
        output.WriteLine($"  raise call: {raiseMs:F0} ms for {alarm.Recipients:N0} recipients (alert {alarm.AlertId}); escalating alert {escalating.AlertId}");

        // Each SMS: first seen Submitted (or later) by a 20-ms poll.
        var seen = new Dictionary<long, double>();
        while (seen.Count < alarm.Recipients && clock.Elapsed < settings.Patience)
        {
            await using (var db = await _contexts.CreateDbContextAsync())
            {
                var ids = await SentQuery(db, alarm.AlertId, 1).ToListAsync();
                var at = clock.Elapsed.TotalMilliseconds;
                foreach (var id in ids) seen.TryAdd(id, at);
            }
            await Task.Delay(PollEvery);
        }
        double[] claims;
        string code;
        await using (var db = await _contexts.CreateDbContextAsync())
        {
            code = await db.Alerts.Where(a => a.Id == alarm.AlertId).Select(a => a.Code).SingleAsync();
            var submittedAt = await db.AlertRecipients.Where(r => r.AlertId == alarm.AlertId).Join(db.Messages, r => r.MessageId, m => (long?)m.Id, (r, m) => m.SubmittedAt)
                .Where(s => s != null).ToListAsync();
            claims = submittedAt.Select(s => (DateTime.SpecifyKind(s!.Value, DateTimeKind.Utc) - raisedAt).TotalMilliseconds).Order().ToArray();
        }
        var submitSeen = seen.Values.Order().ToArray();
        output.WriteLine($"  submitted {submitSeen.Length:N0} of {alarm.Recipients:N0}; raise → seen Submitted p50 {P(submitSeen, 50):F0} ms, p95 {P(submitSeen, 95):F0} ms, max {Max(submitSeen):F0} ms; " +
                         $"raise → claimed for submit_sm p95 {P(claims, 95):F0} ms");

        var confirmMs = await ConfirmAsync(alarm.AlertId, code, staff, settings);
        var (level2, fired, submitted) = await WatchEscalationAsync(escalating.AlertId, settings);
        await _alerts.CloseAsync(alarm.AlertId, "bench", default);
        await _alerts.CloseAsync(escalating.AlertId, "bench", default);
        var figures = new AlarmFigures(condition, alarm.Recipients, raiseMs, submitSeen, claims, Math.Min(settings.Confirmations, staff.Count), confirmMs, level2, fired, submitted);
        Print(figures, output);
        return figures;
    }

    /// <summary>Replies from spread-out employees, one every 100 ms; one poller (every 20 ms) sees each confirmation applied.</summary>
    private async Task<double[]> ConfirmAsync(long alertId, string code, List<(int Id, string Phone)> staff, AlarmBenchSettings settings)
    {
        var count = Math.Min(settings.Confirmations, staff.Count);
        var people = Enumerable.Range(0, count).Select(i => staff[(int)((long)i * staff.Count / count)]).ToList();
        var sentAt = new Dictionary<int, long>();
        var latencies = new List<double>();
        using var stop = new CancellationTokenSource();
        var poller = Task.Run(async () =>
        {
            var done = new HashSet<int>();
            var deadline = Stopwatch.GetTimestamp() + (long)(settings.Patience.TotalSeconds * Stopwatch.Frequency);
            while (done.Count < count && Stopwatch.GetTimestamp() < deadline)
            {
                List<int> acked;
                await using (var db = await _contexts.CreateDbContextAsync())
                {
                    acked = await db.AlertRecipients.Where(r => r.AlertId == alertId && r.AckedAt != null).Select(r => r.EmployeeId).ToListAsync();
                }
                var now = Stopwatch.GetTimestamp();
                lock (sentAt)
                {
                    foreach (var id in acked)
                    {
                        if (sentAt.TryGetValue(id, out var t) && done.Add(id)) latencies.Add(Stopwatch.GetElapsedTime(t, now).TotalMilliseconds);
                    }
                }
                await Task.Delay(PollEvery);
            }
        });
        foreach (var (id, phone) in people)
        {
            // The moment the simulator writes the deliver_sm.
            lock (sentAt) sentAt[id] = Stopwatch.GetTimestamp();
            await reply(phone, "ok " + code);
            await Task.Delay(100);
        }
        await poller;
        var sorted = latencies.Order().ToArray();
        output.WriteLine($"  confirmations applied {sorted.Length} of {count}; deliver_sm → recipient row Acknowledged p50 {P(sorted, 50):F0} ms, p95 {P(sorted, 95):F0} ms, max {Max(sorted):F0} ms");
        return sorted;
    }

    /// <summary>Waits for level 2 of the unanswered alarm: when its SMS were created (the step fired) and seen Submitted, against the deadline.</summary>
    private async Task<(int Recipients, double? FiredLateMs, double? SubmittedLateMs)> WatchEscalationAsync(long alertId, AlarmBenchSettings settings)
    {
        DateTime deadline;
        await using (var db = await _contexts.CreateDbContextAsync())
        {
            // The level-1 deadline as raised (moving to level 2 replaces it with level 2's).
            var createdAt = await db.Alerts.Where(a => a.Id == alertId).Select(a => a.CreatedAt).SingleAsync();
            deadline = DateTime.SpecifyKind(createdAt, DateTimeKind.Utc) + settings.EscalationTimeout;
        }
        var expected = -1;
        double? submittedLate = null;
        var stopAt = deadline + settings.Patience;
        while (DateTime.UtcNow < stopAt)
        {
            await using (var db = await _contexts.CreateDbContextAsync())
            {
                if (expected < 0)
                {
                    expected = await db.AlertRecipients.CountAsync(r => r.AlertId == alertId && r.Level == 2);
                    if (expected == 0) expected = -1;
                }
                if (expected > 0 && await SentQuery(db, alertId, 2).CountAsync() >= expected)
                {
                    submittedLate = (DateTime.UtcNow - deadline).TotalMilliseconds;
                    break;
                }
            }
            await Task.Delay(PollEvery);
        }
        double? firedLate = null;
        await using (var db = await _contexts.CreateDbContextAsync())
        {
            var created = await db.AlertRecipients.Where(r => r.AlertId == alertId && r.Level == 2)
                .Join(db.Messages, r => r.MessageId, m => (long?)m.Id, (r, m) => m.CreatedAt).ToListAsync();
            if (created.Count > 0) firedLate = (DateTime.SpecifyKind(created.Max(), DateTimeKind.Utc) - deadline).TotalMilliseconds;
        }
        output.WriteLine($"  escalation to level 2 ({Math.Max(expected, 0)} people): fired {Ms(firedLate)} after the deadline, every SMS seen Submitted {Ms(submittedLate)} after it");
        return (Math.Max(expected, 0), firedLate, submittedLate);
    }

    /// <summary>Message ids of this alert's level that reached the SMSC (Submitted or any later state).</summary>
    private static IQueryable<long> SentQuery(PortalDbContext db, long alertId, int level) =>
        db.AlertRecipients.Where(r => r.AlertId == alertId && r.Level == level)
            .Join(db.Messages, r => r.MessageId, m => (long?)m.Id, (r, m) => new { m.Id, m.Status })
            .Where(m => m.Status != MessageStatus.Queued && m.Status != MessageStatus.Submitting && m.Status != MessageStatus.Deferred)
            .Select(m => m.Id);

    public static void Print(AlarmFigures f, TextWriter output)
    {
        output.WriteLine($"  [{f.Condition}]");
        output.WriteLine($"    alarm to {f.Recipients:N0}: all submitted {(f.AllSubmitted ? "yes" : $"NO ({f.SubmitSeenMs.Length:N0})")}, raise → submitted p95 {P(f.SubmitSeenMs, 95):F0} ms " +
                         $"(target ≤ {AlarmFigures.SubmitTargetMs:F0} ms) {Verdict(f.SubmitPass)}");
        output.WriteLine($"    confirmation: {f.ConfirmMs.Length} of {f.ConfirmationsSent} applied, deliver_sm → Acknowledged max {Max(f.ConfirmMs):F0} ms, p95 {P(f.ConfirmMs, 95):F0} ms " +
                         $"(target ≤ {AlarmFigures.ConfirmTargetMs:F0} ms) {Verdict(f.ConfirmPass)}");
        output.WriteLine($"    escalation: level 2 ({f.Level2Recipients} people) submitted {Ms(f.EscalationSubmittedLateMs)} after the deadline (fired {Ms(f.EscalationFiredLateMs)}) " +
                         $"(target ≤ {AlarmFigures.EscalationTargetMs:F0} ms) {Verdict(f.EscalationPass)}");
    }

    private static string Verdict(bool pass) => pass ? "PASS" : "MISS";

    private static string Ms(double? ms) => ms is { } v ? v.ToString("F0", CultureInfo.InvariantCulture) + " ms" : "never";

    private static double Max(double[] sorted) => sorted.Length == 0 ? 0 : sorted[^1];

    internal static double P(double[] sorted, int percentile) =>
        sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(percentile / 100.0 * sorted.Length) - 1)];
}
