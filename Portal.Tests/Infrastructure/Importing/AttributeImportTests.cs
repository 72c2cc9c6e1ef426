using System.Security.Claims;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Portal.Domain.Access;
using Portal.Domain.Clients;
using Portal.Domain.Imports;
using Portal.Infrastructure.Audit;
using Portal.Infrastructure.Importing;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Templates;
using Portal.Tests.Support;

namespace Portal.Tests.Infrastructure.Importing;

/// <summary>Issue 20, item 13: a file's extra columns mapped to typed custom attributes reach templates.</summary>
public class AttributeImportTests
{
    public static TheoryData<DatabaseProvider> Providers => [DatabaseProvider.Sqlite, DatabaseProvider.Postgres];

    private const string Header = "external_id,phone,first_name,contract_no,manager,signed";

    private static async Task<(ImportJob Job, List<ImportRowError> Errors)> ImportAsync(TestDatabase db, string csv, ImportMode mode = ImportMode.ValidRowsOnly)
    {
        var path = Path.GetTempFileName();
        await File.WriteAllTextAsync(path, csv, new UTF8Encoding(false));
        try
        {
            // As the mapping step sends it: built-in fields by header, the three extra columns to attributes.
            IReadOnlyList<ClientField?> mapping = [ClientField.ExternalId, ClientField.Phone, ClientField.FirstName, null, null, null];
            var importer = new ClientImporter(db.Factory, TimeProvider.System, NullLogger<ClientImporter>.Instance);
            var request = new ImportRequest(path, "crm.csv", mapping, mode, ImportMatch.ExternalId, "tester")
            {
                AttributeColumns = new Dictionary<int, string> { [3] = "contract_no", [4] = "Manager", [5] = "signed" },
            };
            var jobId = await importer.CreateJobAsync(request, default);
            var job = await importer.RunAsync(jobId, request, null, default);
            await using var read = db.CreateContext();
            return (job, await read.ImportRowErrors.Where(e => e.ImportJobId == jobId).OrderBy(e => e.Row).ToListAsync());
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static async Task DefineAsync(TestDatabase database)
    {
        await using var db = database.CreateContext();
        db.AttributeDefinitions.AddRange(new AttributeDefinition("contract_no", AttributeType.Number, "Contract number"),
            new AttributeDefinition("manager", AttributeType.Text, "Manager"), new AttributeDefinition("signed", AttributeType.Date, "Signed"));
        await db.SaveChangesAsync();
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task CustomColumns_AreImportedAsTypedAttributes_UsableInATemplate_AndABadValueIsARowError(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await DefineAsync(database);

        var (job, errors) = await ImportAsync(database, string.Join("\n",
            Header,
            "C1,+79161112233,Анна,1017,Иванов И.,2026-03-01",
            "C2,+79261112233,Иван,ABC,Петров П.,",
            "C3,+79031112233,Олег,20 500,,01.02.2025") + "\n");

        Assert.Equal(ImportStatus.Completed, job.Status);
        Assert.Equal((3, 2, 0, 1), (job.TotalRows, job.Inserted, job.Updated, job.Rejected));
        var error = Assert.Single(errors);
        Assert.Equal((3, "contract_no"), (error.Row, error.Column));
        Assert.Contains("not a number", error.Reason);

        long anna;
        await using (var read = database.CreateContext())
        {
            Assert.False(await read.Clients.AnyAsync(c => c.ExternalId == "C2"));
            anna = await read.Clients.Where(c => c.ExternalId == "C1").Select(c => c.Id).SingleAsync();
            var values = await (from a in read.ClientAttributes
                                join d in read.AttributeDefinitions on a.DefinitionId equals d.Id
                                join c in read.Clients on a.ClientId equals c.Id
                                select new { c.ExternalId, d.Key, a.Text, a.Number, a.Date }).ToListAsync();
            Assert.Equal(5, values.Count);
            Assert.Contains(values, v => v is { ExternalId: "C1", Key: "contract_no", Number: 1017m });
            Assert.Contains(values, v => v is { ExternalId: "C1", Key: "manager", Text: "Иванов И." });
            Assert.Contains(values, v => v.ExternalId == "C1" && v.Key == "signed" && v.Date == new DateTime(2026, 3, 1, 0, 0, 0, DateTimeKind.Utc));
            Assert.Contains(values, v => v is { ExternalId: "C3", Key: "contract_no", Number: 20500m });
            Assert.Contains(values, v => v.ExternalId == "C3" && v.Key == "signed" && v.Date == new DateTime(2025, 2, 1, 0, 0, 0, DateTimeKind.Utc));
        }

        var clock = TimeProvider.System;
        var preview = new TemplatePreview(database.Factory, new AuditLog(database.Factory, clock), new Portal.Infrastructure.Providers.RouteQuote(database.Factory, clock), clock);
        var template = new Portal.Domain.Templates.TemplateEngine().Compile("{{ client.first_name }}, договор {{ attr.contract_no }}, менеджер {{ attr.manager }}");
        var manager = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, "m@portal.local"), new Claim(ClaimTypes.NameIdentifier, "u1"),
            new Claim(ClaimTypes.Role, Roles.CampaignManager)], "test"));
        var rendered = await preview.RenderAsync(template, anna, manager, default);
        Assert.Equal("Анна, договор 1017, менеджер Иванов И.", rendered.Sms!.Value.Text);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task ReImport_CountsAnAttributeOnlyChangeAsAnUpdate_AndUnchangedRowsAsUnchanged(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await DefineAsync(database);
        await ImportAsync(database, $"{Header}\nC1,+79161112233,Анна,1017,Иванов И.,2026-03-01\nC2,+79261112233,Иван,5,Петров П.,\n");

        var (job, errors) = await ImportAsync(database, $"{Header}\nC1,+79161112233,Анна,1017,Сидоров С.,2026-03-01\nC2,+79261112233,Иван,5,Петров П.,\n");

        Assert.Empty(errors);
        Assert.Equal((2, 0, 1, 0), (job.TotalRows, job.Inserted, job.Updated, job.Rejected));
        await using var read = database.CreateContext();
        Assert.Equal(1, await read.ClientAttributes.CountAsync(a => a.Text == "Сидоров С."));
        Assert.Equal(0, await read.ClientAttributes.CountAsync(a => a.Text == "Иванов И."));
    }

    [Fact]
    public async Task AnUnknownAttribute_FailsTheImportInWords_BeforeAnyRowIsApplied()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        var (job, _) = await ImportAsync(database, $"{Header}\nC1,+79161112233,Анна,1017,Иванов И.,2026-03-01\n");

        Assert.Equal(ImportStatus.Failed, job.Status);
        Assert.Contains("no custom attribute 'contract_no'", job.Error);
        await using var read = database.CreateContext();
        Assert.False(await read.Clients.AnyAsync());
    }

    [Theory]
    [InlineData(AttributeType.Number, "12,5", null)]
    [InlineData(AttributeType.Number, "twelve", "'twelve' is not a number.")]
    [InlineData(AttributeType.Boolean, "да", null)]
    [InlineData(AttributeType.Boolean, "maybe", "'maybe' is not yes/no.")]
    [InlineData(AttributeType.Date, "31.02.2026", "'31.02.2026' is not a date (YYYY-MM-DD, DD.MM.YYYY or ISO 8601).")]
    public void ParseCell_AppliesTheAttributeTypesRules(AttributeType type, string cell, string? error) =>
        Assert.Equal(error, AttributeValues.ParseCell(type, cell, out _));
}
