using System.Globalization;

namespace Portal.Domain.Providers;

/// <summary>How a provider is doing on this node, from its <see cref="CircuitBreaker"/>.</summary>
public sealed record ProviderHealth(CircuitState State, DateTimeOffset? OpenUntil = null)
{
    public static ProviderHealth Healthy { get; } = new(CircuitState.Closed);
}

/// <summary>A provider as the planner sees it. An empty <see cref="Operators"/> serves every operator.</summary>
public sealed record RouteCandidate(
    int Id, string Name, ProviderKind Kind, bool Enabled, IReadOnlyCollection<string> Operators,
    decimal DefaultPartPrice, PriceBook Prices, ProviderHealth Health);

public enum PriceSource
{
    Prefix = 1,
    Operator = 2,
    Default = 3,
}

public enum RouteVerdict
{
    /// <summary>Usable, in the order given.</summary>
    Candidate = 1,
    /// <summary>Usable, but its circuit is half-open: it gets one probe, after the healthy ones.</summary>
    Probe = 2,
    Disabled = 3,
    CircuitOpen = 4,
    NotServed = 5,
    NoAdapter = 6,
    NotNamed = 7,
}

/// <summary>One provider's line in a plan: price (where it matters) and why it is where it is.</summary>
public sealed record RouteOption(
    int ProviderId, string Name, RouteVerdict Verdict, decimal Price, string Currency, PriceSource Source, string? Matched, DateTimeOffset? OpenUntil)
{
    public bool Usable => Verdict is RouteVerdict.Candidate or RouteVerdict.Probe;

    /// <summary>The reason in English (logs, tests); the UI builds a translated one from the fields.</summary>
    public string Reason(string @operator) => Verdict switch
    {
        RouteVerdict.Candidate or RouteVerdict.Probe => (Verdict == RouteVerdict.Probe ? "probe after cool-down: " : "")
            + Source switch
            {
                PriceSource.Prefix => $"prefix +{Matched} at {Money(Price)} {Currency}/part",
                PriceSource.Operator => $"price for {Matched} at {Money(Price)} {Currency}/part",
                _ => $"default price {Money(Price)} {Currency}/part",
            },
        RouteVerdict.Disabled => "skipped: disabled",
        RouteVerdict.CircuitOpen => $"skipped: circuit open until {OpenUntil:HH:mm:ss} UTC",
        RouteVerdict.NotServed => $"does not serve {@operator}",
        RouteVerdict.NoAdapter => "skipped: no adapter for this kind yet",
        RouteVerdict.NotNamed => "skipped: the campaign names another provider",
        _ => Verdict.ToString(),
    };

    private static string Money(decimal value) => value.ToString("0.00##", CultureInfo.InvariantCulture);
}

/// <summary>Usable providers first, in the order to try them; then the skipped ones with their reason.</summary>
public sealed record RoutePlan(string Operator, IReadOnlyList<RouteOption> Options)
{
    public IEnumerable<RouteOption> Usable => Options.Where(o => o.Usable);
    public RouteOption? Best => Options.FirstOrDefault(o => o.Usable);
}

/// <summary>
/// Least-cost routing for one number (issue 7), pure: each provider's price is its longest
/// matching prefix entry, else its entry for the number's operator, else its default price (the
/// latest entry already valid wins within one destination); usable providers are ordered healthy
/// before half-open, then by price, then by lower id. A campaign that names a provider gets that
/// one only: a pinned campaign has a contract or a sender name with it, so it waits rather than
/// leaves through another provider. Currencies are compared as numbers: price lists are expected
/// in one currency (RUB).
/// </summary>
public static class RoutePlanner
{
    public static RoutePlan Plan(string e164, string @operator, IEnumerable<RouteCandidate> providers, DateTime now,
        int? namedProviderId = null, Func<ProviderKind, bool>? hasAdapter = null)
    {
        var digits = e164.TrimStart('+');
        var options = new List<RouteOption>();
        foreach (var p in providers)
        {
            var (price, currency, source, matched) = PriceOf(p, digits, @operator, now);
            RouteVerdict verdict;
            if (namedProviderId is int named && named != p.Id) verdict = RouteVerdict.NotNamed;
            else if (!p.Enabled) verdict = RouteVerdict.Disabled;
            else if (hasAdapter is not null && !hasAdapter(p.Kind)) verdict = RouteVerdict.NoAdapter;
            else if (p.Operators.Count > 0 && !p.Operators.Contains(@operator, StringComparer.OrdinalIgnoreCase)) verdict = RouteVerdict.NotServed;
            else if (p.Health.State == CircuitState.Open) verdict = RouteVerdict.CircuitOpen;
            else verdict = p.Health.State == CircuitState.HalfOpen ? RouteVerdict.Probe : RouteVerdict.Candidate;
            options.Add(new RouteOption(p.Id, p.Name, verdict, price, currency, source, matched, p.Health.OpenUntil));
        }
        // Usable first (healthy before half-open, cheaper first), then the skipped ones; lower id breaks ties.
        options.Sort(static (a, b) =>
        {
            var byRank = Rank(a).CompareTo(Rank(b));
            if (byRank != 0) return byRank;
            var byPrice = a.Usable ? a.Price.CompareTo(b.Price) : 0;
            return byPrice != 0 ? byPrice : a.ProviderId.CompareTo(b.ProviderId);
        });
        return new RoutePlan(@operator, options);
    }

    private static int Rank(RouteOption o) => o.Verdict switch
    {
        RouteVerdict.Candidate => 0,
        RouteVerdict.Probe => 1,
        _ => 2,
    };

    /// <summary>A provider's price for a number and where it came from.</summary>
    public static (decimal Price, string Currency, PriceSource Source, string? Matched) PriceOf(RouteCandidate p, string digits, string @operator, DateTime now) =>
        p.Prices.Find(digits, @operator, now) switch
        {
            { Prefix: { } prefix } e => (e.PricePerPart, e.Currency, PriceSource.Prefix, prefix),
            { Operator: { } op } e => (e.PricePerPart, e.Currency, PriceSource.Operator, op),
            _ => (p.DefaultPartPrice, "RUB", PriceSource.Default, null),
        };
}
