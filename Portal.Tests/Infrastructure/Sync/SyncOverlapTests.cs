using Microsoft.EntityFrameworkCore;
using Portal.Domain.Clients;
using Portal.Domain.Integrations;
using Portal.Infrastructure.Integrations.Sync;
using Portal.Infrastructure.Persistence;

namespace Portal.Tests.Infrastructure.Sync;

/// <summary>Issue 20, items 15 and 16: the overlap margin picks up rows committed late; re-reading it, and event ids, keep a row applied once.</summary>
public class SyncOverlapTests
{
    public static TheoryData<DatabaseProvider> Providers => [DatabaseProvider.Sqlite, DatabaseProvider.Postgres];

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task ALateRowOlderThanTheWatermark_WithinTheOverlap_IsPickedUp_AndTheReReadChangesNothing(DatabaseProvider provider)
    {
        await using var sync = await SyncHarness.CreateAsync(provider);
        await using var source = await SourceDatabase.CreateAsync();
        await source.ExecAsync(PostgresSyncTests.ClientsTable + """
            INSERT INTO crm_clients VALUES ('S1', '+79161112233', 'Анна', NULL, 0, '2026-11-20 10:00:00+00'),
                                           ('S2', '+79261112233', 'Иван', NULL, 0, '2026-11-20 10:10:00+00');
            """);
        var id = await sync.Catalog.CreateAsync(SyncHarness.Admin,
            PostgresSyncTests.ClientsDraft(source.ConnectionString) with { OverlapMinutes = SyncSource.DefaultOverlapMinutes }, default);
        Assert.Equal(SyncSource.DefaultOverlapMinutes, (await sync.Catalog.ListAsync(default)).Single().OverlapMinutes);
        var first = await sync.Runner.RunAsync(id, default);
        Assert.Equal((true, 2, 2), (first!.Succeeded, first.RowsRead, first.Upserted));
        string? watermark;
        DateTime updatedAt;
        await using (var read = sync.Portal.CreateContext())
        {
            watermark = (await read.SyncSources.SingleAsync()).Watermark;
            updatedAt = (await read.Clients.SingleAsync(c => c.ExternalId == "S2")).UpdatedAt;
        }

        // Committed after the run, stamped before its watermark: 3 minutes (inside the margin) and 10 minutes (outside).
        await source.ExecAsync("""
            INSERT INTO crm_clients VALUES ('S3', '+79031112233', 'Олег', NULL, 0, '2026-11-20 10:07:00+00'),
                                           ('S4', '+79041112233', 'Ольга', NULL, 0, '2026-11-20 10:00:00+00');
            """);
        var second = await sync.Runner.RunAsync(id, default);
        // S2 and S3 read; only S3 applied; S2 read again unchanged.
        Assert.Equal((true, 2, 1, 0), (second!.Succeeded, second.RowsRead, second.Upserted, second.Rejected));
        var third = await sync.Runner.RunAsync(id, default);
        Assert.Equal((true, 2, 0, 0), (third!.Succeeded, third.RowsRead, third.Upserted, third.Rejected));

        await using (var read = sync.Portal.CreateContext())
        {
            Assert.Equal(["S1", "S2", "S3"], await read.Clients.OrderBy(c => c.ExternalId).Select(c => c.ExternalId!).ToListAsync());
            Assert.Equal(watermark, (await read.SyncSources.SingleAsync()).Watermark);
            Assert.Equal(updatedAt, (await read.Clients.SingleAsync(c => c.ExternalId == "S2")).UpdatedAt);
        }
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task EventSource_WithAnEventId_PicksUpALateEvent_AndStoresEachEventOnce(DatabaseProvider provider)
    {
        await using var sync = await SyncHarness.CreateAsync(provider);
        await using var source = await SourceDatabase.CreateAsync();
        await source.ExecAsync(PostgresSyncTests.ClientsTable + """
            INSERT INTO crm_clients VALUES ('E1', '+79161112233', 'Анна', NULL, 0, '2026-11-20 10:00:00+00');
            CREATE TABLE crm_events (id text PRIMARY KEY, client text, kind text, total numeric(12,2), at timestamptz);
            INSERT INTO crm_events VALUES ('p-1', 'E1', 'purchase', 100, '2026-11-21 10:00:00+00'),
                                          ('p-2', 'E1', 'purchase', 20, '2026-11-21 10:10:00+00');
            """);
        Assert.True((await sync.Runner.RunAsync(await sync.Catalog.CreateAsync(SyncHarness.Admin, PostgresSyncTests.ClientsDraft(source.ConnectionString), default), default))!.Succeeded);
        var events = await sync.Catalog.CreateAsync(SyncHarness.Admin, new SyncSourceDraft("CRM events", SyncSourceKind.Postgres, SyncTarget.Events,
            source.ConnectionString, null, null, "SELECT id, client, kind, total, at FROM crm_events WHERE at > COALESCE(@watermark::timestamptz, '-infinity') ORDER BY at",
            "at", "0 */5 * * * ?", [("id", "EventId"), ("client", "ExternalId"), ("kind", "Type"), ("total", "Amount"), ("at", "OccurredAt")], true), default);

        Assert.Equal((2, 2), await RunAsync(sync, events));
        await source.ExecAsync("INSERT INTO crm_events VALUES ('p-3', 'E1', 'purchase', 5, '2026-11-21 10:08:00+00');");
        // p-2 read again (a duplicate, not stored) and the late p-3.
        Assert.Equal((2, 1), await RunAsync(sync, events));
        Assert.Equal((2, 0), await RunAsync(sync, events));

        await using var read = sync.Portal.CreateContext();
        Assert.Equal(["p-1", "p-2", "p-3"], await read.ClientEvents.OrderBy(e => e.EventKey).Select(e => e.EventKey!).ToListAsync());
        Assert.All(await read.ClientEvents.ToListAsync(), e => Assert.Equal(ClientEvent.SyncSource(events), e.Source));
        var anna = await read.Clients.SingleAsync(c => c.ExternalId == "E1");
        Assert.Equal((3, 125m), (anna.PurchaseCount, anna.TotalSpend));
    }

    private static async Task<(int Read, int Upserted)> RunAsync(SyncHarness sync, int id)
    {
        var run = await sync.Runner.RunAsync(id, default);
        Assert.True(run!.Succeeded, run.Error);
        return (run.RowsRead, run.Upserted);
    }

    [Theory]
    [InlineData("2026-11-20T10:10:00.0000000Z", 5, "2026-11-20T10:05:00.0000000+00:00")]
    [InlineData("2026-11-20T10:10:00.0000000+03:00", 5, "2026-11-20T10:05:00.0000000+03:00")]
    [InlineData("2026-11-20T10:10:00.0000000", 5, "2026-11-20T10:05:00.0000000")]
    [InlineData("2026-11-20T10:10:00.0000000Z", 0, "2026-11-20T10:10:00.0000000Z")]
    [InlineData("12345", 5, "12345")]
    public void ReadFrom_MovesOnlyADateTimeWatermarkBack(string watermark, int minutes, string expected) =>
        Assert.Equal(expected, SyncWatermark.ReadFrom(watermark, minutes));

    [Fact]
    public void IsPast_NeverMovesTheWatermarkBack()
    {
        Assert.False(SyncWatermark.IsPast("2026-11-20T10:07:00.0000000Z", "2026-11-20T10:10:00.0000000Z"));
        Assert.True(SyncWatermark.IsPast("2026-11-20T10:11:00.0000000Z", "2026-11-20T10:10:00.0000000Z"));
        Assert.True(SyncWatermark.IsPast("10", "9"));
        Assert.True(SyncWatermark.IsPast("1", null));
    }
}
