using Microsoft.EntityFrameworkCore;

namespace Portal.Infrastructure.Persistence;

/// <summary>Database errors that code decides on, recognised the same way on both providers.</summary>
public static class DbErrors
{
    /// <summary>A unique index refused the row: another writer (often another node) got there first.</summary>
    public static bool IsUniqueViolation(this DbUpdateException e) =>
        e.InnerException is Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.UniqueViolation }
        || e.InnerException is Microsoft.Data.Sqlite.SqliteException { SqliteErrorCode: 19 };
}
