using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Seeding;

namespace Portal.Cli;

/// <summary>
/// <c>seed --clients N [--events-per-client E]</c>: grows the demo base to N clients, streaming generated
/// rows through the provider's bulk path (COPY on PostgreSQL). Resumable: it continues from the demo
/// clients present. With <c>--events-per-client</c> it also gives every demo client without events
/// 0..2E purchases, payments, logins and visits over the last two years (E on average). With
/// <c>--history</c> it adds the demo's past campaigns with control groups and a planted effect
/// (<see cref="DemoHistory"/>) over every client in the base.
/// </summary>
internal static class SeedVerb
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (!long.TryParse(CliVerbs.Option(args, "clients"), out var target) || target < 0)
        {
            Console.Error.WriteLine("Usage: seed --clients N [--events-per-client E] [--history]   (N = how many demo clients the base should hold)");
            return 2;
        }
        var eventsPerClient = 0;
        if (CliVerbs.Option(args, "events-per-client") is { } perClient && (!int.TryParse(perClient, out eventsPerClient) || eventsPerClient is < 0 or > 1000))
        {
            Console.Error.WriteLine("--events-per-client takes a number from 0 to 1000.");
            return 2;
        }
        // --history is a bare switch: configuration would read the next argument as its value.
        using var host = VerbHost.Build([.. args[1..].Where(a => !a.Equals("--history", StringComparison.OrdinalIgnoreCase))]);
        await using var scope = host.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<DatabaseInitializer>().MigrateAsync(CancellationToken.None);
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var present = await db.Clients.LongCountAsync(c => c.ExternalId!.StartsWith(DemoClientGenerator.ExternalIdPrefix));
        using var cts = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; cts.Cancel(); };
        if (present >= target)
        {
            Console.WriteLine($"The base already holds {present:N0} demo clients.");
            await SeedEventsAsync(db, eventsPerClient, cts.Token);
            return await SeedHistoryAsync(db, args, cts.Token);
        }
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
        await SeedEventsAsync(db, eventsPerClient, cts.Token);
        return await SeedHistoryAsync(db, args, cts.Token);
    }

    private static async Task<int> SeedHistoryAsync(PortalDbContext db, string[] args, CancellationToken ct)
    {
        if (!args.Contains("--history", StringComparer.OrdinalIgnoreCase))
        {
            return 0;
        }
        var clock = Stopwatch.StartNew();
        var ids = await DemoHistory.WriteAsync(db, null, "seed", DateTime.UtcNow, ct);
        Console.WriteLine(ids.Count == 0
            ? "The demo history is there already."
            : $"Added {ids.Count} past campaigns (control groups, receipts, replies, opt-outs, purchases) in {clock.Elapsed.TotalSeconds:N1} s; conversions are attributed by the running application.");
        return 0;
    }

    private static async Task<int> SeedEventsAsync(PortalDbContext db, int perClient, CancellationToken ct)
    {
        if (perClient == 0)
        {
            return 0;
        }
        var clock = Stopwatch.StartNew();
        var progress = new Progress<long>(n => Console.Write($"\r  {n:N0} events ({n / Math.Max(0.001, clock.Elapsed.TotalSeconds):N0}/s)   "));
        var written = await DemoEventWriter.WriteAsync(db, perClient, DateTime.UtcNow, progress, ct);
        Console.WriteLine();
        Console.WriteLine($"Added {written:N0} demo events in {clock.Elapsed.TotalSeconds:N1} s.");
        return 0;
    }
}
