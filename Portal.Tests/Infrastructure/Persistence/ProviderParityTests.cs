using Microsoft.EntityFrameworkCore;
using Portal.Domain.Audit;
using Portal.Domain.Campaigns;
using Portal.Domain.Clients;
using Portal.Domain.Departments;
using Portal.Domain.Messages;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Seeding;
using Portal.Tests.Support;

namespace Portal.Tests.Infrastructure.Persistence;

/// <summary>
/// One model, two databases: the migrations of each provider apply and match the model, and the
/// same queries give the same answers on SQLite and PostgreSQL.
/// </summary>
public class ProviderParityTests
{
    private static readonly DateTime Reference = new(2026, 11, 25, 0, 0, 0, DateTimeKind.Utc);

    public static TheoryData<DatabaseProvider> Providers => [DatabaseProvider.Sqlite, DatabaseProvider.Postgres];

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Migrations_ApplyAndMatchTheModel(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var db = database.CreateContext();
        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
        Assert.NotEmpty(await db.Database.GetAppliedMigrationsAsync());
        Assert.False(db.Database.HasPendingModelChanges(), "the model changed without a migration for " + provider);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task BulkWrittenClients_ReadBackThroughEfExactly(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var generated = DemoClientGenerator.Generate(0, 300, Reference).ToList();
        await using (var db = database.CreateContext())
        {
            Assert.Equal(300, await DemoClientWriter.WriteAsync(db, generated, null, CancellationToken.None));
        }
        await using var read = database.CreateContext();
        var clients = await read.Clients.AsNoTracking().OrderBy(c => c.ExternalId).ToListAsync();
        Assert.Equal(300, clients.Count);
        foreach (var (g, c) in generated.Zip(clients))
        {
            Assert.Equal(g.ExternalId, c.ExternalId);
            Assert.Equal(g.Phone, c.Phone);
            Assert.Equal((g.FirstName, g.MiddleName, g.LastName, g.Gender), (c.FirstName, c.MiddleName, c.LastName, c.Gender));
            Assert.Equal(g.BirthDate, c.BirthDate);
            Assert.Equal((g.RegionCode, g.City, g.TimeZone, g.Language), (c.RegionCode, c.City, c.TimeZone, c.Language));
            Assert.Equal(g.Status, c.Status);
            Assert.Equal(g.RegisteredAt, c.RegisteredAt, TimeSpan.FromMilliseconds(1));
            Assert.Equal(DateTimeKind.Utc, c.RegisteredAt.Kind);
            Assert.Equal(g.TotalSpend, c.TotalSpend);
            Assert.Equal(g.Balance, c.Balance);
            Assert.Equal(g.PurchaseCount, c.PurchaseCount);
            Assert.Equal(g.LastPurchaseAt.HasValue, c.LastPurchaseAt.HasValue);
            Assert.Equal(g.AdvertisingConsent, c.AdvertisingConsent.Granted);
            Assert.Equal("demo-seed", c.AdvertisingConsent.Source);
            Assert.Equal(g.OptedOutAt.HasValue, c.OptedOutAt.HasValue);
            Assert.Equal((g.Tariff, g.Operator), (c.Tariff, c.Operator));
            Assert.Equal(MobileOperators.Of(c.Phone), c.Operator);
        }
    }

    [Fact]
    public async Task SameQueries_GiveSameAnswers_OnSqliteAndPostgres()
    {
        await using var sqlite = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using var postgres = await TestDatabase.CreateAsync(DatabaseProvider.Postgres);
        var answers = new List<string>();
        foreach (var database in new[] { sqlite, postgres })
        {
            await using (var db = database.CreateContext())
            {
                await DemoClientWriter.WriteAsync(db, DemoClientGenerator.Generate(0, 3000, Reference), null, CancellationToken.None);
            }
            await using var q = database.CreateContext();
            var byRegion = await q.Clients.GroupBy(c => c.RegionCode).Select(g => new { g.Key, Count = g.Count() })
                .OrderBy(g => g.Key).ToListAsync();
            var reachable = await q.Clients.CountAsync(c => c.Status == ClientStatus.Active && c.OptedOutAt == null && c.AdvertisingConsent.Granted);
            var bornBefore1980 = await q.Clients.CountAsync(c => c.BirthDate < new DateOnly(1980, 1, 1));
            var recentBuyers = await q.Clients.CountAsync(c => c.LastPurchaseAt >= Reference.AddDays(-30));
            var bigSpenders = await q.Clients.Where(c => c.TotalSpend > 50_000m).OrderByDescending(c => c.TotalSpend)
                .ThenBy(c => c.Id).Take(5).Select(c => c.ExternalId).ToListAsync();
            var spend = await q.Clients.SumAsync(c => c.TotalSpend);
            var mts916 = await q.Clients.CountAsync(c => c.Phone.StartsWith("+7916"));
            var gold = await q.Clients.CountAsync(c => c.LoyaltyTier >= LoyaltyTier.Gold);
            answers.Add(System.Text.Json.JsonSerializer.Serialize(new
            {
                byRegion, reachable, bornBefore1980, recentBuyers, bigSpenders, spend = Math.Round(spend, 0), mts916, gold,
            }));
        }
        Assert.Equal(answers[0], answers[1]);
        Assert.Contains("\"reachable\":", answers[0]);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task DomainAggregates_RoundTrip(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        int campaignId;
        long clientId;
        await using (var db = database.CreateContext())
        {
            var department = new Department("Маркетинг");
            db.Departments.Add(department);
            var client = new Client(PhoneNumber.Parse("+79161234567"), "Анна", "Петрова", Reference) { ExternalId = "CRM-1", TotalSpend = 1234.56m };
            db.Clients.Add(client);
            await db.SaveChangesAsync();
            db.ConsentRecords.Add(client.SetConsent(ConsentPurpose.Advertising, true, Reference, "crm", "form 7"));
            var campaign = new Campaign("Осень", department.Id, MessagePurpose.Advertising, "u", Reference);
            db.Campaigns.Add(campaign);
            db.AuditEntries.Add(new AuditEntry(Reference, "u1", "admin@portal.local", AuditActions.UserCreated, "User", "u2"));
            await db.SaveChangesAsync();
            db.Messages.Add(new Message(campaign.Id, client.Id, client.Phone, Reference) { Status = MessageStatus.Delivered, Parts = 2, Cost = 1.9m });
            await db.SaveChangesAsync();
            (campaignId, clientId) = (campaign.Id, client.Id);
        }
        await using var read = database.CreateContext();
        var c = await read.Clients.SingleAsync(x => x.Id == clientId);
        Assert.True(c.AdvertisingConsent.Granted);
        Assert.Equal("form 7", c.AdvertisingConsent.Evidence);
        Assert.Equal(1234.56m, c.TotalSpend);
        Assert.Equal(1, await read.ConsentRecords.CountAsync(r => r.ClientId == clientId && r.Granted));
        var m = await read.Messages.SingleAsync(x => x.CampaignId == campaignId);
        Assert.Equal((MessageStatus.Delivered, 2, 1.9m), (m.Status, m.Parts, m.Cost));
        Assert.Equal(CampaignStatus.Draft, (await read.Campaigns.SingleAsync()).Status);
        Assert.Equal(AuditActions.UserCreated, (await read.AuditEntries.SingleAsync()).Action);
    }
}
