using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Portal.Infrastructure.Persistence;
using Portal.Tests.Support;
using static Portal.Tests.Cli.CliRun;

namespace Portal.Tests.Cli;

/// <summary>
/// Every <c>bench NAME</c> of docs/BENCHMARKS.md run in-process at a tiny size against the backends
/// it uses (no database, SQLite, or the test PostgreSQL; the in-process bus; the embedded SMSC
/// simulator), so the commands that produce the published figures cannot rot between releases.
/// They check that the figures are real (counts equal what was asked, rates above zero, every row
/// of the table printed), not that they meet the targets.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class BenchSmokeTests
{
    /// <summary>The demo environment the benches' docs run in: the embedded simulator is allowed.</summary>
    private static readonly string[] Demo = ["--Sending:EmbeddedSimulator", "true", "--Smsc:Demo", "true"];

    [Fact]
    public async Task UnknownBench_PrintsEveryUsage_Exit2()
    {
        var run = await VerbAsync("bench", "nope");
        Assert.Equal(2, run.Code);
        foreach (var name in new[] { "smpp", "import", "sync", "segments", "render", "estimate", "dashboard", "launch", "pipeline", "route",
                     "analytics", "events-api", "export", "send-api", "alarm", "pages", "clients" })
        {
            Assert.Contains($"usage: bench {name} ", run.Error, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Render_PrintsThreeRatedRows()
    {
        var run = await VerbAsync("bench", "render", "--count", "2000");
        Assert.True(run.Code == 0, run.ToString());
        Printed(run, "2,000 renders per run");
        Assert.Equal(3, Rates(run.Out, "renders/s").Count);
        Assert.All(Rates(run.Out, "renders/s"), r => Assert.True(r > 0, run.Out));
    }

    [Fact]
    public async Task Route_PrintsARatedPlanRow()
    {
        var run = await VerbAsync("bench", "route", "--providers", "3", "--prefixes", "200", "--count", "5000");
        Assert.True(run.Code == 0, run.ToString());
        Printed(run, "3 providers x 200 prefix prices");
        Assert.True(Assert.Single(Rates(run.Out, "plans/s")) > 0, run.Out);
    }

    [Fact]
    public async Task Smpp_AgainstTheInProcessSimulator_AcceptsEverySubmit()
    {
        var run = await VerbAsync("bench", "smpp", "--count", "400", "--window", "10");
        Assert.True(run.Code == 0, run.ToString());
        Printed(run, "\"count\":400,");
        Printed(run, "\"failed\":0}");
        Printed(run, "accepted 400, not accepted 0, SMSC in-process simulator");
        Assert.True(Assert.Single(Rates(run.Out, "submit_sm/s")) > 0, run.Out);
    }

    [Fact]
    public async Task Smpp_UnderAContractedRate_PrintsEverySecond_AndTheChange()
    {
        var run = await VerbAsync("bench", "smpp", "--throttle-at", "300", "--seconds", "2", "--warmup", "1", "--change-at", "1", "--throttle-after", "200", "--window", "5");
        Assert.True(run.Code is 0 or 1, run.ToString());
        Printed(run, "-- contracted rate now 200/s");
        Assert.Equal(3, Regex.Matches(run.Out, @"^t=\s*\d+s accepted/s=", RegexOptions.Multiline).Count);
        Printed(run, "\"event\":\"bench-throttle\",\"contracted\":300,");
        var rate = double.Parse(Regex.Match(run.Out, "\"rate\":(\\d+)").Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.InRange(rate, 1, 1_000);
    }

    [Fact]
    public async Task Import_OnSqlite_InsertsEveryRow_AndTimesThePhases()
    {
        await using var db = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        var run = await VerbAsync(["bench", "import", "--rows", "300", .. On(db)]);
        Assert.True(run.Code == 0, run.ToString());
        Printed(run, "CSV: 300 rows");
        Printed(run, "Import into Sqlite: Completed, 300 rows (300 inserted, 0 updated, 0 rejected)");
        await using var context = db.CreateContext();
        Assert.Equal(300, await context.Clients.CountAsync());
    }

    [Fact]
    public async Task ClientsAndEstimate_OnASeededSqliteBase_PrintEveryRow()
    {
        await using var db = await SeededAsync(DatabaseProvider.Sqlite, 200);
        var clients = await VerbAsync(["bench", "clients", "--runs", "2", .. On(db)]);
        Assert.True(clients.Code == 0, clients.ToString());
        Printed(clients, "200 clients in Microsoft.EntityFrameworkCore.Sqlite");
        foreach (var row in new[] { "first page, exact total", "page 40, cached total", "search: full phone", "search: phone prefix (7 digits)", "search: last name prefix" })
        {
            PrintedLike(clients, Regex.Escape(row) + @"\s+p50\s+[\d.]+ ms\s+p95\s+[\d.]+ ms");
        }
        Printed(clients, "(25 rows of 200)");

        var estimate = await VerbAsync(["bench", "estimate", "--runs", "2", "--control", "10", .. On(db)]);
        Assert.True(estimate.Code == 0, estimate.ToString());
        Printed(estimate, "Base: 200 clients");
        Printed(estimate, "control group 10 %; 2 runs");
        // The audience splits exactly into recipients, the control group and the clients dropped (opted out, no consent).
        var figures = Regex.Match(estimate.Out, @"run 2: .* clients/s; audience (\d+), recipients (\d+), control (\d+), dropped (\d+);");
        Assert.True(figures.Success, estimate.ToString());
        var (audience, recipients, control, dropped) = (Number(figures, 1), Number(figures, 2), Number(figures, 3), Number(figures, 4));
        Assert.InRange(audience, 150, 200);
        Assert.Equal(audience, recipients + control + dropped);
        Assert.True(control > 0, estimate.Out);
    }

    [Fact]
    public async Task Sync_PostgresToPostgres_UpsertsEveryRow()
    {
        var run = await VerbAsync("bench", "sync", "--rows", "500", "--postgres", TestEnvironment.Postgres);
        Assert.True(run.Code == 0, run.ToString());
        Printed(run, "\"rows\":500,\"upserted\":500,\"rejected\":0");
        Printed(run, "source filled with 500 rows");
    }

    [Fact]
    public async Task Dashboard_OnPostgres_ReadsTheSeededCampaign()
    {
        await using var db = await TestDatabase.CreateAsync(DatabaseProvider.Postgres);
        var run = await VerbAsync(["bench", "dashboard", "--messages", "400", "--ticks", "2", .. On(db)]);
        Assert.True(run.Code == 0, run.ToString());
        Printed(run, "Seeded 400 messages");
        // i % 20: 0-11 delivered (240 of 400), 0-14 sent (300).
        Printed(run, "today sent 300, delivered 240; campaign total 400");
        Printed(run, "Warm tick over 400 messages, 2 ticks one second apart: p50");

        var again = await VerbAsync(["bench", "dashboard", "--messages", "400", "--ticks", "1", .. On(db)]);
        Printed(again, "with 400 messages (times are relative to when it was seeded)");
    }

    [Fact]
    public async Task PostgresBenches_OnSqlite_SayTheyNeedPostgres()
    {
        await using var db = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        foreach (var name in new[] { "dashboard", "launch", "segments", "analytics", "export", "events-api", "send-api" })
        {
            var run = await VerbAsync(["bench", name, .. On(db)]);
            Assert.True(run.Code == 2, name + ": " + run);
            Assert.Contains("runs against PostgreSQL", run.Error.Replace("run against", "runs against"), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Segments_OnASeededPostgresBase_PortalAndHandWrittenAgree()
    {
        await using var db = await SeededAsync(DatabaseProvider.Postgres, 400, "--events-per-client", "3");
        var run = await VerbAsync(["bench", "segments", "--runs", "2", "--before-runs", "1", .. On(db)]);
        Assert.True(run.Code == 0, run.ToString());
        Printed(run, "Base: 400 clients");
        foreach (var row in new[] { "5-criterion count (Portal, EF)", "5-criterion count (hand-written SQL)", "27-criterion nested count (Portal, EF)",
                     "sample of 20 (hand-written SQL)", "27-criterion, hand-written (before: EXISTS, count)", "27-criterion, hand-written (after: roll-ups, early exit)" })
        {
            Printed(run, row);
        }
        Printed(run, "-- generated SQL, 27 criteria:");
    }

    [Fact]
    public async Task Analytics_OnPostgres_AttributesAndReadsEveryReport()
    {
        await using var db = await TestDatabase.CreateAsync(DatabaseProvider.Postgres);
        var run = await VerbAsync(["bench", "analytics", "--clients", "300", "--events-per-client", "1", "--campaigns", "3", "--runs", "1", .. On(db)]);
        Assert.True(run.Code == 0, run.ToString());
        Printed(run, "Data: 300 clients");
        Printed(run, "300 recipients in the big campaign, 3 campaigns");
        PrintedLike(run, @"Results: sent \d+ \(");
        Printed(run, "Campaign results after 1,000 new events");
        Printed(run, "Across 3 campaigns: p50");
    }

    [Fact]
    public async Task Export_OnPostgres_WritesEveryFormat_AndPagesTheApi()
    {
        await using var db = await TestDatabase.CreateAsync(DatabaseProvider.Postgres);
        var run = await VerbAsync(["bench", "export", "--rows", "300", "--pages", "2", .. On(db)]);
        Assert.True(run.Code == 0, run.ToString());
        Printed(run, "300 message rows");
        foreach (var format in new[] { "read", "Csv", "Parquet", "Xlsx" })
        {
            PrintedLike(run, format + @"\s+300 rows");
        }
        Assert.Equal(5, Regex.Matches(run.Out, @"API page of 10,000 at \d+ % depth: p50").Count);
    }

    [Fact]
    public async Task LaunchAndPipeline_OnPostgres_SendEveryMessageThroughTheEmbeddedSimulator()
    {
        await using var db = await SeededAsync(DatabaseProvider.Postgres, 150);
        var launch = await VerbAsync(["bench", "launch", "--control", "10", .. On(db)]);
        Assert.True(launch.Code == 0, launch.ToString());
        Printed(launch, "Base: 150 clients");
        PrintedLike(launch, @"Launch: 1\d\d messages \(\d+ control\), \d+ chunks");

        var metrics = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        metrics.Start();
        var port = ((System.Net.IPEndPoint)metrics.LocalEndpoint).Port;
        metrics.Stop();
        var pipeline = await VerbAsync(["bench", "pipeline", "--scrape-every", "1", "--Telemetry:Prometheus:Port", port.ToString(CultureInfo.InvariantCulture), .. Demo, .. On(db)]);
        Assert.True(pipeline.Code == 0, pipeline.ToString());
        Printed(pipeline, "Launch: ");
        var final = Regex.Match(pipeline.Out, @"Final: (\d+) delivered, (\d+) failed, \d+ cancelled, \d+ uncertain, \d+ control, (\d+) not final");
        Assert.True(final.Success, pipeline.ToString());
        Assert.Equal("0", final.Groups[3].Value);
        Printed(pipeline, $"Metrics: on, scraping http://127.0.0.1:{port}/metrics every 1 s");
        var scrapes = Regex.Match(pipeline.Out, @"Scrapes of /metrics during the run: (\d+) answered, \d+ failed; latency p50");
        Assert.True(scrapes.Success && Number(scrapes, 1) > 0, pipeline.ToString());
        Assert.True(int.Parse(final.Groups[1].Value, CultureInfo.InvariantCulture) + int.Parse(final.Groups[2].Value, CultureInfo.InvariantCulture) > 100, pipeline.Out);
    }

    [Fact]
    public async Task Pages_OnPostgres_MeasuresEveryJourneyPage()
    {
        await using var db = await TestDatabase.CreateAsync(DatabaseProvider.Postgres);
        var run = await VerbAsync(["bench", "pages", "--clients", "200", "--runs", "2", .. On(db)]);
        Assert.True(run.Code == 0, run.ToString());
        Printed(run, "Added 200 demo clients");
        Printed(run, "sending to 200 clients");
        foreach (var page in new[] { "clients (first page, exact total)", "audiences (list)", "templates (list)", "campaign list (with progress bars)",
                     "campaign list, before", "campaign page (sending, 1 message per client)", "campaign page (completed, demo history)",
                     "dashboard (first read on a node just started)", "dashboard (opened on a running node)", "results (completed campaign)" })
        {
            PrintedLike(run, Regex.Escape(page) + @".*p50\s+[\d.,]+ ms\s+p95\s+[\d.,]+ ms\s+first\s+[\d.,]+ ms\s+(PASS|MISS)");
        }
        PrintedLike(run, "Every page met 500 ms at p95.|page\\(s\\) missed 500 ms at p95.");

        var again = await VerbAsync(["bench", "pages", "--clients", "200", "--runs", "1", .. On(db)]);
        Printed(again, "Reusing campaign");
    }

    [Fact]
    public async Task EventsApi_OnPostgres_AcceptsEveryEvent_AndAttributesEveryConversion()
    {
        await using var db = await TestDatabase.CreateAsync(DatabaseProvider.Postgres);
        var run = await VerbAsync(["bench", "events-api", "--events", "300", "--batch", "50", "--callers", "2", "--recipients", "100", .. On(db)]);
        Assert.True(run.Code == 0, run.ToString());
        Printed(run, "Posting 300 purchases in 6 batches of 50 from 2 callers");
        Printed(run, "100 conversions expected");
        Printed(run, "Accepted 300 of 300 in");
        Printed(run, "(0 batches failed)");
        Printed(run, "Conversions: all 100 attributed");
    }

    [Fact]
    public async Task SendApi_OnPostgres_DeliversEveryApiMessage_AndProbesDuringACampaign()
    {
        await using var db = await SeededAsync(DatabaseProvider.Postgres, 100);
        var run = await VerbAsync(["bench", "send-api", "--count", "60", "--warmup", "10", "--rate", "200", "--callers", "4", "--probes", "3", .. Demo, .. On(db)]);
        Assert.True(run.Code == 0, run.ToString());
        Printed(run, "warm-up: 10 sent");
        Printed(run, "accepted 60 in");
        Printed(run, "final 60 of 60");
        PrintedLike(run, @"Phase 2: campaign of \d+ messages launched; 3 API probes");
        Printed(run, "probes submitted 3 of 3");
    }

    [Fact]
    public async Task SendApi_History_ReadsFullFirstPagesAsTheTableGrows()
    {
        await using var db = await SeededAsync(DatabaseProvider.Postgres, 50);
        var run = await VerbAsync(["bench", "send-api", "--only", "history", "--messages", "400", "--step", "200", "--client-messages", "30", "--runs", "2", .. On(db)]);
        Assert.True(run.Code == 0, run.ToString());
        Printed(run, "Phase 3: client history; 50 clients, 0 messages already");
        Assert.Equal(3, Regex.Matches(run.Out, @"first page \(20 of the client's messages\) first read .* rows 20").Count);
        Printed(run, "plan of the first page's query:");
        Printed(run, "Execution Time");
    }

    [Fact]
    public async Task Alarm_WithACampaignSending_MeasuresBothPhases()
    {
        await using var db = await TestDatabase.CreateAsync(DatabaseProvider.Postgres);
        var run = await VerbAsync(["bench", "alarm", "--employees", "5", "--confirmations", "2", "--escalation-timeout", "2", "--campaign-clients", "300",
            "--campaign-warmup", "20", "--Alerts:PollInterval", "00:00:00.200", .. Demo, .. On(db)]);
        Assert.True(run.Code is 0 or 1, run.ToString());
        Printed(run, "seeded 300 demo clients");
        PrintedLike(run, @"Campaign launched: \d+ messages, \d+ chunks");
        Printed(run, "campaign during the alarm phase:");
        Printed(run, "Summary:");
        Assert.True(Regex.Matches(run.Out, "alarm to 5").Count >= 2, run.ToString());
    }

    private static void Printed(CliResult run, string text) =>
        Assert.True(run.Out.Contains(text, StringComparison.Ordinal), $"not printed: {text}\n{run}");

    private static void PrintedLike(CliResult run, string pattern) =>
        Assert.True(Regex.IsMatch(run.Out, pattern), $"nothing printed like: {pattern}\n{run}");

    private static int Number(Match match, int group) => int.Parse(match.Groups[group].Value, CultureInfo.InvariantCulture);

    private static List<double> Rates(string output, string unit) =>
        Regex.Matches(output, @"([\d,]+) " + Regex.Escape(unit)).Select(m => double.Parse(m.Groups[1].Value, NumberStyles.Number, CultureInfo.InvariantCulture)).ToList();
}
