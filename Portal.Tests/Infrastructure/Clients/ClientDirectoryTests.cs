using Portal.Infrastructure.Clients;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Seeding;
using Portal.Tests.Support;

namespace Portal.Tests.Infrastructure.Clients;

public class ClientDirectoryTests
{
    private static readonly DateTime Reference = new(2026, 11, 25, 0, 0, 0, DateTimeKind.Utc);

    public static TheoryData<DatabaseProvider> Providers => [DatabaseProvider.Sqlite, DatabaseProvider.Postgres];

    private static async Task<TestDatabase> SeededAsync(DatabaseProvider provider, int count = 2000)
    {
        var database = await TestDatabase.CreateAsync(provider);
        await using var db = database.CreateContext();
        await DemoClientWriter.WriteAsync(db, DemoClientGenerator.Generate(0, count, Reference), null, default);
        return database;
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Search_FindsByPhoneInAnyFormat_ByExternalId_AndByLastNamePrefix(DatabaseProvider provider)
    {
        await using var database = await SeededAsync(provider);
        var directory = new ClientDirectory(database.Factory, TimeProvider.System);
        var target = DemoClientGenerator.Create(1234, Reference);
        var national = "8" + target.Phone[2..];

        foreach (var search in new[] { target.Phone, national, target.Phone[2..], $"+7 ({target.Phone[2..5]}) {target.Phone[5..]}" })
        {
            var page = await directory.PageAsync(search, ClientSort.Id, false, 0, 25, true, default);
            Assert.Equal(target.ExternalId, Assert.Single(page.Rows).ExternalId);
        }
        var byId = await directory.PageAsync(target.ExternalId, ClientSort.Id, false, 0, 25, true, default);
        Assert.Equal(target.Phone, Assert.Single(byId.Rows).Phone);

        var prefix = target.LastName[..3].ToLowerInvariant();
        var byName = await directory.PageAsync(prefix, ClientSort.LastName, false, 0, 500, true, default);
        Assert.Contains(byName.Rows, r => r.ExternalId == target.ExternalId);
        Assert.All(byName.Rows, r => Assert.StartsWith(target.LastName[..3], r.Name));
        Assert.Equal(byName.Total, byName.Rows.Count);
    }

    [Fact]
    public async Task Page_MasksPersonalData_ForRolesWithoutThePermission()
    {
        await using var database = await SeededAsync(DatabaseProvider.Sqlite, 100);
        var directory = new ClientDirectory(database.Factory, TimeProvider.System);
        var masked = await directory.PageAsync(null, ClientSort.Id, false, 0, 10, seesPersonalData: false, default);
        var clear = await directory.PageAsync(null, ClientSort.Id, false, 0, 10, seesPersonalData: true, default);
        Assert.Equal(100, masked.Total);
        foreach (var (m, c) in masked.Rows.Zip(clear.Rows))
        {
            Assert.Contains("*****", m.Phone);
            Assert.Equal(c.Phone[^2..], m.Phone[^2..]);
            Assert.DoesNotContain(c.Name.Split(' ')[0], m.Name);
            Assert.Equal(c.Name[0], m.Name[0]);
        }
    }

    [Fact]
    public async Task Page_SortsAndPagesOnTheServer()
    {
        await using var database = await SeededAsync(DatabaseProvider.Postgres, 300);
        var directory = new ClientDirectory(database.Factory, TimeProvider.System);
        var first = await directory.PageAsync(null, ClientSort.TotalSpend, true, 0, 50, true, default);
        var second = await directory.PageAsync(null, ClientSort.TotalSpend, true, 1, 50, true, default);
        Assert.Equal(50, first.Rows.Count);
        Assert.True(first.Rows[^1].TotalSpend >= second.Rows[0].TotalSpend);
        Assert.Empty(first.Rows.Select(r => r.Id).Intersect(second.Rows.Select(r => r.Id)));
    }
}
