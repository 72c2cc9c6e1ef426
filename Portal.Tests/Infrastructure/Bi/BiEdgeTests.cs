using System.Collections.Concurrent;
using System.IO.Compression;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Parquet;
using Portal.Infrastructure;
using Portal.Infrastructure.Bi;
using Portal.Infrastructure.Persistence;
using Portal.Tests.Infrastructure.Sending;
using Portal.Tests.Support;

namespace Portal.Tests.Infrastructure.Bi;

/// <summary>
/// Issue 21: BI paths the export tests do not take: scheduled exports through the real Quartz
/// wiring (loaded at start, next firing, run now, removal) and with scheduling off, a loader that
/// cannot read its database, doubles and days in Parquet, XLSX text with edge spaces and its
/// progress, a department list as the filter, and two nodes racing to store the pseudonym key.
/// </summary>
public sealed class BiEdgeTests
{
    private static BiExportDefinition Definition(string name, bool enabled = true) => new(name, "daily_cost", BiFormat.Csv, "0 0 2 * * ?",
        BiTargetKind.Folder, "nightly", 30, null, null, "analyst@portal.local", BiWorld.SentAt) { Enabled = enabled };

    private static async Task<int> AddAsync(BiWorld world, BiExportDefinition definition)
    {
        await using var db = world.Database.CreateContext();
        db.BiExportDefinitions.Add(definition);
        await db.SaveChangesAsync();
        return definition.Id;
    }

