using Microsoft.EntityFrameworkCore;
using Npgsql;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Persistence.Postgres;
using Portal.Infrastructure.Persistence.Sqlite;

namespace Portal.Tests.Support;

/// <summary>A fresh, migrated database of one provider, dropped when disposed.</summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private readonly string? _file;
    private readonly string? _pgName;

    private TestDatabase(DatabaseProvider provider, string connectionString, string? file, string? pgName)
    {
        Provider = provider;
        ConnectionString = connectionString;
        _file = file;
        _pgName = pgName;
    }

    public DatabaseProvider Provider { get; }
    public string ConnectionString { get; }

    public static async Task<TestDatabase> CreateAsync(DatabaseProvider provider, bool migrate = true)
    {
        TestDatabase db;
        if (provider == DatabaseProvider.Sqlite)
        {
            var file = Path.Combine(Path.GetTempPath(), $"portal-test-{Guid.NewGuid():N}.db");
            db = new TestDatabase(provider, $"Data Source={file};Default Timeout=30", file, null);
        }
        else
        {
            var name = $"portal_test_{Guid.NewGuid():N}";
            await using (var admin = new NpgsqlConnection(TestEnvironment.Postgres))
            {
                await admin.OpenAsync();
                await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", admin);
                await create.ExecuteNonQueryAsync();
            }
            var cs = new NpgsqlConnectionStringBuilder(TestEnvironment.Postgres) { Database = name }.ConnectionString;
            db = new TestDatabase(provider, cs, null, name);
        }
        if (migrate)
        {
            await using var context = db.CreateContext();
            await context.Database.MigrateAsync();
        }
        return db;
    }

    /// <summary>The database as services see it.</summary>
    public IDbContextFactory<PortalDbContext> Factory => new ContextFactory(this);

    private sealed class ContextFactory(TestDatabase database) : IDbContextFactory<PortalDbContext>
    {
        public PortalDbContext CreateDbContext() => database.CreateContext();
    }

    public PortalDbContext CreateContext() => Provider == DatabaseProvider.Sqlite
        ? new SqlitePortalDbContext(new DbContextOptionsBuilder<SqlitePortalDbContext>().UseSqlite(ConnectionString).Options)
        : new PostgresPortalDbContext(new DbContextOptionsBuilder<PostgresPortalDbContext>().UseNpgsql(ConnectionString).Options);

    public async ValueTask DisposeAsync()
    {
        if (_file is not null)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            foreach (var f in new[] { _file, _file + "-wal", _file + "-shm" })
            {
                File.Delete(f);
            }
        }
        if (_pgName is not null)
        {
            NpgsqlConnection.ClearAllPools();
            await using var admin = new NpgsqlConnection(TestEnvironment.Postgres);
            await admin.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_pgName}\" WITH (FORCE)", admin);
            await drop.ExecuteNonQueryAsync();
        }
    }
}
