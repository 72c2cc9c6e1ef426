namespace Portal.Infrastructure.Persistence;

public enum DatabaseProvider
{
    Sqlite,
    Postgres,
}

/// <summary>The <c>Database</c> configuration section.</summary>
public sealed class DatabaseOptions
{
    public const string Section = "Database";

    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>
    /// For SQLite, empty means <c>App_Data/portal.db</c> under the content root (the embedded default).
    /// For PostgreSQL, an Npgsql connection string; required.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>Apply pending migrations when the application starts (the <c>migrate</c> verb always does).</summary>
    public bool MigrateOnStart { get; set; } = true;
}
