using Microsoft.EntityFrameworkCore;
using Portal.Domain.Integrations;
using Portal.Infrastructure.Integrations.Sync;
using Portal.Infrastructure.Persistence;

namespace Portal.Tests.Infrastructure.Sync;

/// <summary>Issue 20: a run keeps which rows it rejected (position in the run, column, reason), never a cell's value.</summary>
public class SyncRowErrorTests
{
    [Theory]
    [MemberData(nameof(PostgresSyncTests.Providers), MemberType = typeof(PostgresSyncTests))]
    public async Task ClientRun_KeepsTheTwoRejectedRows_AppliesTheGoodOnes(DatabaseProvider provider)
    {
        await using var sync = await SyncHarness.CreateAsync(provider);
        await using var source = await SourceDatabase.CreateAsync();
        await source.ExecAsync(PostgresSyncTests.ClientsTable + """
            INSERT INTO crm_clients VALUES
              ('R1', '+79161112233', 'Анна', NULL, 1, '2026-11-20 10:00:00+00'),
              ('R2', 'call me 555', 'Олег', NULL, 1, '2026-11-20 11:00:00+00'),
              ('R3', '+79261112233', 'Иван', NULL, 1, '2026-11-20 12:00:00+00'),
              ('',   '+79031112233', 'Пётр', NULL, 1, '2026-11-20 13:00:00+00'),
              ('R5', '+79051112233', 'Мария', NULL, 1, '2026-11-20 14:00:00+00');
            """);
        var id = await sync.Catalog.CreateAsync(SyncHarness.Admin, PostgresSyncTests.ClientsDraft(source.ConnectionString), default);

        var run = await sync.Runner.RunAsync(id, default);

        Assert.True(run!.Succeeded, run.Error);
        Assert.Equal((5, 3, 2), (run.RowsRead, run.Upserted, run.Rejected));
        var stored = await StoredAsync(sync, run.Id);
        Assert.Equal([2, 4], stored.RowErrors().Select(e => e.Row));
        Assert.Equal(["msisdn", "id"], stored.RowErrors().Select(e => e.Column));
        Assert.All(stored.RowErrors(), e => Assert.False(string.IsNullOrWhiteSpace(e.Reason)));
        // The importer's phone reason quotes the cell: the run keeps a reason without it.
        Assert.Equal(SyncRowErrors.ValueHidden, stored.RowErrors()[0].Reason);
        Assert.DoesNotContain("555", stored.RowErrorsJson);
        await using var read = sync.Portal.CreateContext();
        Assert.Equal(["R1", "R3", "R5"], await read.Clients.OrderBy(c => c.ExternalId).Select(c => c.ExternalId).ToListAsync());
    }

