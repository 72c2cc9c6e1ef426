using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Portal.Domain.Campaigns;
using Portal.Domain.Integrations;
using Portal.Domain.Messages;
using Portal.Domain.Segments;
using Portal.Infrastructure.Campaigns;
using Portal.Infrastructure.Clients;
using Portal.Infrastructure.MessagesApi;
using Portal.Infrastructure.Persistence;

namespace Portal.Cli.Bench;

/// <summary>
/// <c>bench send-api</c> (issue 19): (1) sustained single-message sends at <c>--rate</c> from
/// <c>--callers</c> concurrent callers through the accept path (<see cref="MessageSubmission"/>:
/// validation, recipient lookup, one transaction, publish to the priority lane), reporting the
/// accept latency percentiles and then waiting until every message is delivered through the
/// embedded SMSC simulator with receipts; (2) a campaign to every client of the base sending while
/// <c>--probes</c> API messages are sent, reporting accept-to-submitted latency (the submit_sm's
/// response recorded). The HTTP layer (Kestrel, key check, JSON) is not in these figures.
/// </summary>
internal static class SendApiBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var count = Int(args, "count", 30_000);
        var rate = Int(args, "rate", 1_000);
        var callers = Int(args, "callers", 50);
        var probes = Int(args, "probes", 40);
        var only = CliVerbs.Option(args, "only");
        var queue = "bench-api-" + Guid.NewGuid().ToString("N")[..8];
        // --url: phase 1 through HTTP, against a portal started apart on the same database and bus
        // (Kestrel, the key check, JSON and the rate limiter included); this process only measures.
        var url = CliVerbs.Option(args, "url");
        var secret = Guid.NewGuid().ToString("N");
        string[] hostArgs = [.. args[2..].Where((a, i) => !IsOwnOption(args[2..], i)), "--Sending:ChunkQueue", queue + ".chunks", "--Sending:ReceiptQueue", queue + ".receipts",
            "--Sending:PriorityQueue", queue + ".priority", "--Sending:InboundQueue", queue + ".inbound", "--Scheduling:Enabled", "false"];
        using var host = VerbHost.Build(hostArgs);
        var contexts = host.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        int keyId;
        List<string> phones;
        await using (var db = await contexts.CreateDbContextAsync())
        {
            if (db.Database.GetDbConnection() is not NpgsqlConnection)
            {
                Console.Error.WriteLine("bench send-api runs against PostgreSQL: pass --Database:Provider Postgres --Database:ConnectionString ...");
                return 2;
            }
            await db.Database.MigrateAsync();
            var key = new ApiKey("bench " + queue, queue[^8..], Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(secret))), [ApiScopes.MessagesSend], 100_000, "bench", DateTime.UtcNow);
            db.ApiKeys.Add(key);
            await db.SaveChangesAsync();
            keyId = key.Id;
            phones = await db.Clients.AsNoTracking().Where(c => c.Status == Portal.Domain.Clients.ClientStatus.Active && c.OptedOutAt == null)
                .OrderBy(c => c.Id).Take(5_000).Select(c => c.Phone).ToListAsync();
        }
        if (phones.Count == 0)
        {
            Console.Error.WriteLine("The base has no active clients: seed it first (seed --clients N).");
            return 2;
        }
        if (only == "history")
        {
            return await HistoryAsync(contexts, args);
        }
        using var http = url is null ? null : new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = callers }) { BaseAddress = new Uri(url) };
        http?.DefaultRequestHeaders.Add("X-Api-Key", $"pk_{queue[^8..]}_{secret}");
        if (http is null) await host.StartAsync();
        var submission = host.Services.GetRequiredService<MessageSubmission>();
        Func<string, string, Task<long>> send = http is null
            ? async (phone, text) => await submission.SubmitAsync(keyId, null,
                [new SendItem(0, phone, null, text, null, null, MessagePurpose.Service, "Portal", null, null)], null, "", default) is SubmitResult.Accepted a ? a.MessageIds[0] : -1
            : async (phone, text) =>
            {
                using var response = await http.PostAsJsonAsync("/api/v1/messages", new { phone, text, purpose = "service", senderId = "Portal" });
                if (!response.IsSuccessStatusCode) return -1;
                var body = await response.Content.ReadFromJsonAsync<JsonElement>();
                return body.GetProperty("messages")[0].GetProperty("id").GetInt64();
            };
        if (only != "priority")
        {
        var warmup = Int(args, "warmup", 1_000);
        Console.WriteLine($"Phase 1: {count:N0} single-message sends at {rate:N0}/s from {callers} callers, after {warmup:N0} unmeasured (JIT, pools, caches); "
            + (http is null ? $"through MessageSubmission, queue {queue}.priority" : $"through HTTP POST {url}/api/v1/messages (a portal started apart)"));
        if (warmup > 0)
        {
            await SendPacedAsync(send, phones, warmup, rate, callers);
            Console.WriteLine($"  warm-up: {warmup:N0} sent");
        }
        var batchesBefore = submission.Batches;
        var clock = Stopwatch.StartNew();
        var (latencies, ids) = await SendPacedAsync(send, phones, count, rate, callers);
        var acceptSeconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine($"  accepted {ids.Count(i => i > 0):N0} in {acceptSeconds:F1} s ({count / acceptSeconds:N0}/s); accept latency p50 {P(latencies, 50):F1} ms, p95 {P(latencies, 95):F1} ms, p99 {P(latencies, 99):F1} ms, max {latencies[^1]:F1} ms");
        if (http is null) Console.WriteLine($"  shared statements: {submission.Batches.LookUps - batchesBefore.LookUps:N0} recipient look-ups and {submission.Batches.Inserts - batchesBefore.Inserts:N0} INSERTs for {count:N0} requests");
        var first = ids.Where(i => i > 0).DefaultIfEmpty(0).Min();
        var last = ids.Max();
        var deadline = clock.Elapsed + TimeSpan.FromMinutes(3);
        int delivered = 0, final = 0;
        while (clock.Elapsed < deadline)
        {
            await using var db = await contexts.CreateDbContextAsync();
            var counts = await db.Messages.Where(m => m.Id >= first && m.Id <= last && m.CampaignId == null).GroupBy(m => m.Status)
                .Select(g => new { g.Key, Count = g.Count() }).ToListAsync();
            delivered = counts.Where(c => c.Key == MessageStatus.Delivered).Sum(c => c.Count);
            final = counts.Where(c => c.Key is not (MessageStatus.Queued or MessageStatus.Submitting or MessageStatus.Submitted)).Sum(c => c.Count);
            if (final >= count) break;
            await Task.Delay(1000);
        }
        Console.WriteLine($"  final {final:N0} of {count:N0} ({delivered:N0} delivered with receipts) {clock.Elapsed.TotalSeconds - acceptSeconds:F1} s after the last accept");
        }
        if (only == "throughput" || http is not null)
        {
            if (http is null) await host.StopAsync();
            return 0;
        }

        // Phase 2: a campaign to the whole base sends; probes measure accept -> submit_sm recorded.
        int campaignId;
        await using (var db = await contexts.CreateDbContextAsync())
        {
            campaignId = await BenchCampaign.AddToEveryoneAsync(db, queue);
        }
        var launch = await host.Services.GetRequiredService<CampaignLauncher>().LaunchAsync(campaignId, default)
            ?? throw new InvalidOperationException("The campaign was not launched.");
        Console.WriteLine($"Phase 2: campaign of {launch.Messages:N0} messages launched; {probes} API probes, one every 250 ms, while it sends");
        await Task.Delay(3000);
        var probeLatencies = new List<double>();
        var queuedAtProbe = new List<int>();
        var probeTasks = new List<Task>();
        for (var p = 0; p < probes; p++)
        {
            var phone = phones[p % phones.Count];
            probeTasks.Add(Task.Run(async () =>
            {
                var t0 = Stopwatch.GetTimestamp();
                var result = await submission.SubmitAsync(keyId, null,
                    [new SendItem(0, phone, null, "Probe", null, null, MessagePurpose.Service, "Portal", null, null)], null, "", default);
                if (result is not SubmitResult.Accepted a) return;
                var id = a.MessageIds[0];
                while (Stopwatch.GetElapsedTime(t0) < TimeSpan.FromSeconds(60))
                {
                    await using var db = await contexts.CreateDbContextAsync();
                    var status = await db.Messages.Where(m => m.Id == id).Select(m => m.Status).FirstAsync();
                    if (status is not (MessageStatus.Queued or MessageStatus.Submitting))
                    {
                        lock (probeLatencies) probeLatencies.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
                        return;
                    }
                    await Task.Delay(10);
                }
            }));
            await using (var db = await contexts.CreateDbContextAsync())
            {
                queuedAtProbe.Add(await db.Messages.CountAsync(m => m.CampaignId == campaignId && m.Status == MessageStatus.Queued));
            }
            await Task.Delay(250);
        }
        await Task.WhenAll(probeTasks);
        probeLatencies.Sort();
        var sorted = probeLatencies.ToArray();
        Console.WriteLine($"  probes submitted {sorted.Length} of {probes}; accept -> submit_sm recorded p50 {P(sorted, 50):F0} ms, p95 {P(sorted, 95):F0} ms, max {(sorted.Length > 0 ? sorted[^1] : 0):F0} ms");
        Console.WriteLine($"  campaign messages still queued when probes were sent: first {queuedAtProbe.FirstOrDefault():N0}, last {queuedAtProbe.LastOrDefault():N0}");
        // A small base can have finished sending by now: only a campaign still sending is cancelled.
        if (await host.Services.GetRequiredService<ICampaignOperations>().GetProgressAsync(campaignId) is { } left && left.Final < left.Total)
        {
            await host.Services.GetRequiredService<ICampaignOperations>().CancelAsync(campaignId,
                new System.Security.Claims.ClaimsPrincipal(new System.Security.Claims.ClaimsIdentity(
                    [new(System.Security.Claims.ClaimTypes.Name, "bench"), new(System.Security.Claims.ClaimTypes.Role, Portal.Domain.Access.Roles.Administrator)], "bench")),
                default);
        }
        await host.StopAsync();
        return 0;
    }

    /// <summary>
    /// Phase 3 (<c>--only history</c>): the client card's first history page for a client with
    /// <c>--client-messages</c> messages while the Messages table grows, set-based
    /// (<c>INSERT ... SELECT generate_series</c>, spread over every client of the base), in steps of
    /// <c>--step</c> rows up to <c>--messages</c> or until <c>--minutes</c> of generation have passed.
    /// After each step: <c>ANALYZE</c>, then <c>--runs</c> first-page reads through
    /// <see cref="ClientMessageHistory.PageAsync"/> (cold first read reported apart), and at the end
    /// the plan of the page query (EXPLAIN ANALYZE, BUFFERS).
    /// </summary>
    private static async Task<int> HistoryAsync(IDbContextFactory<PortalDbContext> contexts, string[] args)
    {
        var target = Long(args, "messages", 20_000_000);
        var step = Long(args, "step", 2_000_000);
        var minutes = Int(args, "minutes", 10);
        var perClient = Int(args, "client-messages", 1_000);
        var runs = Int(args, "runs", 50);
        long clientId, minId, maxId, existing;
        await using (var db = await contexts.CreateDbContextAsync())
        {
            var ids = await db.Clients.GroupBy(_ => 1).Select(g => new { Min = g.Min(c => c.Id), Max = g.Max(c => c.Id), Count = g.LongCount() }).FirstAsync();
            (minId, maxId) = (ids.Min, ids.Max);
            clientId = minId + (maxId - minId) / 2;
            existing = await db.Messages.LongCountAsync();
            Console.WriteLine($"Phase 3: client history; {ids.Count:N0} clients, {existing:N0} messages already; client {clientId}");
            var own = await db.Messages.LongCountAsync(m => m.ClientId == clientId);
            if (own < perClient)
            {
                // This client's messages are spread over the last year, like a long-standing customer's.
                await Sql(db, $$"""
                    INSERT INTO "Messages" ("CampaignId","ClientId","Phone","Status","Parts","Cost","CreatedAt","SubmittedAt","DoneAt","Resubmitted","DeliveredParts")
                    SELECT NULL, {{clientId}}, c."Phone", 4, 1, 0.35, now() - g * interval '8 hours', now() - g * interval '8 hours', now() - g * interval '8 hours' + interval '3 seconds', false, 1
                    FROM generate_series(1, {{perClient - own}}) g CROSS JOIN (SELECT "Phone" FROM "Clients" WHERE "Id" = {{clientId}}) c
                    """);
            }
        }
        var span = maxId - minId + 1;
        var generation = Stopwatch.StartNew();
        var total = existing + perClient;
        await Measure(contexts, clientId, runs, total);
        while (total < target && generation.Elapsed < TimeSpan.FromMinutes(minutes))
        {
            var n = Math.Min(step, target - total);
            var t0 = Stopwatch.GetTimestamp();
            await using (var db = await contexts.CreateDbContextAsync())
            {
                db.Database.SetCommandTimeout(TimeSpan.FromMinutes(30));
                // Other clients' messages: a multiplicative hash spreads them over every client, times over a year.
                await Sql(db, $$"""
                    INSERT INTO "Messages" ("CampaignId","ClientId","Phone","Status","Parts","Cost","CreatedAt","SubmittedAt","DoneAt","Resubmitted","DeliveredParts")
                    SELECT NULL, {{minId}} + (g * 2654435761) % {{span}}, '+79000000000', 4, 1, 0.35,
                           now() - (g % 31536000) * interval '1 second', now() - (g % 31536000) * interval '1 second', now() - (g % 31536000) * interval '1 second', false, 1
                    FROM generate_series({{total}}::bigint, {{total + n - 1}}::bigint) g
                    """);
                await Sql(db, """ANALYZE "Messages" """);
            }
            total += n;
            Console.WriteLine($"  +{n:N0} messages in {Stopwatch.GetElapsedTime(t0).TotalSeconds:F0} s ({n / Stopwatch.GetElapsedTime(t0).TotalSeconds:N0} rows/s)");
            await Measure(contexts, clientId, runs, total);
        }
        await using (var db = await contexts.CreateDbContextAsync())
        {
            var sql = ClientMessageHistory.PageQuery(db, clientId, null, 20).ToQueryString();
            Console.WriteLine("  plan of the first page's query:");
            var connection = (NpgsqlConnection)db.Database.GetDbConnection();
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("EXPLAIN (ANALYZE, BUFFERS) " + Inline(sql, clientId), connection);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync()) Console.WriteLine("    " + reader.GetString(0));
        }
        return 0;
    }

    private static async Task Measure(IDbContextFactory<PortalDbContext> contexts, long clientId, int runs, long total)
    {
        var history = new ClientMessageHistory(contexts, null!, null!, TimeProvider.System);
        var times = new double[runs];
        var t = Stopwatch.GetTimestamp();
        var first = await history.PageAsync(clientId, null, 20, default);
        var cold = Stopwatch.GetElapsedTime(t).TotalMilliseconds;
        for (var i = 0; i < runs; i++)
        {
            t = Stopwatch.GetTimestamp();
            var page = await history.PageAsync(clientId, null, 20, default);
            times[i] = Stopwatch.GetElapsedTime(t).TotalMilliseconds;
            if (page.Rows.Count != 20 || page.Next is null) throw new InvalidOperationException("The first page should be full with a next page.");
        }
        Array.Sort(times);
        var load = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";
        Console.WriteLine($"  at {total:N0} messages: first page (20 of the client's messages) first read {cold:F1} ms; {runs} reads p50 {P(times, 50):F1} ms, p95 {P(times, 95):F1} ms, max {times[^1]:F1} ms (load average {load}); rows {first.Rows.Count}");
    }

    private static string Inline(string sql, long clientId)
    {
        // ToQueryString declares parameters as "-- @p='1'" lines; EXPLAIN needs values inline.
        var lines = sql.Split('\n');
        var body = string.Join('\n', lines.Where(l => !l.StartsWith("-- ", StringComparison.Ordinal) && !l.StartsWith("\\set", StringComparison.Ordinal)));
        foreach (var l in lines.Where(l => l.StartsWith("-- @", StringComparison.Ordinal)))
        {
            var eq = l.IndexOf('=');
            var name = l[3..eq].Trim();
            var value = l[(eq + 1)..].Split(' ')[0].Trim('\'');
            body = Regex.Replace(body, Regex.Escape(name) + @"\b", value);
        }
        return body;
    }

    private static async Task Sql(PortalDbContext db, string sql) => await db.Database.ExecuteSqlRawAsync(sql);

    private static long Long(string[] args, string name, long fallback) =>
        CliVerbs.Option(args, name) is { } v ? long.Parse(v, CultureInfo.InvariantCulture) : fallback;

    private static double P(double[] sorted, int percentile) =>
        sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(percentile / 100.0 * sorted.Length) - 1)];

    private static readonly string[] Own = ["--count", "--warmup", "--url", "--rate", "--callers", "--probes", "--only", "--messages", "--step", "--minutes", "--client-messages", "--runs"];

    /// <summary>
    /// <paramref name="count"/> single-message sends paced at <paramref name="rate"/> from
    /// <paramref name="callers"/> concurrent callers; each one's accept latency and message id (-1: not accepted).
    /// </summary>
    private static async Task<(double[] Latencies, long[] Ids)> SendPacedAsync(Func<string, string, Task<long>> send, List<string> phones, int count, int rate, int callers)
    {
        var latencies = new double[count];
        var ids = new long[count];
        var next = -1;
        var tickPerMessage = Stopwatch.Frequency / (double)rate;
        var start = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, callers).Select(async _ =>
        {
            while (true)
            {
                var i = Interlocked.Increment(ref next);
                if (i >= count) return;
                var due = start + (long)(i * tickPerMessage);
                var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
                if (wait > TimeSpan.Zero) await Task.Delay(wait);
                var t0 = Stopwatch.GetTimestamp();
                ids[i] = await send(phones[i % phones.Count], "Your code is " + (1000 + i % 9000).ToString(CultureInfo.InvariantCulture));
                latencies[i] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            }
        }));
        Array.Sort(latencies);
        return (latencies, ids);
    }

    private static bool IsOwnOption(string[] args, int i) => Own.Contains(args[i]) || (i > 0 && Own.Contains(args[i - 1]));

    private static int Int(string[] args, string name, int fallback) =>
        CliVerbs.Option(args, name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
}
