namespace Portal.Domain.Providers;

/// <summary>
/// One provider's price list indexed for the per-message lookup: by prefix (at most 15 hash
/// probes for the longest match) and by operator, each key's entries newest first so the latest
/// one already valid wins. A scan of a 20,000-prefix list per message per provider would cost more
/// than the SMPP submit itself.
/// </summary>
public sealed class PriceBook
{
    private readonly Dictionary<string, PriceListEntry[]> _byPrefix = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PriceListEntry[]> _byOperator = new(StringComparer.OrdinalIgnoreCase);
    private readonly int _longestPrefix;

    public static PriceBook Empty { get; } = new([]);

    public PriceBook(IEnumerable<PriceListEntry> entries)
    {
        var list = entries.ToList();
        Count = list.Count;
        foreach (var g in list.Where(e => e.Prefix is not null).GroupBy(e => e.Prefix!))
        {
            _byPrefix[g.Key] = [.. g.OrderByDescending(e => e.ValidFrom)];
            _longestPrefix = Math.Max(_longestPrefix, g.Key.Length);
        }
        foreach (var g in list.Where(e => e.Operator is not null).GroupBy(e => e.Operator!, StringComparer.OrdinalIgnoreCase))
        {
            _byOperator[g.Key] = [.. g.OrderByDescending(e => e.ValidFrom)];
        }
    }

    public int Count { get; }

    /// <summary>The entry pricing a number: longest prefix valid at <paramref name="now"/>, else the operator's; null for the default price.</summary>
    public PriceListEntry? Find(string digits, string @operator, DateTime now)
    {
        var byPrefix = _byPrefix.GetAlternateLookup<ReadOnlySpan<char>>();
        for (var length = Math.Min(_longestPrefix, digits.Length); length > 0; length--)
        {
            if (byPrefix.TryGetValue(digits.AsSpan(0, length), out var atPrefix) && Valid(atPrefix, now) is { } entry) return entry;
        }
        return _byOperator.GetValueOrDefault(@operator) is { } atOperator ? Valid(atOperator, now) : null;
    }

    private static PriceListEntry? Valid(PriceListEntry[] newestFirst, DateTime now)
    {
        foreach (var e in newestFirst)
        {
            if (e.ValidFrom <= now) return e;
        }
        return null;
    }
}
