using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Portal.Domain.Integrations;
using Portal.Infrastructure.Integrations.Sync;
using Portal.Infrastructure.Persistence;

namespace Portal.Tests.Infrastructure.Sync;

/// <summary>
/// Issue 13: scheduled syncs ran on every node, so one source was read by two runs at once,
/// its events stored twice and its watermark moved backwards by the slower run. Two runners
/// (two nodes) race over one Portal database here.
/// </summary>
public class SyncOnceTests
{
    private const string EventsTable = """
        INSERT INTO crm_clients VALUES ('E1', '+79161112233', 'Анна', NULL, 0, '2026-11-20 10:00:00+00');
        CREATE TABLE crm_events (id int PRIMARY KEY, client text, kind text, at timestamptz);
        INSERT INTO crm_events SELECT g, 'E1', 'visit', '2026-11-21 10:00:00+00' FROM generate_series(1, 3) g;
        """;

    private static SyncSourceDraft EventsDraft(string cs) => new("CRM events", SyncSourceKind.Postgres, SyncTarget.Events, cs, null, null,
        "SELECT id, client, kind, at FROM crm_events WHERE id > COALESCE(@watermark::int, 0) ORDER BY id",
        "id", "0 */5 * * * ?", [("client", "ExternalId"), ("kind", "Type"), ("at", "OccurredAt")], true);

    [Theory]
    [InlineData(DatabaseProvider.Postgres)]
    [InlineData(DatabaseProvider.Sqlite)]
    public async Task TwoNodes_StartingOneSourceAtOnce_MakeOneRun_AndStoreEachEventOnce(DatabaseProvider provider)
    {
        await using var sync = await SyncHarness.CreateAsync(provider);
        await using var source = await SourceDatabase.CreateAsync();
        await source.ExecAsync(PostgresSyncTests.ClientsTable + EventsTable);
        Assert.True((await sync.Runner.RunAsync(await sync.Catalog.CreateAsync(SyncHarness.Admin, PostgresSyncTests.ClientsDraft(source.ConnectionString), default), default))!.Succeeded);
        var events = await sync.Catalog.CreateAsync(SyncHarness.Admin, EventsDraft(source.ConnectionString), default);
        var otherNode = sync.CreateRunner();

        // The source's table is locked: node A's query waits inside its run, as a slow source would.
        await using var locker = new NpgsqlConnection(source.ConnectionString);
        await locker.OpenAsync();
        var hold = await locker.BeginTransactionAsync();
        await using (var lockTable = new NpgsqlCommand("LOCK TABLE crm_events IN ACCESS EXCLUSIVE MODE", locker, hold))
        {
            await lockTable.ExecuteNonQueryAsync();
        }
        var a = sync.Runner.RunAsync(events, default);
        long runningId = 0;
        await WaitForAsync(async () =>
        {
            await using var db = sync.Portal.CreateContext();
            runningId = await db.SyncRuns.Where(r => r.SourceId == events && r.FinishedAt == null).Select(r => r.Id).FirstOrDefaultAsync();
            return runningId != 0;
        });

        var b = otherNode.RunAsync(events, default);
        var bFinishedWhileAWaits = await Task.WhenAny(b, Task.Delay(TimeSpan.FromSeconds(10))) == b;
        await hold.CommitAsync();
        var (first, second) = (await a, await b);

        Assert.True(bFinishedWhileAWaits, "the second node waited for the source instead of leaving the run to the first");
        Assert.True(first!.Succeeded, first.Error);
        Assert.Equal(runningId, second!.Id);
        await using var read = sync.Portal.CreateContext();
        Assert.Equal(3, await read.ClientEvents.CountAsync());
        Assert.Equal(1, await read.SyncRuns.CountAsync(r => r.SourceId == events));
        Assert.Equal("3", (await read.SyncSources.SingleAsync(s => s.Id == events)).Watermark);
    }

    [Fact]
    public async Task ARunLeftUnfinishedByADeadNode_IsClosedAsAbandoned_AndTheNextRunProceeds()
    {
        await using var sync = await SyncHarness.CreateAsync(DatabaseProvider.Postgres);
        await using var source = await SourceDatabase.CreateAsync();
        await source.ExecAsync(PostgresSyncTests.ClientsTable + EventsTable);
        Assert.True((await sync.Runner.RunAsync(await sync.Catalog.CreateAsync(SyncHarness.Admin, PostgresSyncTests.ClientsDraft(source.ConnectionString), default), default))!.Succeeded);
        var events = await sync.Catalog.CreateAsync(SyncHarness.Admin, EventsDraft(source.ConnectionString), default);
        await using (var db = sync.Portal.CreateContext())
        {
            db.SyncRuns.Add(new SyncRun(events, DateTime.UtcNow.AddHours(-3)));
            await db.SaveChangesAsync();
        }

        var run = await sync.Runner.RunAsync(events, default);

        Assert.True(run!.Succeeded, run.Error);
        await using var read = sync.Portal.CreateContext();
        Assert.Equal(3, await read.ClientEvents.CountAsync());
        var dead = await read.SyncRuns.SingleAsync(r => r.SourceId == events && r.Id != run.Id);
        Assert.NotNull(dead.FinishedAt);
        Assert.Contains("Abandoned", dead.Error);
    }

