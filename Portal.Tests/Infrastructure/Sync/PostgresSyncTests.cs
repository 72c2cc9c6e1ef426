using Npgsql;
using Microsoft.EntityFrameworkCore;
using Portal.Domain.Common;
using Portal.Domain.Integrations;
using Portal.Infrastructure.Integrations.Sync;
using Portal.Infrastructure.Persistence;

namespace Portal.Tests.Infrastructure.Sync;

public class PostgresSyncTests
{
    public static TheoryData<DatabaseProvider> Providers => [DatabaseProvider.Sqlite, DatabaseProvider.Postgres];

    internal const string ClientsTable = """
        CREATE TABLE crm_clients (id text PRIMARY KEY, msisdn text, first_name text, birth date, spend numeric(12,2), updated_at timestamptz NOT NULL);
        """;

    internal const string ClientsQuery = """
        SELECT id, msisdn, first_name, birth, spend, updated_at FROM crm_clients
        WHERE updated_at > COALESCE(@watermark::timestamptz, '-infinity') ORDER BY updated_at
        """;

    internal static readonly (string, string)[] ClientsMapping =
        [("id", "ExternalId"), ("msisdn", "Phone"), ("first_name", "FirstName"), ("birth", "BirthDate"), ("spend", "TotalSpend")];

