using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Portal.Domain.Access;
using Portal.Domain.Clients;
using Portal.Domain.Common;
using Portal.Infrastructure.Audit;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Templates;

namespace Portal.Tests.Infrastructure.Sync;

/// <summary>Issue 20: a client sync source maps a column to a typed custom attribute, as the file import does.</summary>
public class SyncAttributeTests
{
    public static TheoryData<DatabaseProvider> Providers => [DatabaseProvider.Sqlite, DatabaseProvider.Postgres];

    private const string Query = """
        SELECT id, msisdn, first_name, contract, updated_at FROM crm_clients
        WHERE updated_at > COALESCE(@watermark::timestamptz, '-infinity') ORDER BY updated_at
        """;

    private static readonly (string, string)[] Mapping =
        [("id", "ExternalId"), ("msisdn", "Phone"), ("first_name", "FirstName"), ("contract", "attr:contract_no")];

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task AColumnMappedToATypedAttribute_IsStored_ABadValueRejectsItsRow_AndTheOthersApply(DatabaseProvider provider)
    {
        await using var sync = await SyncHarness.CreateAsync(provider);
        await using (var db = sync.Portal.CreateContext())
        {
            db.AttributeDefinitions.Add(new AttributeDefinition("contract_no", AttributeType.Number, "Contract number"));
            await db.SaveChangesAsync();
        }
        await using var source = await SourceDatabase.CreateAsync();
        await source.ExecAsync("""
            CREATE TABLE crm_clients (id text PRIMARY KEY, msisdn text, first_name text, contract text, updated_at timestamptz NOT NULL);
            INSERT INTO crm_clients VALUES ('S1', '+79161112233', 'Анна', '1017', '2026-11-20 10:00:00+00'),
                                           ('S2', '+79261112233', 'Иван', 'ABC', '2026-11-20 10:10:00+00'),
                                           ('S3', '+79031112233', 'Олег', '20 500', '2026-11-20 10:20:00+00');
            """);
        var id = await sync.Catalog.CreateAsync(SyncHarness.Admin,
            PostgresSyncTests.ClientsDraft(source.ConnectionString, Query) with { Mapping = Mapping }, default);
        Assert.Contains(("contract", "attr:contract_no"), (await sync.Catalog.ListAsync(default)).Single().Mapping);

        var run = await sync.Runner.RunAsync(id, default);

        Assert.True(run!.Succeeded, run.Error);
        Assert.Equal((3, 2, 1), (run.RowsRead, run.Upserted, run.Rejected));
        long anna;
        await using (var read = sync.Portal.CreateContext())
        {
            Assert.Equal(["S1", "S3"], await read.Clients.OrderBy(c => c.ExternalId).Select(c => c.ExternalId!).ToListAsync());
            anna = await read.Clients.Where(c => c.ExternalId == "S1").Select(c => c.Id).SingleAsync();
            var values = await (from a in read.ClientAttributes
                                join c in read.Clients on a.ClientId equals c.Id
                                orderby c.ExternalId
                                select new { c.ExternalId, a.Number }).ToListAsync();
            Assert.Equal([("S1", (decimal?)1017m), ("S3", 20500m)], values.Select(v => (v.ExternalId, v.Number)).ToList());
        }

        var clock = TimeProvider.System;
        var preview = new TemplatePreview(sync.Portal.Factory, new AuditLog(sync.Portal.Factory, clock),
            new Portal.Infrastructure.Providers.RouteQuote(sync.Portal.Factory, clock), clock);
        var template = new Portal.Domain.Templates.TemplateEngine().Compile("{{ client.first_name }}, договор {{ attr.contract_no }}");
        var manager = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, "m@portal.local"), new Claim(ClaimTypes.NameIdentifier, "u1"),
            new Claim(ClaimTypes.Role, Roles.CampaignManager)], "test"));
        Assert.Equal("Анна, договор 1017", (await preview.RenderAsync(template, anna, manager, default)).Sms!.Value.Text);
    }

    [Fact]
    public async Task AColumnMappedToAnUndefinedAttribute_IsRefusedAtSave_InWords()
    {
        await using var sync = await SyncHarness.CreateAsync(DatabaseProvider.Sqlite);
        var refused = await Assert.ThrowsAsync<DomainException>(() => sync.Catalog.CreateAsync(SyncHarness.Admin,
            PostgresSyncTests.ClientsDraft("Host=127.0.0.1;Port=1;Database=crm;Username=u;Password=p", Query) with { Mapping = Mapping }, default));
        Assert.Equal("There is no custom attribute '{0}': define it first, or map the column to another field.", refused.Text);
        Assert.Equal("contract_no", Assert.Single(refused.Args));
    }
}