    /// <summary>
    /// A run overtaken (its node stalled past the abandon bound, another node ran meanwhile) ends
    /// with fewer rows than the winner: before the fix it stored its events a second time and set
    /// the watermark back to its own, lower, highest row.
    /// </summary>
    [Theory]
    [InlineData(DatabaseProvider.Postgres)]
    [InlineData(DatabaseProvider.Sqlite)]
    public async Task AnOvertakenRun_StoresNothing_AndNeverMovesTheWatermarkBack(DatabaseProvider provider)
    {
        await using var sync = await SyncHarness.CreateAsync(provider);
        await using var source = await SourceDatabase.CreateAsync();
        await source.ExecAsync(PostgresSyncTests.ClientsTable + "INSERT INTO crm_clients VALUES ('E1', '+79161112233', 'Анна', NULL, 0, '2026-11-20 10:00:00+00');");
        Assert.True((await sync.Runner.RunAsync(await sync.Catalog.CreateAsync(SyncHarness.Admin, PostgresSyncTests.ClientsDraft(source.ConnectionString), default), default))!.Succeeded);
        await using var feed = await GatedFeed.StartAsync();
        feed.Add(1, 2, 3);
        var events = await sync.Catalog.CreateAsync(SyncHarness.Admin, new SyncSourceDraft("Feed events", SyncSourceKind.HttpJson, SyncTarget.Events, null,
            feed.Url + "events?since={watermark}", null, "", "id", "0 */5 * * * ?", [("client", "ExternalId"), ("kind", "Type"), ("at", "OccurredAt")], true), default);

        var slow = sync.Runner.RunAsync(events, default);
        await WaitForAsync(() => Task.FromResult(feed.Parked == 1));
        // The slow node's run outlived the abandon bound; rows 4 and 5 arrive; another node runs.
        await using (var db = sync.Portal.CreateContext())
        {
            await db.SyncRuns.Where(r => r.SourceId == events && r.FinishedAt == null)
                .ExecuteUpdateAsync(u => u.SetProperty(r => r.StartedAt, r => r.StartedAt.AddHours(-3)));
        }
        feed.Add(4, 5);
        var fast = await sync.CreateRunner().RunAsync(events, default);
        Assert.True(fast!.Succeeded, fast.Error);
        feed.Release();
        var overtaken = await slow;

        Assert.False(overtaken!.Succeeded);
        Assert.Contains("Another run", overtaken.Error);
        await using var read = sync.Portal.CreateContext();
        Assert.Equal(5, await read.ClientEvents.CountAsync());
        Assert.Equal("5", (await read.SyncSources.SingleAsync(s => s.Id == events)).Watermark);
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition)
    {
        var until = DateTime.UtcNow.AddSeconds(30);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < until, "condition not met in 30 s");
            await Task.Delay(50);
        }
    }

    /// <summary>An events feed on 127.0.0.1 whose first request is parked (rows as of its arrival) until released.</summary>
    private sealed class GatedFeed : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly ConcurrentDictionary<int, bool> _rows = new();
        private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _requests;
        private int _parked;

        private GatedFeed(WebApplication app) => _app = app;

        public int Parked => Volatile.Read(ref _parked);
        public string Url => _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/') + "/";

        public void Add(params int[] ids)
        {
            foreach (var id in ids) _rows[id] = true;
        }

        public void Release() => _gate.TrySetResult();

        public static async Task<GatedFeed> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
            var app = builder.Build();
            var feed = new GatedFeed(app);
            app.MapGet("/events", async (string? since) =>
            {
                var after = int.TryParse(since, out var s) ? s : 0;
                var rows = feed._rows.Keys.Where(id => id > after).Order()
                    .Select(id => new Dictionary<string, object?> { ["id"] = id, ["client"] = "E1", ["kind"] = "visit", ["at"] = "2026-11-21T10:00:00Z" }).ToList();
                if (Interlocked.Increment(ref feed._requests) == 1)
                {
                    Interlocked.Increment(ref feed._parked);
                    await feed._gate.Task;
                }
                return Results.Json(rows);
            });
            await app.StartAsync();
            return feed;
        }

        public async ValueTask DisposeAsync()
        {
            Release();
            await _app.DisposeAsync();
        }
    }
}