    internal static SyncSourceDraft ClientsDraft(string connectionString, string query = ClientsQuery, string name = "CRM") =>
        // These tests are about the watermark itself: no overlap margin (issue 20), which SyncOverlapTests covers.
        new(name, SyncSourceKind.Postgres, SyncTarget.Clients, connectionString, null, null, query, "updated_at", "0 0 3 * * ?", ClientsMapping, true) { OverlapMinutes = 0 };

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Runs_ImportAllThenOnlyRowsPastTheWatermark_CountingBadRows(DatabaseProvider provider)
    {
        await using var sync = await SyncHarness.CreateAsync(provider);
        await using var source = await SourceDatabase.CreateAsync();
        await source.ExecAsync(ClientsTable + """
            INSERT INTO crm_clients VALUES
              ('S1', '+7 916 111-22-33', 'Анна', '1990-05-01', 1500.50, '2026-11-20 10:00:00+00'),
              ('S2', '89261112233', 'Иван', NULL, 0, '2026-11-20 11:00:00+00'),
              ('S3', 'not a phone', 'Олег', NULL, NULL, '2026-11-20 12:00:00+00'),
              ('S4', '+79031112233', NULL, '1985-02-15', 10, '2026-11-20 12:30:00.123456+00');
            """);
        var id = await sync.Catalog.CreateAsync(SyncHarness.Admin, ClientsDraft(source.ConnectionString), default);

        var first = await sync.Runner.RunAsync(id, default);
        Assert.NotNull(first);
        Assert.True(first.Succeeded, first.Error);
        Assert.Equal((4, 3, 1), (first.RowsRead, first.Upserted, first.Rejected));
        await using (var read = sync.Portal.CreateContext())
        {
            Assert.Equal(3, await read.Clients.CountAsync());
            var anna = await read.Clients.SingleAsync(c => c.ExternalId == "S1");
            Assert.Equal(("+79161112233", "Анна", 1500.50m, new DateOnly(1990, 5, 1)), (anna.Phone, anna.FirstName, anna.TotalSpend, anna.BirthDate!.Value));
            var watermark = (await read.SyncSources.SingleAsync()).Watermark;
            Assert.NotNull(watermark);
            Assert.Equal(new DateTimeOffset(2026, 11, 20, 12, 30, 0, 123, TimeSpan.Zero).AddTicks(4560), DateTimeOffset.Parse(watermark));
        }

        await source.ExecAsync("""
            UPDATE crm_clients SET first_name = 'Иван-2', updated_at = '2026-11-21 09:00:00+00' WHERE id = 'S2';
            INSERT INTO crm_clients VALUES ('S5', '+79051112233', 'Новый', NULL, 5, '2026-11-21 10:00:00+00');
            """);
        var second = await sync.Runner.RunAsync(id, default);
        Assert.True(second!.Succeeded, second.Error);
        Assert.Equal((2, 2, 0), (second.RowsRead, second.Upserted, second.Rejected));
        await using (var read = sync.Portal.CreateContext())
        {
            Assert.Equal(4, await read.Clients.CountAsync());
            Assert.Equal("Иван-2", (await read.Clients.SingleAsync(c => c.ExternalId == "S2")).FirstName);
            Assert.Equal(2, await read.SyncRuns.CountAsync(r => r.SourceId == id && r.Succeeded));
        }

        var idle = await sync.Runner.RunAsync(id, default);
        Assert.Equal((0, 0, 0, true), (idle!.RowsRead, idle.Upserted, idle.Rejected, idle.Succeeded));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task BadSql_FailsTheRun_ChangingNothing_AndKeepsTheWatermark(DatabaseProvider provider)
    {
        await using var sync = await SyncHarness.CreateAsync(provider);
        await using var source = await SourceDatabase.CreateAsync();
        await source.ExecAsync(ClientsTable + "INSERT INTO crm_clients VALUES ('S1', '+79161112233', 'Анна', NULL, 1, '2026-11-20 10:00:00+00');");
        var id = await sync.Catalog.CreateAsync(SyncHarness.Admin, ClientsDraft(source.ConnectionString), default);
        Assert.True((await sync.Runner.RunAsync(id, default))!.Succeeded);
        string? watermark;
        await using (var read = sync.Portal.CreateContext())
        {
            watermark = (await read.SyncSources.SingleAsync()).Watermark;
            var stored = await read.SyncSources.SingleAsync();
            stored.Query = "SELECT id, msisdn FROM no_such_table WHERE updated_at > @watermark";
            await read.SaveChangesAsync();
        }
        await source.ExecAsync("INSERT INTO crm_clients VALUES ('S2', '+79261112233', 'Иван', NULL, 1, '2026-11-22 10:00:00+00');");

        var failed = await sync.Runner.RunAsync(id, default);
        Assert.False(failed!.Succeeded);
        Assert.Contains("42P01", failed.Error);
        Assert.Contains("no_such_table", failed.Error);
        Assert.NotNull(failed.FinishedAt);
        await using (var read = sync.Portal.CreateContext())
        {
            Assert.Equal(1, await read.Clients.CountAsync());
            Assert.Equal(watermark, (await read.SyncSources.SingleAsync()).Watermark);
        }
    }

    [Fact]
    public async Task AQueryThatWrites_IsRefusedByTheGuard_AndStillByTheReadOnlyTransaction()
    {
        await using var sync = await SyncHarness.CreateAsync(DatabaseProvider.Sqlite);
        await using var source = await SourceDatabase.CreateAsync();
        await source.ExecAsync(ClientsTable + "INSERT INTO crm_clients VALUES ('S1', '+79161112233', 'Анна', NULL, 1, '2026-11-20 10:00:00+00');");
        const string writes = "WITH gone AS (DELETE FROM crm_clients RETURNING *) SELECT id, msisdn, first_name, birth, spend, updated_at FROM gone WHERE updated_at > COALESCE(@watermark::timestamptz, '-infinity')";

        // Issue 14: the query guard refuses it on save; the READ ONLY transaction, still there behind it, refuses it at the database.
        await Assert.ThrowsAsync<DomainException>(() => sync.Catalog.CreateAsync(SyncHarness.Admin, ClientsDraft(source.ConnectionString, writes), default));
        var error = await Assert.ThrowsAsync<PostgresException>(() => PostgresRowSource.OpenAsync(source.ConnectionString, writes, "updated_at", null,
            ["id"], TimeSpan.FromMinutes(1), default));
        Assert.Equal("25006", error.SqlState); // read_only_sql_transaction
        await source.ExecAsync("DO $$ BEGIN IF (SELECT count(*) FROM crm_clients) <> 1 THEN RAISE EXCEPTION 'the source lost rows'; END IF; END $$;");
    }

    [Fact]
    public async Task UnreachableDatabase_FailsWithAClearError()
    {
        await using var sync = await SyncHarness.CreateAsync(DatabaseProvider.Sqlite);
        var id = await sync.Catalog.CreateAsync(SyncHarness.Admin,
            ClientsDraft("Host=127.0.0.1;Port=1;Database=x;Username=x;Password=x;Timeout=3"), default);
        var run = await sync.Runner.RunAsync(id, default);
        Assert.False(run!.Succeeded);
        Assert.StartsWith("Could not reach the source database", run.Error);
    }

    [Fact]
    public async Task MissingMappedColumn_FailsNamingIt()
    {
        await using var sync = await SyncHarness.CreateAsync(DatabaseProvider.Sqlite);
        await using var source = await SourceDatabase.CreateAsync();
        await source.ExecAsync(ClientsTable);
        var id = await sync.Catalog.CreateAsync(SyncHarness.Admin, ClientsDraft(source.ConnectionString,
            "SELECT id, msisdn, updated_at FROM crm_clients WHERE updated_at > COALESCE(@watermark::timestamptz, '-infinity')"), default);
        var run = await sync.Runner.RunAsync(id, default);
        Assert.False(run!.Succeeded);
        Assert.Contains("'first_name'", run.Error);
    }

    [Fact]
    public async Task ConnectionString_IsStoredEncrypted_AndNeverListed()
    {
        await using var sync = await SyncHarness.CreateAsync(DatabaseProvider.Sqlite);
        const string password = "S3cret-Sync-Pass";
        var id = await sync.Catalog.CreateAsync(SyncHarness.Admin,
            ClientsDraft($"Host=db.example;Port=5432;Database=crm;Username=portal;Password={password}"), default);

        await using var read = sync.Portal.CreateContext();
        var location = await read.SyncSources.Where(s => s.Id == id).Select(s => s.Location).SingleAsync();
        Assert.DoesNotContain(password, location);
        Assert.DoesNotContain("db.example", location);
        Assert.Contains(password, sync.Secrets.Unprotect(location).ConnectionString);
        var row = Assert.Single(await sync.Catalog.ListAsync(default));
        Assert.Equal("db.example:5432/crm", row.Where);
        Assert.DoesNotContain(password, row.ToString());

        // An edit with the connection string left blank keeps the stored one.
        await sync.Catalog.UpdateAsync(SyncHarness.Admin, id, ClientsDraft("") with { Name = "CRM 2" }, default);
        var after = await read.SyncSources.AsNoTracking().SingleAsync(s => s.Id == id);
        Assert.Equal("CRM 2", after.Name);
        Assert.Contains(password, sync.Secrets.Unprotect(after.Location).ConnectionString);
        Assert.Equal(2, await read.AuditEntries.CountAsync(a => a.Action.StartsWith("sync-source.")));
    }

    [Fact]
    public async Task InvalidDrafts_AreRefusedWithTheReason()
    {
        await using var sync = await SyncHarness.CreateAsync(DatabaseProvider.Sqlite);
        var good = ClientsDraft("Host=h;Database=d;Username=u");
        var cron = await Assert.ThrowsAsync<DomainException>(() => sync.Catalog.CreateAsync(SyncHarness.Admin, good with { Cron = "every hour" }, default));
        Assert.Contains("cron", cron.Message);
        var mapping = await Assert.ThrowsAsync<DomainException>(() => sync.Catalog.CreateAsync(SyncHarness.Admin, good with { Mapping = [("id", "ExternalId")] }, default));
        Assert.Contains("Phone", mapping.Message);
        var field = await Assert.ThrowsAsync<DomainException>(() => sync.Catalog.CreateAsync(SyncHarness.Admin, good with { Mapping = [.. ClientsMapping, ("x", "Shoe size")] }, default));
        Assert.Contains("Shoe size", field.Message);
        Assert.Empty(await sync.Catalog.ListAsync(default));
    }
}