    private static async Task<List<BiExport>> WaitForRunsAsync(BiWorld world, int definitionId)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            await using var db = world.Database.CreateContext();
            var runs = await db.BiExports.AsNoTracking().Where(e => e.DefinitionId == definitionId && e.Status != BiExportStatus.Running).ToListAsync();
            if (runs.Count > 0 || DateTime.UtcNow > deadline) return runs;
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task QuartzSchedule_LoadsDefinitionsAtStart_RunNowRunsTheJob_RemoveDropsIt()
    {
        await using var world = await BiWorld.CreateAsync(DatabaseProvider.Sqlite, clients: 20);
        var id = await AddAsync(world, Definition("Nightly cost"));
        var root = Directory.CreateTempSubdirectory("portal-host-").FullName;
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = root, EnvironmentName = "Test" });
        builder.Configuration["Database:Provider"] = "Sqlite";
        builder.Configuration["Database:ConnectionString"] = world.Database.ConnectionString;
        builder.AddPortalInfrastructure();
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var schedule = host.Services.GetRequiredService<IBiExportSchedule>();
            Assert.IsType<QuartzBiExportSchedule>(schedule);
            // The loader put the stored definition's cron trigger into the empty in-memory store.
            var next = await schedule.NextFireAsync(id, default);
            Assert.NotNull(next);
            Assert.Equal((2, 0), (next.Value.UtcDateTime.Hour, next.Value.UtcDateTime.Minute));

            await schedule.TriggerNowAsync(id, default);
            var run = Assert.Single(await WaitForRunsAsync(world, id));
            Assert.Equal(BiExportStatus.Succeeded, run.Status);
            // "Run now" is this node's own run, not the cron firing shared by every node.
            Assert.Null(run.FiringAt);
            Assert.Single(Directory.GetFiles(Path.Combine(root, "App_Data", "bi-share", "nightly"), "*.csv"));

            await schedule.RemoveAsync(id, default);
            Assert.Null(await schedule.NextFireAsync(id, default));
        }
        finally
        {
            await host.StopAsync();
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task InlineSchedule_NeverFires_RunNowRunsInTheBackground()
    {
        await using var world = await BiWorld.CreateAsync(DatabaseProvider.Sqlite, clients: 20);
        var definition = Definition("Manual", enabled: true);
        var id = await AddAsync(world, definition);
        var schedule = new InlineBiExportSchedule(world.Exporter());

        await schedule.ApplyAsync(definition, default);
        Assert.Null(await schedule.NextFireAsync(id, default));
        await schedule.TriggerNowAsync(id, default);

        var run = Assert.Single(await WaitForRunsAsync(world, id));
        Assert.Equal((BiExportStatus.Succeeded, null), (run.Status, run.FiringAt));
        await schedule.RemoveAsync(id, default);
        await using var db = world.Database.CreateContext();
        Assert.True(await db.BiExportDefinitions.AnyAsync(d => d.Id == id));
    }

    [Fact]
    public async Task TheLoader_LogsAnUnreadableDatabase_AndLetsThePortalStart()
    {
        await using var empty = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite, migrate: false);
        var lines = new ConcurrentQueue<string>();
        using var logs = new LoggerFactory([new CapturingLoggerProvider(lines)]);
        await using var world = await BiWorld.CreateAsync(DatabaseProvider.Sqlite, clients: 1);
        var loader = new BiExportScheduleLoader(empty.Factory, new InlineBiExportSchedule(world.Exporter()), logs.CreateLogger<BiExportScheduleLoader>());

        await loader.StartAsync(default);
        await loader.StopAsync(default);

        Assert.Contains(lines, l => l.StartsWith("Error") && l.Contains("Could not load the scheduled exports into the scheduler"));
    }

    private static readonly BiColumn[] Mixed =
    [
        new("ratio", BiType.Double, "A double."),
        new("day", BiType.Date, "A day."),
        new("note", BiType.Text, "Text."),
    ];

    private static async IAsyncEnumerable<BiRow> MixedRows(int count)
    {
        var row = new BiRow(Mixed);
        for (var i = 0; i < count; i++)
        {
            if (i % 2 == 0)
            {
                row.SetDouble(0, i + 0.25);
                row.SetTime(1, new DateTime(2026, 11, 2, 0, 0, 0, DateTimeKind.Utc).AddDays(i % 5));
                row.SetText(2, i == 0 ? "  padded " : "n" + i);
            }
            else
            {
                row.SetNull(0);
                row.SetNull(1);
                row.SetText(2, null);
            }
            yield return row;
        }
        await Task.CompletedTask;
    }

    [Fact]
    public async Task Parquet_WritesDoublesAndDays_NullsKept()
    {
        using var stream = new MemoryStream();
        Assert.Equal(4, await BiWriter.WriteAsync(stream, BiFormat.Parquet, Mixed, MixedRows(4), new BiWriteOptions(), null, default));

        stream.Position = 0;
        await using var reader = await ParquetReader.CreateAsync(stream);
        using var group = reader.OpenRowGroupReader(0);
        var fields = reader.Schema.GetDataFields();
        var ratio = new double?[4];
        var day = new DateTime?[4];
        await group.ReadAsync(fields[0], new Memory<double?>(ratio), null, default);
        await group.ReadAsync(fields[1], new Memory<DateTime?>(day), null, default);
        Assert.Equal([0.25, null, 2.25, null], ratio);
        Assert.Equal([new DateTime(2026, 11, 2), null, new DateTime(2026, 11, 4), null], day.Select(d => d?.Date));
    }

    [Fact]
    public async Task Xlsx_KeepsEdgeSpaces_AndReportsProgressEveryTenThousandRows()
    {
        using var stream = new MemoryStream();
        var reports = new ConcurrentQueue<long>();
        var progress = new SyncProgress(reports);

        Assert.Equal(10_001, await BiWriter.WriteAsync(stream, BiFormat.Xlsx, Mixed, MixedRows(10_001), new BiWriteOptions(), progress, default));

        Assert.Contains(10_000L, reports);
        stream.Position = 0;
        using var zip = new ZipArchive(stream, ZipArchiveMode.Read);
        var sheet = zip.Entries.Single(e => e.FullName == "xl/worksheets/sheet1.xml");
        using var text = new StreamReader(sheet.Open());
        var xml = await text.ReadToEndAsync();
        Assert.Contains("<t xml:space=\"preserve\">  padded </t>", xml);
        Assert.Contains("<t>n2</t>", xml);
    }

    private sealed class SyncProgress(ConcurrentQueue<long> reports) : IProgress<long>
    {
        public void Report(long value) => reports.Enqueue(value);
    }

    [Fact]
    public async Task AnUnknownFormatOrColumnType_IsRefused()
    {
        using var stream = new MemoryStream();
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => BiWriter.WriteAsync(stream, (BiFormat)99, Mixed, MixedRows(1), new BiWriteOptions(), null, default));
        BiColumn[] odd = [new("odd", (BiType)99, "A type this version does not know.")];
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => BiWriter.WriteAsync(stream, BiFormat.Parquet, odd, AsyncEnumerable.Empty<BiRow>(), new BiWriteOptions(), null, default));
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task ADepartmentList_LimitsTheRows_AnEmptyListShowsNone(DatabaseProvider provider)
    {
        await using var world = await BiWorld.CreateAsync(provider, clients: 30);
        var ds = BiDatasets.Find("messages")!;
        Assert.False(string.IsNullOrWhiteSpace(ds.Description));

        async Task<int> CountAsync(BiFilter filter)
        {
            var n = 0;
            await foreach (var _ in world.Reader.ReadRowsAsync(ds, filter, false)) n++;
            return n;
        }

        var all = await CountAsync(new BiFilter());
        Assert.True(all > 0);
        Assert.Equal(all, await CountAsync(new BiFilter { Departments = [world.DepartmentId] }));
        Assert.Equal(0, await CountAsync(new BiFilter { Departments = [world.DepartmentId + 1000] }));
        Assert.Equal(0, await CountAsync(new BiFilter { Departments = [] }));
    }

    [Fact]
    public async Task TwoNodesStoringThePseudonymKey_TheLoserUsesTheWinnersKey()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Postgres);
        var protection = new EphemeralDataProtectionProvider();
        var winnerKey = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
        var protectedKey = protection.CreateProtector("Portal.Bi.PseudonymKey").Protect(Convert.ToBase64String(winnerKey));
        // The other node's INSERT, not yet committed: this node's INSERT waits on the unique name, then fails.
        await using var other = new NpgsqlConnection(database.ConnectionString);
        await other.OpenAsync();
        await using var tx = await other.BeginTransactionAsync();
        await using (var insert = new NpgsqlCommand("""INSERT INTO "BiSecrets" ("Name", "ProtectedValue") VALUES ('pseudonym-key', @v)""", other, tx))
        {
            insert.Parameters.AddWithValue("v", protectedKey);
            await insert.ExecuteNonQueryAsync();
        }
        var store = new BiKeyStore(database.Factory, protection, Microsoft.Extensions.Options.Options.Create(new BiOptions()));

        var loading = store.GetAsync(default);
        await WaitForLockWaitAsync(database.ConnectionString);
        Assert.False(loading.IsCompleted);
        await tx.CommitAsync();
        var pseudonym = await loading.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(new ClientPseudonym(winnerKey).Of(42), pseudonym.Of(42));
        await using var db = database.CreateContext();
        Assert.Equal(protectedKey, (await db.BiSecrets.SingleAsync()).ProtectedValue);
    }

    internal static async Task WaitForLockWaitAsync(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database;
        await using var probe = new NpgsqlConnection(connectionString);
        await probe.OpenAsync();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            await using var command = new NpgsqlCommand("SELECT COUNT(*) FROM pg_stat_activity WHERE datname = @db AND wait_event_type = 'Lock'", probe);
            command.Parameters.AddWithValue("db", name!);
            if ((long)(await command.ExecuteScalarAsync())! > 0) return;
            await Task.Delay(20);
        }
        Assert.Fail("the insert never waited on the other node's row");
    }
}
