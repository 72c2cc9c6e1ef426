using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Seeding;

namespace Portal.Cli;

/// <summary>
/// <c>seed --clients N</c>: grows the demo base to N clients, streaming generated rows through the
/// provider's bulk path (COPY on PostgreSQL). Resumable: it continues from the demo clients present.
/// </summary>
internal static class SeedVerb
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (!long.TryParse(CliVerbs.Option(args, "clients"), out var target) || target < 0)
        {
            Console.Error.WriteLine("Usage: seed --clients N   (N = how many demo clients the base should hold)");
            return 2;
        }
        using var host = VerbHost.Build(args[1..]);
        await using var scope = host.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<DatabaseInitializer>().MigrateAsync(CancellationToken.None);
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var present = await db.Clients.LongCountAsync(c => c.ExternalId!.StartsWith(DemoClientGenerator.ExternalIdPrefix));
        if (present >= target)
        {
            Console.WriteLine($"The base already holds {present:N0} demo clients.");
            return 0;
        }

        using var cts = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; cts.Cancel(); };
        var clock = Stopwatch.StartNew();
        var missing = target - present;
        var progress = new Progress<long>(n =>
            Console.Write($"\r  {n:N0} / {missing:N0} clients ({n / Math.Max(0.001, clock.Elapsed.TotalSeconds):N0}/s)   "));
        var written = await DemoClientWriter.WriteAsync(db,
            DemoClientGenerator.Generate(present, missing, DateTime.UtcNow), progress, cts.Token);
        clock.Stop();
        Console.WriteLine();
        Console.WriteLine($"Added {written:N0} demo clients in {clock.Elapsed.TotalSeconds:N1} s " +
                          $"({written / clock.Elapsed.TotalSeconds:N0} clients/s); the base holds {present + written:N0}.");
        return 0;
    }
}