    [Theory]
    [MemberData(nameof(PostgresSyncTests.Providers), MemberType = typeof(PostgresSyncTests))]
    public async Task EventRun_KeepsTheTwoRejectedRows_AcrossBatches(DatabaseProvider provider)
    {
        await using var sync = await SyncHarness.CreateAsync(provider);
        await using var source = await SourceDatabase.CreateAsync();
        await source.ExecAsync(PostgresSyncTests.ClientsTable + """
            INSERT INTO crm_clients VALUES ('E1', '+79161112233', 'Анна', NULL, 0, '2026-11-20 10:00:00+00');
            CREATE TABLE crm_events (id bigint PRIMARY KEY, client text, kind text, at timestamptz);
            INSERT INTO crm_events VALUES
              (1, 'E1', 'purchase', '2026-11-21 10:00:00+00'),
              (2, 'NOBODY', 'purchase', '2026-11-21 11:00:00+00'),
              (3, 'E1', 'login', '2026-11-21 12:00:00+00'),
              (4, 'E1', 'teleport', '2026-11-21 12:00:00+00'),
              (5, 'E1', 'login', '2026-11-21 13:00:00+00');
            """);
        Assert.True((await sync.Runner.RunAsync(await sync.Catalog.CreateAsync(SyncHarness.Admin, PostgresSyncTests.ClientsDraft(source.ConnectionString), default), default))!.Succeeded);
        var events = await sync.Catalog.CreateAsync(SyncHarness.Admin, new SyncSourceDraft("CRM events", SyncSourceKind.Postgres, SyncTarget.Events,
            source.ConnectionString, null, null, "SELECT id, client, kind, at FROM crm_events WHERE id > COALESCE(@watermark::bigint, 0) ORDER BY id",
            "id", "0 */5 * * * ?", [("client", "ExternalId"), ("kind", "Type"), ("at", "OccurredAt")], true), default);

        var run = await sync.Runner.RunAsync(events, default);

        Assert.True(run!.Succeeded, run.Error);
        Assert.Equal((5, 3, 2), (run.RowsRead, run.Upserted, run.Rejected));
        var errors = (await StoredAsync(sync, run.Id)).RowErrors();
        Assert.Equal([(2, "externalId"), (4, "type")], errors.Select(e => (e.Row, e.Column)));
        Assert.All(errors, e => Assert.False(string.IsNullOrWhiteSpace(e.Reason)));
        await using var read = sync.Portal.CreateContext();
        Assert.Equal(3, await read.ClientEvents.CountAsync());
    }

    [Theory]
    [MemberData(nameof(PostgresSyncTests.Providers), MemberType = typeof(PostgresSyncTests))]
    public async Task EmployeeRun_KeepsTheTwoRejectedRows_WithoutTheirValues(DatabaseProvider provider)
    {
        await using var sync = await SyncHarness.CreateAsync(provider);
        await using var source = await SourceDatabase.CreateAsync();
        await source.ExecAsync("""
            CREATE TABLE hr_staff (phone text, full_name text, tz text, updated_at timestamptz NOT NULL);
            INSERT INTO hr_staff VALUES
              ('+79165550101', 'Анна Орлова', NULL, '2026-11-20 10:00:00+00'),
              ('+79165550102', 'Вера Лис', 'Mars/Olympus', '2026-11-20 10:01:00+00'),
              ('+79165550103', 'Борис Ким', NULL, '2026-11-20 10:02:00+00'),
              ('12', 'Not A Phone', NULL, '2026-11-20 10:03:00+00'),
              ('+79165550104', 'Глеб Жук', NULL, '2026-11-20 10:04:00+00');
            """);
        var id = await sync.Catalog.CreateAsync(SyncHarness.Admin, new SyncSourceDraft("HR", SyncSourceKind.Postgres, SyncTarget.Employees,
            source.ConnectionString, null, null, "SELECT phone, full_name, tz, updated_at FROM hr_staff ORDER BY updated_at",
            "updated_at", "0 0 3 * * ?", [("phone", "Phone"), ("full_name", "Name"), ("tz", "TimeZone")], true), default);

        var run = await sync.Runner.RunAsync(id, default);

        Assert.True(run!.Succeeded, run.Error);
        Assert.Equal((5, 3, 2), (run.RowsRead, run.Upserted, run.Rejected));
        var stored = await StoredAsync(sync, run.Id);
        Assert.Equal([2, 4], stored.RowErrors().Select(e => e.Row));
        Assert.Equal("Unknown time zone ….", stored.RowErrors()[0].Reason);
        Assert.Equal(SyncRowErrors.ValueHidden, stored.RowErrors()[1].Reason);
        Assert.DoesNotContain("Mars", stored.RowErrorsJson);
        Assert.DoesNotContain("'12'", stored.RowErrorsJson);
        await using var read = sync.Portal.CreateContext();
        Assert.Equal(3, await read.Employees.CountAsync());
    }

    private static async Task<SyncRun> StoredAsync(SyncHarness sync, long runId)
    {
        await using var read = sync.Portal.CreateContext();
        return await read.SyncRuns.AsNoTracking().SingleAsync(r => r.Id == runId);
    }
}
