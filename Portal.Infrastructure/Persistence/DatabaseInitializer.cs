using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Portal.Infrastructure.Persistence.Sqlite;

namespace Portal.Infrastructure.Persistence;

/// <summary>Applies the provider's migrations. EF Core takes a database lock, so several nodes may start at once.</summary>
public sealed class DatabaseInitializer(PortalDbContext db, ILogger<DatabaseInitializer> logger)
{
    public async Task MigrateAsync(CancellationToken ct)
    {
        var pending = (await db.Database.GetPendingMigrationsAsync(ct)).ToList();
        if (db is SqlitePortalDbContext)
        {
            // WAL lets the dashboard read while the sender writes; it persists in the file.
            await db.Database.OpenConnectionAsync(ct);
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
            await db.Database.CloseConnectionAsync();
        }
        await db.Database.MigrateAsync(ct);
        logger.LogInformation("Database ready ({Provider}); applied {Count} migrations", db.Database.ProviderName, pending.Count);
    }
}
