using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Portal.Domain.Clients;
using Portal.Domain.Imports;
using Portal.Infrastructure.Importing;
using Portal.Infrastructure.Persistence;
using Portal.Tests.Infrastructure.Sending;
using Portal.Tests.Support;

namespace Portal.Tests.Infrastructure.Importing;

/// <summary>
/// Issue 21: import paths the other tests do not take: an external id that belongs to a client with
/// another phone, yes/no attributes staged on both databases, progress every 10,000 rows and a
/// second import on the same PostgreSQL session, a run cancelled from the page, and a run whose
/// database refuses to start the job (the runner logs the crash and still deletes the file).
/// </summary>
public sealed class ImportingEdgeTests
{
    private static readonly DateTime At = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private static ClientImporter Importer(TestDatabase database) => new(database.Factory, TimeProvider.System, NullLogger<ClientImporter>.Instance);

    private static async Task<string> FileAsync(string text)
    {
        var path = Path.GetTempFileName();
        await File.WriteAllTextAsync(path, text, new UTF8Encoding(false));
        return path;
    }

    private static string Phones(int rows)
    {
        var text = new StringBuilder("phone\n");
        for (var i = 0; i < rows; i++) text.Append("+7916").Append(i.ToString("D7", CultureInfo.InvariantCulture)).Append('\n');
        return text.ToString();
    }

    /// <summary>Reports as they happen, on the importer's thread (<see cref="Progress{T}"/> would post them later).</summary>
    private sealed class Reports : IProgress<ImportProgress>
    {
        public ConcurrentQueue<ImportProgress> Seen { get; } = new();
        public void Report(ImportProgress value) => Seen.Enqueue(value);
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task AnExternalIdOfAClientWithAnotherPhone_IsARowError_AndYesNoAttributesAreStored(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using (var db = database.CreateContext())
        {
            db.Clients.Add(new Client(PhoneNumber.Parse("+79160000001"), "Owner", null, At) { ExternalId = "X1" });
            db.AttributeDefinitions.Add(new AttributeDefinition("vip", AttributeType.Boolean, "VIP"));
            await db.SaveChangesAsync();
        }
        var path = await FileAsync("phone,external_id,vip\n+79160000003,X1,да\n+79160000004,Y2,нет\n+79160000005,Y3,1\n");
        var importer = Importer(database);
        var request = new ImportRequest(path, "clients.csv", [ClientField.Phone, ClientField.ExternalId, null], ImportMode.ValidRowsOnly, ImportMatch.Phone, "tester")
        {
            AttributeColumns = new Dictionary<int, string> { [2] = "vip" },
        };

        var job = await importer.RunAsync(await importer.CreateJobAsync(request, default), request, null, default);
        File.Delete(path);

        Assert.Equal((ImportStatus.Completed, 3, 2, 1), (job.Status, job.TotalRows, job.Inserted, job.Rejected));
        await using var read = database.CreateContext();
        var error = await read.ImportRowErrors.SingleAsync(e => e.ImportJobId == job.Id);
        Assert.Equal((2, "This external id already belongs to a client with another phone."), (error.Row, error.Reason));
        var vip = await (from a in read.ClientAttributes
                         join c in read.Clients on a.ClientId equals c.Id
                         orderby c.ExternalId
                         select new { c.ExternalId, a.Boolean }).ToListAsync();
        Assert.Equal([("Y2", (bool?)false), ("Y3", true)], vip.Select(v => (v.ExternalId!, v.Boolean)));
    }

    [Fact]
    public async Task ALargeFile_ReportsProgressEvery10000Rows_AndASecondImportOnTheSameSessionStillRuns()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Postgres);
        var importer = Importer(database);
        var path = await FileAsync(Phones(10_000));
        var request = new ImportRequest(path, "clients.csv", [ClientField.Phone], ImportMode.ValidRowsOnly, ImportMatch.Phone, "tester");
        var reports = new Reports();

        var first = await importer.RunAsync(await importer.CreateJobAsync(request, default), request, reports, default);
        // The pooled session has used temp tables now: raising temp_buffers is refused, and the import runs anyway.
        var again = await importer.RunAsync(await importer.CreateJobAsync(request, default), request, null, default);
        File.Delete(path);

        Assert.Equal((ImportStatus.Completed, 10_000), (first.Status, first.Inserted));
        Assert.Contains(reports.Seen, p => p.Phase == ImportPhase.Reading && p.RowsRead == 10_000);
        Assert.Equal(ImportPhase.Done, reports.Seen.Last().Phase);
        Assert.Equal((ImportStatus.Completed, 0, 0, 10_000), (again.Status, again.Inserted, again.Rejected, again.TotalRows));
    }

    [Fact]
    public async Task ARunCancelledFromThePage_AppliesNothing_AndDeletesTheFile()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Postgres);
        var runner = new ImportRunner(Importer(database), NullLogger<ImportRunner>.Instance);
        var path = await FileAsync(Phones(30_000));

        var run = await runner.StartAsync(new ImportRequest(path, "clients.csv", [ClientField.Phone], ImportMode.ValidRowsOnly, ImportMatch.Phone, "tester"), default);
        runner.Cancel(run.JobId);
        await run.Completion.WaitAsync(Patience);

        Assert.Equal(ImportStatus.Cancelled, run.Result!.Status);
        Assert.False(File.Exists(path));
        await using var read = database.CreateContext();
        Assert.False(await read.Clients.AnyAsync());
        Assert.Equal(ImportStatus.Cancelled, (await read.ImportJobs.SingleAsync()).Status);
    }

    [Fact]
    public async Task ARunWhoseJobCannotStart_IsLoggedAsACrash_AndTheFileIsStillDeleted()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        // The job row can be created but never changed (a database gone read-only for that table).
        await using (var connection = new SqliteConnection(database.ConnectionString))
        {
            await connection.OpenAsync();
            await using var trigger = connection.CreateCommand();
            trigger.CommandText = """CREATE TRIGGER no_job_updates BEFORE UPDATE ON "ImportJobs" BEGIN SELECT RAISE(ABORT, 'read-only'); END;""";
            await trigger.ExecuteNonQueryAsync();
        }
        var lines = new ConcurrentQueue<string>();
        using var logs = new LoggerFactory([new CapturingLoggerProvider(lines)]);
        var runner = new ImportRunner(Importer(database), logs.CreateLogger<ImportRunner>());
        var path = await FileAsync(Phones(3));

        var run = await runner.StartAsync(new ImportRequest(path, "clients.csv", [ClientField.Phone], ImportMode.ValidRowsOnly, ImportMatch.Phone, "tester"), default);
        await run.Completion.WaitAsync(Patience);

        Assert.Null(run.Result);
        Assert.Contains(lines, l => l.StartsWith("Error") && l.Contains($"Import {run.JobId} crashed"));
        Assert.False(File.Exists(path));
        await using var read = database.CreateContext();
        Assert.False(await read.Clients.AnyAsync());
    }

    [Fact]
    public async Task AQuoteNeverClosedOnTheLastLine_WithoutALineBreak_IsABadRow_TheRowsBeforeItAreRead()
    {
        var path = await FileAsync("phone,note\n+79161111111,ok\n\n+79162222222,\"never closed");
        try
        {
            using var file = TabularFile.Open(path, "clients.csv");
            Assert.Equal(["+79161111111"], file.Rows().Select(r => r[0]));
            var (row, reason) = Assert.Single(file.BadRows);
            Assert.Equal(4, row);
            Assert.StartsWith("A quote opened in this row is never closed", reason);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
