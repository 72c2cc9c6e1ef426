namespace Portal.Infrastructure.Analytics;

/// <summary>The breakdowns of a campaign's results (the "dimension" of a cell).</summary>
public static class ResultDimensions
{
    public const string Total = "total";
    public const string Region = "region";
    public const string TimeZone = "timezone";
    public const string Loyalty = "loyalty";
    public const string AgeBand = "ageband";
    public const string Gender = "gender";
    public const string Operator = "operator";
    public const string Provider = "provider";
    public const string Parts = "parts";
    public const string LocalHour = "localhour";

    /// <summary>In or out of a saved audience the reader picks (<see cref="AudienceResults"/>); computed on request, not kept.</summary>
    public const string Audience = "audience";

    public static readonly IReadOnlyList<string> Breakdowns = [Region, TimeZone, Loyalty, AgeBand, Gender, Operator, Provider, Parts, LocalHour];
}

/// <summary>
/// One cell of a campaign's results: one group (sent or control) of one value of one breakdown.
/// Counts of recipients (message rows) and of those who were delivered, replied, opted out and
/// converted; revenue in minor units. No client identity anywhere.
/// </summary>
public sealed record ResultCell(
    string Dimension,
    string Value,
    bool IsControl,
    long Recipients,
    long Delivered,
    long Replied,
    long OptedOut,
    long Conversions,
    long RevenueMinor,
    double RevenueSquaresMinor,
    double Cost);
