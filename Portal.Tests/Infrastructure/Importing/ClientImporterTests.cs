using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Portal.Domain.Clients;
using Portal.Domain.Imports;
using Portal.Infrastructure.Importing;
using Portal.Infrastructure.Persistence;
using Portal.Tests.Support;

namespace Portal.Tests.Infrastructure.Importing;

public class ClientImporterTests
{
    public static TheoryData<DatabaseProvider> Providers => [DatabaseProvider.Sqlite, DatabaseProvider.Postgres];

    private const string Header = "external_id,phone,first_name,last_name,birth_date,region,advertising_consent,tags,total_spend";

    private static string Csv(params string[] rows) => string.Join("\n", [Header, .. rows]) + "\n";

    private static async Task<(ImportJob Job, List<ImportRowError> Errors)> ImportAsync(TestDatabase db, string content, ImportMode mode,
        ImportMatch match = ImportMatch.ExternalId, string fileName = "clients.csv", Encoding? encoding = null, CancellationToken ct = default)
    {
        var path = Path.GetTempFileName();
        await File.WriteAllTextAsync(path, content, encoding ?? new UTF8Encoding(false));
        try
        {
            using var file = TabularFile.Open(path, fileName);
            var mapping = file.Headers.Select(ClientFieldHeaders.Guess).ToList();
            var unknown = mapping.Select((m, i) => (m, i)).Where(x => x.m is null).Select(x => x.i).ToHashSet();
            file.Dispose();
            var importer = new ClientImporter(db.Factory, TimeProvider.System, NullLogger<ClientImporter>.Instance);
            var request = new ImportRequest(path, fileName, mapping, mode, match, "tester") { UnknownColumns = unknown };
            var jobId = await importer.CreateJobAsync(request, default);
            var job = await importer.RunAsync(jobId, request, null, ct);
            await using var read = db.CreateContext();
            var errors = await read.ImportRowErrors.Where(e => e.ImportJobId == jobId).OrderBy(e => e.Row).ToListAsync();
            return (job, errors);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task ValidFile_InsertsThenUpdates_KeepingUnmappedFields(DatabaseProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var (job, errors) = await ImportAsync(db, Csv(
            "C1,+7 916 111-22-33,Анна,Петрова,1990-05-01,MOW,да,vip;b2b,1500.50",
            "C2,89261112233,Иван,Сидоров,15.02.1985,Новосибирская область,no,,0",
            "C3,+79031112233,=HYPERLINK(\"x\"),Смирнов,,SPE,,,"), ImportMode.AllOrNothing);
        Assert.Equal(ImportStatus.Completed, job.Status);
        Assert.Empty(errors);
        Assert.Equal((3, 3, 0, 0), (job.TotalRows, job.Inserted, job.Updated, job.Rejected));

        await using (var read = db.CreateContext())
        {
            var anna = await read.Clients.SingleAsync(c => c.ExternalId == "C1");
            Assert.Equal(("+79161112233", "Анна", "MTS", "Europe/Moscow"), (anna.Phone, anna.FirstName, anna.Operator, anna.TimeZone));
            Assert.Equal(new DateOnly(1990, 5, 1), anna.BirthDate);
            Assert.True(anna.AdvertisingConsent.Granted);
            Assert.Equal("import", anna.AdvertisingConsent.Source);
            Assert.Equal(1500.50m, anna.TotalSpend);
            Assert.Equal(["b2b", "vip"], await read.ClientTags.Where(t => t.ClientId == anna.Id).Select(t => t.Tag).OrderBy(t => t).ToListAsync());
            var ivan = await read.Clients.SingleAsync(c => c.ExternalId == "C2");
            Assert.Equal(("NVS", "Asia/Novosibirsk", "MegaFon"), (ivan.RegionCode, ivan.TimeZone, ivan.Operator));
            Assert.Equal("=HYPERLINK(\"x\")", (await read.Clients.SingleAsync(c => c.ExternalId == "C3")).FirstName);
            Assert.Equal(2, await read.ConsentRecords.CountAsync());
        }

        // A partial file updates what it maps and leaves the rest.
        var (again, _) = await ImportAsync(db, "external_id,phone,first_name,advertising_consent\nC1,+79161112233,Анна-Мария,нет\nC4,+79051112233,Олег,\n",
            ImportMode.AllOrNothing);
        Assert.Equal((1, 1), (again.Inserted, again.Updated));
        await using var after = db.CreateContext();
        var updated = await after.Clients.SingleAsync(c => c.ExternalId == "C1");
        Assert.Equal(("Анна-Мария", "Петрова", 1500.50m), (updated.FirstName, updated.LastName, updated.TotalSpend));
        Assert.False(updated.AdvertisingConsent.Granted);
        Assert.Equal(3, await after.ConsentRecords.CountAsync());
        Assert.Equal(4, await after.Clients.CountAsync());

        // The same file again changes nothing, so nothing is rewritten.
        var (same, _) = await ImportAsync(db, "external_id,phone,first_name,advertising_consent\nC1,+79161112233,Анна-Мария,нет\nC4,+79051112233,Олег,\n",
            ImportMode.AllOrNothing);
        Assert.Equal((ImportStatus.Completed, 0, 0, 2), (same.Status, same.Inserted, same.Updated, same.TotalRows));
        Assert.Equal(3, await after.ConsentRecords.CountAsync());
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task BadRows_AllOrNothing_ApplyNothing_AndSayWhy(DatabaseProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var (job, errors) = await ImportAsync(db, Csv(
            "C1,+79161112233,Анна,Петрова,1990-05-01,MOW,1,,",
            "C2,12345,Иван,Сидоров,,MOW,1,,",
            "C3,+79031112233,Олег,Смирнов,31.02.1990,MOW,1,,",
            "C1,+79051112233,Дубль,Дублев,,MOW,1,,",
            "C5,+79161112233,Тот же,Телефон,,MOW,1,,",
            "C6,+79091112233,Регион,Неизвестный,,Марс,1,,"), ImportMode.AllOrNothing);
        Assert.Equal(ImportStatus.Failed, job.Status);
        Assert.Equal((6, 5, 0, 0), (job.TotalRows, job.Rejected, job.Inserted, job.Updated));
        Assert.Contains("nothing was imported", job.Error);
        Assert.Collection(errors,
            e => Assert.Equal((3, "phone"), (e.Row, e.Column)),
            e => Assert.Equal((4, "birth_date"), (e.Row, e.Column)),
            e => Assert.Equal((5, "Duplicate: row 2 has the same external id."), (e.Row, e.Reason)),
            e => Assert.Equal((6, "Duplicate: row 2 has the same phone."), (e.Row, e.Reason)),
            e => Assert.Equal((7, "region"), (e.Row, e.Column)));
        Assert.DoesNotContain(errors, e => e.Reason.Contains("Анна"));
        await using var read = db.CreateContext();
        Assert.Equal(0, await read.Clients.CountAsync());
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task BadRows_ValidRowsOnly_ApplyTheRest(DatabaseProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var (job, errors) = await ImportAsync(db, Csv(
            "C1,+79161112233,Анна,Петрова,,MOW,1,,",
            "C2,not-a-phone,Иван,Сидоров,,MOW,1,,",
            "C3,+79031112233,Олег,Смирнов,,MOW,1,,"), ImportMode.ValidRowsOnly);
        Assert.Equal(ImportStatus.Completed, job.Status);
        Assert.Equal((3, 2, 1), (job.TotalRows, job.Inserted, job.Rejected));
        Assert.Equal(3, Assert.Single(errors).Row);
        await using var read = db.CreateContext();
        Assert.Equal(["C1", "C3"], await read.Clients.OrderBy(c => c.ExternalId).Select(c => c.ExternalId).ToListAsync());
    }

    [Fact]
    public async Task PhoneOfAnotherClient_IsAConflict_NotAnOverwrite()
    {
        await using var db = await TestDatabase.CreateAsync(DatabaseProvider.Postgres);
        await ImportAsync(db, Csv("C1,+79161112233,Анна,Петрова,,MOW,1,,"), ImportMode.AllOrNothing);
        var (job, errors) = await ImportAsync(db, Csv("C2,+79161112233,Иван,Сидоров,,MOW,1,,"), ImportMode.ValidRowsOnly);
        Assert.Equal((0, 1), (job.Inserted, job.Rejected));
        Assert.Equal("This phone already belongs to another client.", Assert.Single(errors).Reason);
        await using var read = db.CreateContext();
        Assert.Equal("Анна", (await read.Clients.SingleAsync()).FirstName);
    }

    [Fact]
    public async Task UnknownColumn_IsReported_AndFailsAnAllOrNothingImport()
    {
        await using var db = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        var csv = "external_id;phone;shoe_size\nC1;+79161112233;42\n";
        var (strict, strictErrors) = await ImportAsync(db, csv, ImportMode.AllOrNothing);
        Assert.Equal(ImportStatus.Failed, strict.Status);
        Assert.Equal((1, "shoe_size"), (strictErrors.Single().Row, strictErrors.Single().Column));

        var (lenient, _) = await ImportAsync(db, csv, ImportMode.ValidRowsOnly);
        Assert.Equal((ImportStatus.Completed, 1), (lenient.Status, lenient.Inserted));
    }

    [Fact]
    public async Task Windows1251Semicolons_AndBrokenQuotes_AreReadOrReported()
    {
        await using var db = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        System.Text.Encoding.RegisterProvider(System.Text.CodePagesEncodingProvider.Instance);
        var (job, _) = await ImportAsync(db, "Код клиента;Телефон;Имя;Фамилия\r\nC1;+79161112233;Анна;\"Петрова; младшая\"\r\n",
            ImportMode.AllOrNothing, encoding: Encoding.GetEncoding(1251));
        Assert.Equal(ImportStatus.Completed, job.Status);
        await using (var read = db.CreateContext())
        {
            Assert.Equal("Петрова; младшая", (await read.Clients.SingleAsync()).LastName);
        }

        var (broken, errors) = await ImportAsync(db, "external_id,phone,first_name\nC2,+79031112233,\"Иван\nC3,+79051112233,Олег\n", ImportMode.AllOrNothing);
        Assert.Equal(ImportStatus.Failed, broken.Status);
        Assert.Contains("never closed", Assert.Single(errors).Reason);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task UnclosedQuote_IsARowErrorWhereItStarts_NoValidRowIsLost_AndTheCountsAddUp(DatabaseProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        // The file: a quote opened on line 3 and never closed, a valid row after it, an all-empty row.
        var content = "external_id,phone,first_name\n" +
            "C1,+79161112233,Анна\n" +
            "C2,+79031112233,\"Иван\n" +
            "C3,+79051112233,Олег\n" +
            ",,\n" +
            "C4,not-a-phone,Пётр\n" +
            "C5,+79261112233,Мария\n";

        var (job, errors) = await ImportAsync(db, content, ImportMode.ValidRowsOnly);

        Assert.Equal(ImportStatus.Completed, job.Status);
        Assert.Equal(5, job.TotalRows); // C1..C5; the empty row is skipped, not counted or rejected
        Assert.Equal(3, job.Inserted);
        Assert.Equal(2, job.Rejected);
        Assert.True(job.TotalRows - job.Inserted - job.Updated - job.Rejected >= 0, "unchanged went negative");
        Assert.Contains(errors, e => e.Row == 3 && e.Reason.Contains("never closed"));
        Assert.Contains(errors, e => e.Row == 6);
        Assert.DoesNotContain(errors, e => e.Row == 5);
        await using var read = db.CreateContext();
        Assert.Equal(["C1", "C3", "C5"], await read.Clients.OrderBy(c => c.ExternalId).Select(c => c.ExternalId!).ToListAsync());
    }

    [Fact]
    public async Task Xlsx_IsImportedLikeCsv()
    {
        await using var db = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        var path = Path.Combine(Path.GetTempPath(), Guid.NewGuid() + ".xlsx");
        MiniExcelLibs.MiniExcel.SaveAs(path, new[]
        {
            new Dictionary<string, object> { ["external_id"] = "X1", ["phone"] = 79161112233d, ["birth_date"] = new DateTime(1991, 3, 4), ["total_spend"] = 12.5 },
        });
        var importer = new ClientImporter(db.Factory, TimeProvider.System, NullLogger<ClientImporter>.Instance);
        using (var file = TabularFile.Open(path, "clients.xlsx"))
        {
            var request = new ImportRequest(path, "clients.xlsx", file.Headers.Select(ClientFieldHeaders.Guess).ToList(), ImportMode.AllOrNothing, ImportMatch.ExternalId, "t");
            file.Dispose();
            var job = await importer.RunAsync(await importer.CreateJobAsync(request, default), request, null, default);
            Assert.Equal((ImportStatus.Completed, 1), (job.Status, job.Inserted));
        }
        File.Delete(path);
        await using var read = db.CreateContext();
        var c = await read.Clients.SingleAsync();
        Assert.Equal(("+79161112233", new DateOnly(1991, 3, 4), 12.5m), (c.Phone, c.BirthDate!.Value, c.TotalSpend));
    }

    [Fact]
    public async Task Cancelled_LeavesNoRows()
    {
        await using var db = await TestDatabase.CreateAsync(DatabaseProvider.Postgres);
        var rows = Enumerable.Range(0, 100_000).Select(i => $"C{i},+7916{i:D7},Имя,Фамилия,,MOW,1,,");
        using var cts = new CancellationTokenSource();
        cts.CancelAfter(TimeSpan.FromMilliseconds(150));
        var (job, _) = await ImportAsync(db, Csv([.. rows]), ImportMode.ValidRowsOnly, ct: cts.Token);
        Assert.Equal(ImportStatus.Cancelled, job.Status);
        await using var read = db.CreateContext();
        Assert.Equal(0, await read.Clients.CountAsync());
    }
}
