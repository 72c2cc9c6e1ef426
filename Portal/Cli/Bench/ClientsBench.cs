using System.Diagnostics;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Portal.Infrastructure.Clients;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Seeding;

namespace Portal.Cli.Bench;

/// <summary>
/// <c>bench clients [--runs 50]</c>: server time of the clients grid over the configured (seeded)
/// database — the first page with the total count, a next page, a full-phone search, a phone
/// prefix search and a last-name prefix search — as p50/p95 in milliseconds.
/// </summary>
public static class ClientsBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var runs = int.Parse(CliVerbs.Option(args, "runs") ?? "50", CultureInfo.InvariantCulture);
        using var host = VerbHost.Build(args[2..]);
        var contexts = host.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        await using (var db = await contexts.CreateDbContextAsync())
        {
            Console.WriteLine($"{await db.Clients.CountAsync():N0} clients in {db.Database.ProviderName}");
        }
        var random = new Random(7);
        var demo = (int)Math.Min(1_900_000, await CountDemoAsync(contexts));
        string Phone() => DemoClientGenerator.PhoneFor(random.Next(Math.Max(1, demo)));

        await MeasureAsync("first page, exact total", runs, () =>
            new ClientDirectory(contexts, TimeProvider.System).PageAsync(null, ClientSort.Id, false, 0, 25, true, default));
        var cached = new ClientDirectory(contexts, TimeProvider.System);
        await MeasureAsync("page 40, cached total", runs, () => cached.PageAsync(null, ClientSort.Id, false, 40, 25, true, default));
        await MeasureAsync("search: full phone", runs, () => cached.PageAsync(Phone(), ClientSort.Id, false, 0, 25, true, default));
        await MeasureAsync("search: phone prefix (7 digits)", runs, () => cached.PageAsync(Phone()[..8], ClientSort.Id, false, 0, 25, true, default));
        await MeasureAsync("search: last name prefix", runs, () => cached.PageAsync("Кузне", ClientSort.LastName, false, 0, 25, true, default));
        return 0;
    }

    private static async Task<long> CountDemoAsync(IDbContextFactory<PortalDbContext> contexts)
    {
        await using var db = await contexts.CreateDbContextAsync();
        return await db.Clients.LongCountAsync(c => c.ExternalId!.StartsWith(DemoClientGenerator.ExternalIdPrefix));
    }

    private static async Task MeasureAsync(string name, int runs, Func<Task<ClientPage>> action)
    {
        var page = await action(); // warm-up: connection, JIT, plan cache
        var times = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            var clock = Stopwatch.StartNew();
            page = await action();
            times.Add(clock.Elapsed.TotalMilliseconds);
        }
        times.Sort();
        Console.WriteLine($"  {name,-34} p50 {times[times.Count / 2],7:N1} ms   p95 {times[(int)(times.Count * 0.95)],7:N1} ms   ({page.Rows.Count} rows of {page.Total:N0})");
    }
}
