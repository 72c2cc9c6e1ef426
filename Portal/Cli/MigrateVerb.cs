using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Portal.Infrastructure.Bi;
using Portal.Infrastructure.Persistence;

namespace Portal.Cli;

/// <summary>
/// <c>migrate</c>: applies the configured provider's pending migrations and exits.
/// <c>migrate --create-bi-role [--bi-password P]</c> (PostgreSQL) also creates the read-only login
/// role <c>portal_bi</c> with SELECT on the <c>bi</c> views only (docs/bi.md); without a password
/// (option or PORTAL_BI_PASSWORD) one is generated and printed once.
/// </summary>
internal static class MigrateVerb
{
    public static async Task<int> RunAsync(string[] args)
    {
        var createRole = args.Contains("--create-bi-role");
        var password = CliVerbs.Option(args, "bi-password") ?? Environment.GetEnvironmentVariable("PORTAL_BI_PASSWORD");
        var hostArgs = args[1..].Where(a => a != "--create-bi-role").ToList();
        var i = hostArgs.IndexOf("--bi-password");
        if (i >= 0) hostArgs.RemoveRange(i, Math.Min(2, hostArgs.Count - i));
        using var host = VerbHost.Build([.. hostArgs]);
        await using var scope = host.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<DatabaseInitializer>().MigrateAsync(CancellationToken.None);
        Console.WriteLine("Database is up to date.");
        if (!createRole) return 0;

        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        if (!db.Database.IsNpgsql())
        {
            Console.Error.WriteLine("--create-bi-role needs PostgreSQL: the bi views exist only there.");
            return 2;
        }
        var generated = password is null;
        password ??= Convert.ToBase64String(RandomNumberGenerator.GetBytes(18)).Replace('+', 'x').Replace('/', 'y');
        var database = db.Database.GetDbConnection().Database;
        await db.Database.ExecuteSqlRawAsync(BiViews.CreateRoleSql(database, password));
        Console.WriteLine($"Role {BiViews.Role} can read schema bi of database {database}.");
        if (generated) Console.WriteLine($"Its password (shown once): {password}");
        return 0;
    }
}
