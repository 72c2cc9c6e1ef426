using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Portal.Domain.Campaigns;
using Portal.Domain.Clients;
using Portal.Domain.Messages;
using Portal.Infrastructure.Audit;
using Portal.Infrastructure.Campaigns;
using Portal.Infrastructure.Identity;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Persistence.Postgres;
using Portal.Infrastructure.Persistence.Sqlite;
using Portal.Tests.Support;

namespace Portal.Tests.Infrastructure.Campaigns;

/// <summary>
/// Issue 20, item 18: the campaign list's progress bars come from one statement for all listed
/// campaigns, counting by (campaign, status) only (the index answers it), and use the
/// campaign page's definition of final. Before, the list ran the page's full progress (parts, cost and error sums
/// over every message row, three statements) once per sending campaign: 1.8 s at 1.9 M messages.
/// </summary>
public sealed class CampaignListProgressTests
{
    public static TheoryData<DatabaseProvider> Providers => [DatabaseProvider.Sqlite, DatabaseProvider.Postgres];

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task ListProgress_OneStatementForAllCampaigns_CountsTotalAndFinal(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var now = DateTime.UtcNow;
        int[] ids;
        await using (var db = database.CreateContext())
        {
            var client = new Client(PhoneNumber.Parse("+79161234567"), "Анна", "Иванова", now);
            db.Clients.Add(client);
            var campaigns = Enumerable.Range(0, 3).Select(i => new Campaign($"List {i}", null, MessagePurpose.Service, "test", now)).ToList();
            db.Campaigns.AddRange(campaigns);
            await db.SaveChangesAsync();
            ids = campaigns.Select(c => c.Id).ToArray();
            var statuses = Enum.GetValues<MessageStatus>();
            // Campaign 0: every status twice (final as on the campaign page, CampaignProgress.Final: delivered,
        // undeliverable, expired, rejected, unknown, cancelled, control); campaign 1; campaign 1: three delivered, one queued; campaign 2: none.
            foreach (var status in statuses.Concat(statuses))
            {
                db.Messages.Add(new Message(ids[0], client.Id, client.Phone, now) { Status = status, Parts = 2, Cost = 0.7m });
            }
            foreach (var status in new[] { MessageStatus.Delivered, MessageStatus.Delivered, MessageStatus.Delivered, MessageStatus.Queued })
            {
                db.Messages.Add(new Message(ids[1], client.Id, client.Phone, now) { Status = status });
            }
            await db.SaveChangesAsync();
        }

        var statements = new CommandCounter();
        var counted = new CountingFactory(database, statements);
        var catalog = new CampaignCatalog(counted, new AuditLog(counted, TimeProvider.System), new DepartmentScopes(counted), TimeProvider.System);
        var progress = await catalog.ListProgressAsync(ids, CancellationToken.None);

        Assert.Equal(1, statements.Count);
        Assert.Equal((2 * Enum.GetValues<MessageStatus>().Length, 14), (progress[ids[0]].Total, progress[ids[0]].Final));
        Assert.Equal((4, 3), (progress[ids[1]].Total, progress[ids[1]].Final));
        Assert.Equal((0, 0), (progress[ids[2]].Total, progress[ids[2]].Final));
    }

    private sealed class CommandCounter : DbCommandInterceptor
    {
        public int Count;

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref Count);
            return base.ReaderExecutingAsync(command, eventData, result, cancellationToken);
        }
    }

    private sealed class CountingFactory(TestDatabase database, CommandCounter counter) : IDbContextFactory<PortalDbContext>
    {
        public PortalDbContext CreateDbContext() => database.Provider == DatabaseProvider.Sqlite
            ? new SqlitePortalDbContext(new DbContextOptionsBuilder<SqlitePortalDbContext>().UseSqlite(database.ConnectionString).AddInterceptors(counter).Options)
            : new PostgresPortalDbContext(new DbContextOptionsBuilder<PostgresPortalDbContext>().UseNpgsql(database.ConnectionString).AddInterceptors(counter).Options);
    }
}
