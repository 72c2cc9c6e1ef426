using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Portal.Infrastructure.Clients;
using Portal.Infrastructure.Persistence;

namespace Portal.Cli;

/// <summary>
/// <c>rollups</c>: recomputes every client's event roll-ups from <c>ClientEvents</c> in ranges of
/// 50,000 ids. Writers keep them current; this is for a database whose events were restored or
/// loaded around Portal (and for bases seeded before the roll-ups existed).
/// </summary>
internal static class RollupsVerb
{
    public static async Task<int> RunAsync(string[] args)
    {
        using var host = VerbHost.Build(args[1..]);
        await using var scope = host.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<DatabaseInitializer>().MigrateAsync(CancellationToken.None);
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        db.Database.SetCommandTimeout(TimeSpan.FromMinutes(10));
        var clock = Stopwatch.StartNew();
        var progress = new Progress<long>(n => Console.Write($"\r  {n:N0} clients with events updated   "));
        var updated = await ClientEventRollups.RefreshAllAsync(db, progress, CancellationToken.None);
        Console.WriteLine();
        Console.WriteLine($"Event roll-ups of {updated:N0} clients recomputed in {clock.Elapsed.TotalSeconds:N1} s.");
        return 0;
    }
}
