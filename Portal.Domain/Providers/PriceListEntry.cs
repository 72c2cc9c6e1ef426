using System.Text.RegularExpressions;
using Portal.Domain.Common;

namespace Portal.Domain.Providers;

/// <summary>
/// What one provider charges for one SMS part to a destination: an operator (any number the DEF
/// table gives that operator) or a number prefix (digits of the E.164 number without '+'), from
/// <see cref="ValidFrom"/> on. A prefix is more specific than an operator (issue 7).
/// </summary>
public sealed partial class PriceListEntry
{
    private PriceListEntry() { }

    public PriceListEntry(int providerId, string? @operator, string? prefix, decimal pricePerPart, string currency, DateTime validFrom)
    {
        if (string.IsNullOrWhiteSpace(@operator) == string.IsNullOrWhiteSpace(prefix))
        {
            throw new DomainException("A price is for either an operator or a number prefix.");
        }
        if (prefix is not null && !string.IsNullOrWhiteSpace(prefix) && !PrefixPattern().IsMatch(prefix))
        {
            throw new DomainException("A prefix is 1 to 15 digits of the international number, without '+'.");
        }
        if (pricePerPart < 0 || pricePerPart > 1_000_000)
        {
            throw new DomainException("A price per part is between 0 and 1,000,000.");
        }
        if (!CurrencyPattern().IsMatch(currency))
        {
            throw new DomainException("A currency is a three-letter ISO 4217 code, such as RUB.");
        }
        ProviderId = providerId;
        Operator = string.IsNullOrWhiteSpace(@operator) ? null : @operator.Trim();
        Prefix = string.IsNullOrWhiteSpace(prefix) ? null : prefix;
        PricePerPart = pricePerPart;
        Currency = currency;
        ValidFrom = DateTime.SpecifyKind(validFrom, DateTimeKind.Utc);
    }

    public long Id { get; private set; }
    public int ProviderId { get; private set; }
    public string? Operator { get; private set; }
    public string? Prefix { get; private set; }
    public decimal PricePerPart { get; private set; }
    public string Currency { get; private set; } = "RUB";
    public DateTime ValidFrom { get; private set; }

    /// <summary>The destination as a person reads it: the operator or "+prefix".</summary>
    public string Destination => Operator ?? "+" + Prefix;

    [GeneratedRegex("^[0-9]{1,15}$")]
    private static partial Regex PrefixPattern();

    [GeneratedRegex("^[A-Z]{3}$")]
    private static partial Regex CurrencyPattern();
}
