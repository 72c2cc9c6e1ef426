using System.Collections.Concurrent;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using Portal.Domain.Clients;
using Portal.Domain.Integrations;
using Portal.Infrastructure.Integrations.Sync;
using Portal.Infrastructure.Persistence;
using Portal.Tests.Infrastructure.Sending;
using Portal.Tests.Support;

namespace Portal.Tests.Infrastructure.Sync;

/// <summary>
/// Issue 21: the sync runner's refusals and failures: event rows each field of which can be wrong,
/// an HTTP feed with elements that are not objects and values of every JSON kind, a run cancelled
/// while the source is still answering, a source whose kind or URL is not usable, a missing source,
/// and how the run history words each kind of failure.
/// </summary>
public sealed class SyncRunnerEdgeTests
{
    /// <summary>An HTTP feed on 127.0.0.1: <c>/events</c> a fixed body, <c>/hang</c> never answers until the caller gives up.</summary>
    private sealed class Feed : IAsyncDisposable
    {
        private readonly WebApplication _app;
        public string Body { get; set; } = "[]";
        public TaskCompletionSource Hanging { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        /// <summary>Runs while <c>/clients</c> is being answered (another node acting meanwhile).</summary>
        public Func<Task>? WhileAnswering { get; set; }

        private Feed(WebApplication app) => _app = app;

        public string Url => _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

        public static async Task<Feed> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
            var app = builder.Build();
            var feed = new Feed(app);
            app.MapGet("/events", () => Results.Text(feed.Body, "application/json"));
            app.MapGet("/clients", async () =>
            {
                if (feed.WhileAnswering is { } hook) await hook();
                return Results.Text(feed.Body, "application/json");
            });
            app.MapGet("/hang", async (HttpContext http) =>
            {
                feed.Hanging.TrySetResult();
                await Task.Delay(Timeout.Infinite, http.RequestAborted).ContinueWith(_ => { });
                return Results.Text("[]", "application/json");
            });
            await app.StartAsync();
            return feed;
        }

        public async ValueTask DisposeAsync() => await _app.DisposeAsync();
    }

    private static SyncSourceDraft EventsDraft(string url) => new("Events feed", SyncSourceKind.HttpJson, SyncTarget.Events, null, url, null, "",
        "seq", "0 0 * * * ?", [("ext", "ExternalId"), ("type", "Type"), ("name", "Name"), ("amount", "Amount"), ("at", "OccurredAt"), ("eid", "EventId")], true)
    {
        OverlapMinutes = 0,
    };

    private static async Task SeedClientAsync(SyncHarness sync, string externalId)
    {
        await using var db = sync.Portal.CreateContext();
        db.Clients.Add(new Client(PhoneNumber.Parse("+79161112233"), "Anna", null, new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc)) { ExternalId = externalId });
        await db.SaveChangesAsync();
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task EventRows_EachWrongField_IsRejectedByName_TheGoodRowIsStored(DatabaseProvider provider)
    {
        await using var sync = await SyncHarness.CreateAsync(provider);
        await using var feed = await Feed.StartAsync();
        await SeedClientAsync(sync, "E1");
        var longName = new string('n', 101);
        var longKey = new string('k', 101);
        feed.Body = $$"""
            [
              {"ext": "", "type": "purchase", "at": "2026-11-21", "seq": "a1"},
              {"ext": "E1", "type": "purchase", "at": "someday", "seq": "a2"},
              {"ext": "E1", "type": "purchase", "at": "2026-11-21", "amount": "lots", "seq": "a3"},
              {"ext": "E1", "type": "purchase", "at": "2026-11-21", "name": "{{longName}}", "seq": "a4"},
              {"ext": "E1", "type": "purchase", "at": "2026-11-21", "eid": "{{longKey}}", "seq": "a5"},
              42,
              {"ext": "E1", "type": "purchase", "at": "2026-11-21", "amount": 12.5, "name": null, "eid": "k-1", "seq": "a6"},
              {"ext": "E1", "type": ["x"], "at": "2026-11-21", "seq": false}
            ]
            """;
        var id = await sync.Catalog.CreateAsync(SyncHarness.Admin, EventsDraft(feed.Url + "/events"), default);

        var run = await sync.Runner.RunAsync(id, default);

        Assert.True(run!.Succeeded, run.Error);
        Assert.Equal((8, 1, 7), (run.RowsRead, run.Upserted, run.Rejected));
        await using var read = sync.Portal.CreateContext();
        var stored = await read.SyncRuns.SingleAsync(r => r.Id == run.Id);
        var errors = stored.RowErrors().OrderBy(e => e.Row).ToList();
        Assert.Equal([(1, "externalId"), (2, "occurredAt"), (3, "amount"), (4, "name"), (5, "eventId"), (6, null), (8, "type")],
            errors.Select(e => (e.Row, e.Column)));
        Assert.Equal("Element 6 is not a JSON object.", errors[5].Reason);
        Assert.Equal("The event id is longer than 100 characters.", errors[4].Reason);
        var stored1 = await read.ClientEvents.SingleAsync();
        Assert.Equal((12.5m, "k-1"), (stored1.Amount, stored1.EventKey));
        // The highest watermark seen, compared as text ("false" is no watermark at all).
        Assert.Equal("a6", (await read.SyncSources.SingleAsync(s => s.Id == id)).Watermark);
    }

