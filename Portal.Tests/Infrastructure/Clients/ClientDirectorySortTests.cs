using Microsoft.EntityFrameworkCore;
using Portal.Infrastructure.Clients;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Seeding;
using Portal.Tests.Support;

namespace Portal.Tests.Infrastructure.Clients;

/// <summary>Issue 21 (coverage): every sort of the clients grid, both ways, ties broken by id as the grid pages them.</summary>
public class ClientDirectorySortTests
{
    private static readonly DateTime Reference = new(2026, 11, 25, 0, 0, 0, DateTimeKind.Utc);

    [Theory]
    [InlineData(ClientSort.Id, false)]
    [InlineData(ClientSort.Id, true)]
    [InlineData(ClientSort.LastName, false)]
    [InlineData(ClientSort.LastName, true)]
    [InlineData(ClientSort.TotalSpend, false)]
    [InlineData(ClientSort.TotalSpend, true)]
    [InlineData(ClientSort.LastPurchaseAt, false)]
    [InlineData(ClientSort.LastPurchaseAt, true)]
    [InlineData(ClientSort.RegisteredAt, false)]
    [InlineData(ClientSort.RegisteredAt, true)]
    public async Task Page_IsInTheChosenOrder_TiesByIdInTheSameDirection(ClientSort sort, bool descending)
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using (var seed = database.CreateContext())
        {
            await DemoClientWriter.WriteAsync(seed, DemoClientGenerator.Generate(0, 80, Reference), null, default);
        }
        await using var db = database.CreateContext();
        var clients = await db.Clients.AsNoTracking().ToListAsync();
        IEnumerable<Portal.Domain.Clients.Client> ordered = (sort, descending) switch
        {
            (ClientSort.LastName, false) => clients.OrderBy(c => c.LastName, StringComparer.Ordinal).ThenBy(c => c.Id),
            (ClientSort.LastName, true) => clients.OrderByDescending(c => c.LastName, StringComparer.Ordinal).ThenByDescending(c => c.Id),
            (ClientSort.TotalSpend, false) => clients.OrderBy(c => c.TotalSpend).ThenBy(c => c.Id),
            (ClientSort.TotalSpend, true) => clients.OrderByDescending(c => c.TotalSpend).ThenByDescending(c => c.Id),
            (ClientSort.LastPurchaseAt, false) => clients.OrderBy(c => c.LastPurchaseAt).ThenBy(c => c.Id),
            (ClientSort.LastPurchaseAt, true) => clients.OrderByDescending(c => c.LastPurchaseAt).ThenByDescending(c => c.Id),
            (ClientSort.RegisteredAt, false) => clients.OrderBy(c => c.RegisteredAt).ThenBy(c => c.Id),
            (ClientSort.RegisteredAt, true) => clients.OrderByDescending(c => c.RegisteredAt).ThenByDescending(c => c.Id),
            (_, true) => clients.OrderByDescending(c => c.Id),
            _ => clients.OrderBy(c => c.Id),
        };

        var page = await new ClientDirectory(database.Factory, TimeProvider.System).PageAsync(null, sort, descending, 1, 30, true, default);

        Assert.Equal(ordered.Skip(30).Take(30).Select(c => c.Id), page.Rows.Select(r => r.Id));
    }

    /// <summary>Issue 14: sorting by last name would reveal masked names' order, so a masked grid sorts by id.</summary>
    [Fact]
    public async Task Masked_LastNameSort_FallsBackToId()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using (var seed = database.CreateContext())
        {
            await DemoClientWriter.WriteAsync(seed, DemoClientGenerator.Generate(0, 40, Reference), null, default);
        }
        await using var db = database.CreateContext();
        var ids = await db.Clients.OrderBy(c => c.Id).Select(c => c.Id).Take(10).ToListAsync();
        var page = await new ClientDirectory(database.Factory, TimeProvider.System).PageAsync(null, ClientSort.LastName, false, 0, 10, false, default);
        Assert.Equal(ids, page.Rows.Select(r => r.Id));
    }
}
