using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Portal.Domain.Clients;
using Portal.Domain.Imports;
using Portal.Infrastructure.Importing;
using Portal.Infrastructure.Persistence;
using Portal.Tests.Support;

namespace Portal.Tests.Infrastructure.Importing;

/// <summary>
/// Issue 21 (coverage): imports refused as a whole before any row is applied, each with the
/// sentence the import page shows: a file whose columns changed since it was mapped, a mapping
/// without the column rows are matched by, an attribute mapped twice.
/// </summary>
public class ClientImporterRefusalTests
{
    private static async Task<ImportJob> RunAsync(TestDatabase database, string csv, IReadOnlyList<ClientField?> mapping, ImportMatch match,
        IReadOnlyDictionary<int, string>? attributes = null)
    {
        var path = Path.GetTempFileName();
        await File.WriteAllTextAsync(path, csv, new UTF8Encoding(false));
        try
        {
            var importer = new ClientImporter(database.Factory, TimeProvider.System, NullLogger<ClientImporter>.Instance);
            var request = new ImportRequest(path, "clients.csv", mapping, ImportMode.ValidRowsOnly, match, "tester")
            {
                AttributeColumns = attributes ?? new Dictionary<int, string>(),
            };
            return await importer.RunAsync(await importer.CreateJobAsync(request, default), request, null, default);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static async Task AssertFailedAsync(TestDatabase database, ImportJob job, string error)
    {
        Assert.Equal((ImportStatus.Failed, error, 0, 0), (job.Status, job.Error, job.Inserted, job.Updated));
        await using var db = database.CreateContext();
        Assert.False(await db.Clients.AnyAsync());
        Assert.Equal(ImportStatus.Failed, (await db.ImportJobs.SingleAsync(j => j.Id == job.Id)).Status);
    }

    [Fact]
    public async Task AFileWhoseColumnsChangedSinceTheMapping_IsRefused()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        var job = await RunAsync(database, "external_id,phone,city\nC1,+79161111111,Москва\n", [ClientField.ExternalId, ClientField.Phone], ImportMatch.ExternalId);
        await AssertFailedAsync(database, job, "The file's columns changed since the mapping was made: upload it again.");
    }

    [Fact]
    public async Task AMappingWithoutTheMatchColumn_IsRefused()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        const string Csv = "phone,city\n+79161111111,Москва\n";
        await AssertFailedAsync(database, await RunAsync(database, Csv, [ClientField.Phone, ClientField.City], ImportMatch.ExternalId),
            "Map a column to Phone and one to External id: rows are matched by external id.");
        await AssertFailedAsync(database, await RunAsync(database, Csv, [null, ClientField.City], ImportMatch.Phone),
            "Map a column to Phone: rows are matched by phone.");
    }

    [Fact]
    public async Task AnAttributeMappedToTwoColumns_IsRefused()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using (var db = database.CreateContext())
        {
            db.AttributeDefinitions.Add(new AttributeDefinition("tariff", AttributeType.Text, "Tariff"));
            await db.SaveChangesAsync();
        }
        var job = await RunAsync(database, "phone,plan,plan2\n+79161111111,A,B\n", [ClientField.Phone, null, null], ImportMatch.Phone,
            new Dictionary<int, string> { [1] = "tariff", [2] = "Tariff" });
        await AssertFailedAsync(database, job, "The attribute 'tariff' is mapped to two columns.");
    }
}
