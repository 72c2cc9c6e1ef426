using Microsoft.EntityFrameworkCore;
using Portal.Infrastructure.Persistence;

namespace Portal.Infrastructure.Providers;

/// <summary>One part's price on the route a message to a number would take, and the provider it would go through.</summary>
public sealed record RoutePrice(int ProviderId, string ProviderName, decimal PartPrice, string Currency);

/// <summary>
/// Prices a message as it would be routed (issue 20 item 4): the same rules as
/// <see cref="LeastCostMessageRouter"/> (<see cref="LeastCostMessageRouter.PlanOver"/>: the named
/// provider, else the cheapest enabled one for the number's prefix and operator, the built-in
/// simulator only while no real provider is enabled), read fresh from the registry and price lists.
/// Circuit state is left out: a quote is what the route costs, not whether it is up this second.
/// The template editor showed the simulator's 0.35 while messages would go through a 0.10 provider.
/// </summary>
public sealed class RouteQuote(IDbContextFactory<PortalDbContext> contexts, TimeProvider clock)
{
    /// <returns>Null when no enabled provider could take the number.</returns>
    public async Task<RoutePrice?> ForAsync(string phone, int? providerId, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var providers = await db.Providers.AsNoTracking().ToListAsync(ct);
        if (providers.Count == 0) return null;
        var prices = (await db.PriceListEntries.AsNoTracking().ToListAsync(ct)).ToLookup(e => e.ProviderId);
        var rows = providers.Select(p => LeastCostMessageRouter.CandidateOf(p, ProviderSettings.Parse(p.SettingsJson), prices[p.Id]));
        var best = LeastCostMessageRouter.PlanOver(rows, phone, providerId, sandbox: false, clock.GetUtcNow().UtcDateTime).Best;
        return best is null ? null : new RoutePrice(best.ProviderId, best.Name, best.Price, best.Currency);
    }
}
