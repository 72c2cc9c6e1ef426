using System.Diagnostics;
using System.Globalization;
using Portal.Domain.Clients;
using Portal.Domain.Providers;

namespace Portal.Cli.Bench;

/// <summary>
/// <c>bench route [--providers 5] [--prefixes 20000] [--count 2000000]</c>: single-thread
/// least-cost plans per second (what the router does per message before the submit): each provider
/// has operator prices and a price list of random number prefixes (4-7 digits), one provider
/// serves only three operators, one has an open circuit. No database, no network.
/// </summary>
public static class RouteBench
{
    public static Task<int> RunAsync(string[] args)
    {
        int Arg(string name, int fallback) => CliVerbs.Option(args, name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
        var providers = Arg("providers", 5);
        var prefixes = Arg("prefixes", 20_000);
        var count = Arg("count", 2_000_000);
        var random = new Random(7);
        var validFrom = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var candidates = Enumerable.Range(1, providers).Select(id =>
        {
            var entries = MobileOperators.All.Select(op => new PriceListEntry(id, op, null, 0.20m + random.Next(0, 30) / 100m, "RUB", validFrom)).ToList();
            var seen = new HashSet<string>();
            while (seen.Count < prefixes)
            {
                var prefix = "79" + random.Next(0, 100_000_000).ToString("D8", CultureInfo.InvariantCulture)[..random.Next(2, 6)];
                if (seen.Add(prefix)) entries.Add(new PriceListEntry(id, null, prefix, 0.15m + random.Next(0, 40) / 100m, "RUB", validFrom));
            }
            var health = id == 2 ? new ProviderHealth(CircuitState.Open, DateTimeOffset.UtcNow.AddMinutes(1)) : ProviderHealth.Healthy;
            string[] operators = id == 3 ? [MobileOperators.Mts, MobileOperators.MegaFon, MobileOperators.Beeline] : [];
            return new RouteCandidate(id, "P" + id, ProviderKind.Smpp, true, operators, 0.50m, new PriceBook(entries), health);
        }).ToArray();
        var phones = Enumerable.Range(0, 4096).Select(_ => "+79" + random.Next(0, 1_000_000_000).ToString("D9", CultureInfo.InvariantCulture)).ToArray();
        var operatorsOf = phones.Select(MobileOperators.Of).ToArray();
        var now = validFrom.AddDays(300);
        Console.WriteLine($"{providers} providers x {prefixes:N0} prefix prices + operator prices; {count:N0} plans, 1 thread");

        long checksum = 0;
        for (var i = 0; i < 200_000; i++) checksum += RoutePlanner.Plan(phones[i & 4095], operatorsOf[i & 4095], candidates, now).Best?.ProviderId ?? 0;
        var bytes = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            var phone = phones[i & 4095];
            checksum += RoutePlanner.Plan(phone, MobileOperators.Of(phone), candidates, now).Best?.ProviderId ?? 0;
        }
        clock.Stop();
        bytes = GC.GetAllocatedBytesForCurrentThread() - bytes;
        Console.WriteLine(FormattableString.Invariant(
            $"RoutePlanner.Plan (operator lookup + price per provider + order) {count / clock.Elapsed.TotalSeconds,12:N0} plans/s  {clock.Elapsed.TotalMilliseconds * 1000 / count,6:N2} µs/plan  {(double)bytes / count,7:N0} B/plan  (checksum {checksum})"));
        return Task.FromResult(0);
    }
}
