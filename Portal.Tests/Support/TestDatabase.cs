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

    /// <summary>
    /// A fresh database. Migrated ones are copies of one template per provider and test run
    /// (a file copy on SQLite, <c>CREATE DATABASE … TEMPLATE</c> on PostgreSQL), migrated once:
    /// applying every migration to each of the suite's hundreds of databases took minutes of CI time.
    /// <paramref name="migrate"/> false gives an empty database, for tests of migrating itself.
    /// </summary>
    public static async Task<TestDatabase> CreateAsync(DatabaseProvider provider, bool migrate = true)
    {
        if (provider == DatabaseProvider.Sqlite)
        {
            var file = Path.Combine(Path.GetTempPath(), $"portal-test-{Guid.NewGuid():N}.db");
            if (migrate)
            {
                File.Copy(await SqliteTemplate.Value, file);
            }
            return new TestDatabase(provider, SqliteConnectionString(file), file, null);
        }
        var name = $"portal_test_{Guid.NewGuid():N}";
        var template = migrate ? await PostgresTemplate.Value : null;
        await CreatePostgresDatabaseAsync(name, template);
        return new TestDatabase(provider, PostgresConnectionString(name), null, name);
    }

    private static string SqliteConnectionString(string file) => $"Data Source={file};Default Timeout=30";

    private static string PostgresConnectionString(string database) =>
        new NpgsqlConnectionStringBuilder(TestEnvironment.Postgres) { Database = database }.ConnectionString;

    private static readonly Lazy<Task<string>> SqliteTemplate = new(async () =>
    {
        var file = Path.Combine(Path.GetTempPath(), $"portal-template-{Environment.ProcessId}-{Guid.NewGuid():N}.db");
        var connectionString = SqliteConnectionString(file);
        await using (var context = new SqlitePortalDbContext(new DbContextOptionsBuilder<SqlitePortalDbContext>().UseSqlite(connectionString).Options))
        {
            await context.Database.MigrateAsync();
        }
        // Closing the last connection leaves the file whole (no -wal or -journal beside it) to copy.
        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection(connectionString))
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearPool(connection);
        }
        AppDomain.CurrentDomain.ProcessExit += (_, _) => File.Delete(file);
        return file;
    });

    private static readonly Lazy<Task<string>> PostgresTemplate = new(async () =>
    {
        var name = $"portal_template_{Guid.NewGuid():N}";
        await CreatePostgresDatabaseAsync(name, null);
        var connectionString = PostgresConnectionString(name);
        await using (var context = new PostgresPortalDbContext(new DbContextOptionsBuilder<PostgresPortalDbContext>().UseNpgsql(connectionString).Options))
        {
            await context.Database.MigrateAsync();
        }
        // CREATE DATABASE … TEMPLATE refuses a source anyone is connected to: no pooled connection may stay open.
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            NpgsqlConnection.ClearPool(connection);
        }
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try { DropPostgresDatabaseAsync(name).GetAwaiter().GetResult(); }
            catch (NpgsqlException) { } // the run's throwaway server may be gone already
        };
        return name;
    });

    private static async Task CreatePostgresDatabaseAsync(string name, string? template)
    {
        var sql = template is null ? $"CREATE DATABASE \"{name}\"" : $"CREATE DATABASE \"{name}\" TEMPLATE \"{template}\"";
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var admin = new NpgsqlConnection(TestEnvironment.Postgres);
                await admin.OpenAsync();
                await using var create = new NpgsqlCommand(sql, admin);
                await create.ExecuteNonQueryAsync();
                return;
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ObjectInUse && attempt < 20)
            {
                // "source database is being accessed by other users": a copy of the template being
                // made at this instant holds it for a moment.
                await Task.Delay(50 * attempt);
            }
        }
    }

    private static async Task DropPostgresDatabaseAsync(string name)
    {
        await using var admin = new NpgsqlConnection(TestEnvironment.Postgres);
        await admin.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", admin);
        await drop.ExecuteNonQueryAsync();
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
            using (var connection = new Microsoft.Data.Sqlite.SqliteConnection(ConnectionString))
            {
                Microsoft.Data.Sqlite.SqliteConnection.ClearPool(connection);
            }
            foreach (var f in new[] { _file, _file + "-wal", _file + "-shm" })
            {
                File.Delete(f);
            }
        }
        if (_pgName is not null)
        {
            await using (var connection = new NpgsqlConnection(ConnectionString))
            {
                NpgsqlConnection.ClearPool(connection);
            }
            await DropPostgresDatabaseAsync(_pgName);
        }
    }
}