    [Fact]
    public async Task HttpJsonRows_ValuesOfEveryJsonKind_BecomeParserText()
    {
        await using var feed = await Feed.StartAsync();
        feed.Body = """[{"a": true, "b": false, "c": null, "d": 7.25, "e": {"x": 1}, "f": [1, 2], "w": 5}, "text", {"a": "s", "w": 12}]""";
        using var http = new HttpClient(SyncRunner.CreateHttpHandler());

        await using var rows = await HttpJsonRowSource.OpenAsync(http, feed.Url + "/events", null, "w", null, ["a", "b", "c", "d", "e", "f", "missing"], default);
        var read = rows.Rows().ToList();

        Assert.Equal(0, rows.Progress);
        Assert.Equal(["1", "0", "<null>", "7.25", """{"x": 1}""", "[1, 2]", "<null>"], read[0].Select(c => c ?? "<null>"));
        Assert.Equal("s", read[1][0]);
        Assert.Equal([(2, "Element 2 is not a JSON object.")], rows.BadRows);
        Assert.Equal(3, rows.RowsRead);
        Assert.Equal("12", rows.MaxWatermark);
    }

    [Fact]
    public void Cells_OfEveryDatabaseType_AreInvariantText()
    {
        Assert.Equal("2026-11-21T07:00:00.0000000Z", SyncRowSource.Cell(new DateTimeOffset(2026, 11, 21, 10, 0, 0, TimeSpan.FromHours(3))));
        Assert.Equal("1", SyncRowSource.Cell(true));
        Assert.Equal("0", SyncRowSource.Cell(false));
        Assert.Equal("0.1", SyncRowSource.Cell(0.1d));
        Assert.Equal("0.25", SyncRowSource.Cell(0.25f));
        Assert.Equal("vip;gold", SyncRowSource.Cell(new[] { "vip", "gold" }));
        Assert.Equal("System.Byte[]", SyncRowSource.Cell(new byte[] { 1 }));
        Assert.Equal("12.5", SyncRowSource.Cell(12.5m));
        Assert.Null(SyncRowSource.Cell(DBNull.Value));
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task ARunCancelledWhileTheSourceAnswers_AppliesNothing_AndSaysSo(DatabaseProvider provider)
    {
        await using var sync = await SyncHarness.CreateAsync(provider);
        await using var feed = await Feed.StartAsync();
        var id = await sync.Catalog.CreateAsync(SyncHarness.Admin, EventsDraft(feed.Url + "/hang"), default);
        using var stop = new CancellationTokenSource();

        var running = sync.Runner.RunAsync(id, stop.Token);
        await feed.Hanging.Task.WaitAsync(TimeSpan.FromSeconds(60));
        await stop.CancelAsync();
        var run = await running.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.False(run!.Succeeded);
        Assert.Equal("Cancelled: the application was stopping. Nothing was applied.", run.Error);
        await using var read = sync.Portal.CreateContext();
        Assert.NotNull((await read.SyncRuns.SingleAsync()).FinishedAt);
        Assert.Null((await read.SyncSources.SingleAsync()).Watermark);
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task UnusableSources_FailTheRun_WithTheCauseInWords(DatabaseProvider provider)
    {
        await using var sync = await SyncHarness.CreateAsync(provider);
        Assert.Null(await sync.Runner.RunAsync(123_456, default));
        var id = await sync.Catalog.CreateAsync(SyncHarness.Admin, EventsDraft("http://127.0.0.1:1/events"), default);

        // An endpoint stored by hand (an old version, or an edited row) that is not http(s).
        await using (var db = sync.Portal.CreateContext())
        {
            var location = sync.Secrets.Protect(new SyncEndpoint(null, "ftp://127.0.0.1/events", null));
            await db.SyncSources.Where(s => s.Id == id).ExecuteUpdateAsync(u => u.SetProperty(s => s.Location, location));
        }
        var ftp = await sync.Runner.RunAsync(id, default);
        Assert.Equal("The source URL is not an absolute http(s) URL.", ftp!.Error);

        // A kind this version does not know (a newer node's source).
        await using (var db = sync.Portal.CreateContext())
        {
            await db.SyncSources.Where(s => s.Id == id).ExecuteUpdateAsync(u => u.SetProperty(s => s.Kind, (SyncSourceKind)99));
        }
        var unknown = await sync.Runner.RunAsync(id, default);
        Assert.Equal("Unknown source kind 99.", unknown!.Error);

        // A PostgreSQL source whose stored connection string cannot be parsed.
        await using (var db = sync.Portal.CreateContext())
        {
            var location = sync.Secrets.Protect(new SyncEndpoint("Bogus Keyword=1", null, null));
            await db.SyncSources.Where(s => s.Id == id).ExecuteUpdateAsync(u => u
                .SetProperty(s => s.Kind, SyncSourceKind.Postgres).SetProperty(s => s.Location, location)
                .SetProperty(s => s.Query, "SELECT 1 AS ext WHERE @watermark IS NULL OR TRUE"));
        }
        var unreadable = await sync.Runner.RunAsync(id, default);
        Assert.StartsWith("The connection string cannot be read: ", unreadable!.Error);
        Assert.DoesNotContain("Details are in the log", unreadable.Error);

        await using var read = sync.Portal.CreateContext();
        Assert.Equal(3, await read.SyncRuns.CountAsync(r => r.SourceId == id && r.Succeeded == false && r.FinishedAt != null));
    }

    [Fact]
    public void TheHistory_NamesTheCause_NeverTheExceptionText()
    {
        Assert.Equal("The source database failed.", SyncRunner.Describe(new NpgsqlException("host db.internal said no")));
        Assert.Equal("Could not reach the source database.", SyncRunner.Describe(new NpgsqlException("x", new SocketException())));
        Assert.Equal("The source did not answer in time.", SyncRunner.Describe(new TaskCanceledException("secret")));
        Assert.Equal("The source did not answer in time.", SyncRunner.Describe(new TimeoutException("secret")));
        Assert.Equal("Internal error (InvalidOperationException).", SyncRunner.Describe(new InvalidOperationException("row +7916…")));
        Assert.Equal("Could not reach the endpoint: it answered HTTP 502.",
            SyncRunner.Describe(new HttpRequestException("x", null, System.Net.HttpStatusCode.BadGateway)));
        Assert.Equal("Could not reach the endpoint.", SyncRunner.Describe(new HttpRequestException("internal.host")));
    }

    [Fact]
    public void TheUi_ShowsWhereASourceIs_WithoutSecrets_OrAQuestionMark()
    {
        Assert.Equal("?", new SyncEndpoint("Bogus Keyword=1", null, null).Describe(SyncSourceKind.Postgres));
        Assert.Equal("db:5433/crm", new SyncEndpoint("Host=db;Port=5433;Database=crm;Password=pw", null, null).Describe(SyncSourceKind.Postgres));
        Assert.Equal("https://crm.example/api/clients", new SyncEndpoint(null, "https://crm.example/api/clients?token=abc", "t").Describe(SyncSourceKind.HttpJson));
        Assert.Equal("?", new SyncEndpoint(null, "not a url", null).Describe(SyncSourceKind.HttpJson));
    }

    [Fact]
    public async Task TheScheduleLoader_LogsAnUnreadableDatabase_AndLetsThePortalStart()
    {
        await using var empty = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite, migrate: false);
        var lines = new ConcurrentQueue<string>();
        using var logs = new LoggerFactory([new CapturingLoggerProvider(lines)]);
        var loader = new SyncScheduleLoader(empty.Factory, new NoSchedule(), logs.CreateLogger<SyncScheduleLoader>());

        await loader.StartAsync(default);
        await loader.StopAsync(default);

        Assert.Contains(lines, l => l.StartsWith("Error") && l.Contains("Could not load the sync sources into the scheduler"));
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task AWatermarkMovedByAnotherRunMeanwhile_IsLeftWhereItIs(DatabaseProvider provider)
    {
        await using var sync = await SyncHarness.CreateAsync(provider);
        await using var feed = await Feed.StartAsync();
        feed.Body = """[{"crm_id": "C1", "phone": "+79161112233", "updated": "2026-11-20T10:00:00Z"}]""";
        var id = await sync.Catalog.CreateAsync(SyncHarness.Admin, new SyncSourceDraft("Clients feed", SyncSourceKind.HttpJson, SyncTarget.Clients, null,
            feed.Url + "/clients", null, "", "updated", "0 0 * * * ?", [("crm_id", "ExternalId"), ("phone", "Phone")], true) { OverlapMinutes = 0 }, default);
        const string Further = "2026-12-01T00:00:00.0000000Z";
        feed.WhileAnswering = async () =>
        {
            await using var db = sync.Portal.CreateContext();
            await db.SyncSources.Where(s => s.Id == id).ExecuteUpdateAsync(u => u.SetProperty(s => s.Watermark, Further));
        };

        var run = await sync.Runner.RunAsync(id, default);

        Assert.True(run!.Succeeded, run.Error);
        Assert.Equal((1, 1), (run.RowsRead, run.Upserted));
        await using var read = sync.Portal.CreateContext();
        Assert.Equal(Further, (await read.SyncSources.SingleAsync(s => s.Id == id)).Watermark);
        Assert.Equal(1, await read.Clients.CountAsync(c => c.ExternalId == "C1"));
    }
}
