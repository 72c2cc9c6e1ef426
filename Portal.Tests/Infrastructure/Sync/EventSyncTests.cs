using Microsoft.EntityFrameworkCore;
using Portal.Domain.Clients;
using Portal.Domain.Integrations;
using Portal.Infrastructure.Integrations.Sync;
using Portal.Infrastructure.Persistence;

namespace Portal.Tests.Infrastructure.Sync;

public class EventSyncTests
{
    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Events_AreIngested_MovingAggregates_OnlyPastTheWatermark(DatabaseProvider provider)
    {
        await using var sync = await SyncHarness.CreateAsync(provider);
        await using var source = await SourceDatabase.CreateAsync();
        await source.ExecAsync(PostgresSyncTests.ClientsTable + """
            INSERT INTO crm_clients VALUES ('E1', '+79161112233', 'Анна', NULL, 0, '2026-11-20 10:00:00+00'),
                                           ('E2', '+79261112233', 'Иван', NULL, 0, '2026-11-20 10:00:00+00');
            CREATE TABLE crm_events (id bigint PRIMARY KEY, client text, kind text, total numeric(12,2), label text, at timestamptz);
            INSERT INTO crm_events VALUES
              (1, 'E1', 'purchase', 100.50, NULL, '2026-11-21 10:00:00+00'),
              (2, 'E1', 'Purchase', 20, NULL, '2026-11-21 11:00:00+00'),
              (3, 'E2', 'login', NULL, NULL, '2026-11-21 12:00:00+00'),
              (4, 'NOBODY', 'purchase', 5, NULL, '2026-11-21 12:00:00+00'),
              (5, 'E2', 'teleport', NULL, NULL, '2026-11-21 12:00:00+00');
            """);
        var clients = await sync.Catalog.CreateAsync(SyncHarness.Admin, PostgresSyncTests.ClientsDraft(source.ConnectionString), default);
        Assert.True((await sync.Runner.RunAsync(clients, default))!.Succeeded);
        var events = await sync.Catalog.CreateAsync(SyncHarness.Admin, new SyncSourceDraft("CRM events", SyncSourceKind.Postgres, SyncTarget.Events,
            source.ConnectionString, null, null, "SELECT id, client, kind, total, label, at FROM crm_events WHERE id > COALESCE(@watermark::bigint, 0) ORDER BY id",
            "id", "0 */5 * * * ?", [("client", "ExternalId"), ("kind", "Type"), ("total", "Amount"), ("label", "Name"), ("at", "OccurredAt")], true), default);

        var first = await sync.Runner.RunAsync(events, default);
        Assert.True(first!.Succeeded, first.Error);
        Assert.Equal((5, 3, 2), (first.RowsRead, first.Upserted, first.Rejected));
        await using (var read = sync.Portal.CreateContext())
        {
            Assert.Equal(3, await read.ClientEvents.CountAsync());
            var anna = await read.Clients.SingleAsync(c => c.ExternalId == "E1");
            Assert.Equal((2, 120.50m), (anna.PurchaseCount, anna.TotalSpend));
            Assert.Equal("5", (await read.SyncSources.SingleAsync(s => s.Id == events)).Watermark);
        }

        await source.ExecAsync("INSERT INTO crm_events VALUES (6, 'E2', 'purchase', 7, NULL, '2026-11-22 10:00:00+00');");
        var second = await sync.Runner.RunAsync(events, default);
        Assert.Equal((1, 1, 0), (second!.RowsRead, second.Upserted, second.Rejected));
        await using (var read = sync.Portal.CreateContext())
        {
            Assert.Equal(4, await read.ClientEvents.CountAsync());
            Assert.Equal(1, await read.ClientEvents.CountAsync(e => e.Type == ClientEventType.Purchase && e.Amount == 7m));
        }
    }

    [Fact]
    public async Task AFailingEventRun_LeavesNoEvents_EvenAfterEarlierBatches()
    {
        await using var sync = await SyncHarness.CreateAsync(DatabaseProvider.Postgres);
        await using var source = await SourceDatabase.CreateAsync();
        await source.ExecAsync(PostgresSyncTests.ClientsTable + """
            INSERT INTO crm_clients VALUES ('E1', '+79161112233', 'Анна', NULL, 0, '2026-11-20 10:00:00+00');
            CREATE TABLE crm_events (id int PRIMARY KEY, client text, kind text, at timestamptz);
            INSERT INTO crm_events SELECT g, 'E1', 'visit', '2026-11-21 10:00:00+00' FROM generate_series(1, 10) g;
            """);
        Assert.True((await sync.Runner.RunAsync(await sync.Catalog.CreateAsync(SyncHarness.Admin, PostgresSyncTests.ClientsDraft(source.ConnectionString), default), default))!.Succeeded);
        // Batches of 2 (the harness): rows 1..5 are ingested before row 6 makes the query fail (division by zero).
        var events = await sync.Catalog.CreateAsync(SyncHarness.Admin, new SyncSourceDraft("Breaks", SyncSourceKind.Postgres, SyncTarget.Events,
            source.ConnectionString, null, null, "SELECT id, client, kind, at, 1 / (6 - id) AS boom FROM crm_events WHERE id > COALESCE(@watermark::int, 0)",
            "id", "0 */5 * * * ?", [("client", "ExternalId"), ("kind", "Type"), ("at", "OccurredAt")], true), default);

        var run = await sync.Runner.RunAsync(events, default);
        Assert.False(run!.Succeeded);
        Assert.Contains("22012", run.Error);
        await using var read = sync.Portal.CreateContext();
        Assert.Equal(0, await read.ClientEvents.CountAsync());
        Assert.Null((await read.SyncSources.SingleAsync(s => s.Id == events)).Watermark);
    }
}
