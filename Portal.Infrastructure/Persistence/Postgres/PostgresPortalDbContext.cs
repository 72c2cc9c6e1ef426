using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Npgsql;

namespace Portal.Infrastructure.Persistence.Postgres;

/// <summary>The production database; owns the PostgreSQL migrations.</summary>
public sealed class PostgresPortalDbContext(DbContextOptions<PostgresPortalDbContext> options) : PortalDbContext(options)
{
    /// <summary>
    /// The connection string with <c>jit=off</c> unless it sets jit itself. With default settings
    /// PostgreSQL JIT-compiles any plan costing over 100,000, and an audience count over 1.9 M clients
    /// spent 0.3-0.6 s compiling to save nothing (issue 5, docs/BENCHMARKS.md).
    /// </summary>
    public static string WithoutJit(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (builder.Options?.Contains("jit", StringComparison.OrdinalIgnoreCase) != true)
        {
            builder.Options = $"{builder.Options} -c jit=off".Trim();
        }
        return builder.ConnectionString;
    }
}

/// <summary>Lets <c>dotnet ef migrations add</c> build the PostgreSQL model without a server.</summary>
internal sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresPortalDbContext>
{
    public PostgresPortalDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresPortalDbContext>().UseNpgsql("Host=localhost;Database=portal_design").Options);
}
