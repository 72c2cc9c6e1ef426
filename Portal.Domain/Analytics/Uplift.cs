namespace Portal.Domain.Analytics;

/// <summary>What one group (sent or control) did: clients, converted clients, and the revenue of their conversions.</summary>
/// <param name="Clients">Clients in the group (for the sent group: every recipient, delivered or not: intention to treat).</param>
/// <param name="Conversions">Clients with an attributed conversion.</param>
/// <param name="Revenue">Sum of the conversions' amounts.</param>
/// <param name="RevenueSquares">Sum of the squared amounts, for the variance of revenue per client.</param>
public readonly record struct GroupOutcome(long Clients, long Conversions, decimal Revenue, double RevenueSquares)
{
    public Proportion Conversion => new(Conversions, Clients);
    public double RevenuePerClient => Clients == 0 ? 0 : (double)Revenue / Clients;

    /// <summary>The sample variance of revenue per client (non-converters count as 0).</summary>
    public double RevenueVariance => Clients < 2 ? 0
        : Math.Max(0, (RevenueSquares - (double)Revenue * (double)Revenue / Clients) / (Clients - 1));

    public static GroupOutcome operator +(GroupOutcome a, GroupOutcome b) =>
        new(a.Clients + b.Clients, a.Conversions + b.Conversions, a.Revenue + b.Revenue, a.RevenueSquares + b.RevenueSquares);
}

public enum UpliftVerdict
{
    /// <summary>No control group: no uplift is claimed.</summary>
    NoControlGroup = 0,
    /// <summary>Everyone was held back: nothing was sent to compare.</summary>
    NoSentGroup = 1,
    NotSignificant = 2,
    SignificantIncrease = 3,
    SignificantDecrease = 4,
}

/// <summary>The comparison of a sent group with its control group, at 95 %.</summary>
public sealed record UpliftResult(
    GroupOutcome Sent,
    GroupOutcome Control,
    double SentRate,
    Interval SentRateInterval,
    double ControlRate,
    Interval ControlRateInterval,
    double? AbsoluteUplift,
    Interval? AbsoluteInterval,
    double? RelativeUplift,
    Interval? RelativeInterval,
    double? PValue,
    double? IncrementalConversions,
    Interval? IncrementalConversionsInterval,
    double? IncrementalRevenue,
    Interval? IncrementalRevenueInterval,
    UpliftVerdict Verdict)
{
    /// <summary>
    /// A group too small to read: the uplift's interval is wider than 10 percentage points, or a side
    /// has fewer than 30 clients. Such groups are shown flagged, never hidden.
    /// </summary>
    public bool IsSmall => Sent.Clients < 30 || Control.Clients < 30 || AbsoluteInterval is not { } i || i.Width > 0.10;
}

/// <summary>
/// Uplift of a sent group over a control group (see docs/decisions/0008-analytics-attribution.md):
/// absolute uplift with Newcombe's hybrid score interval (method 10 of Newcombe 1998, built from the
/// two Wilson intervals), a pooled two-proportion z-test, relative uplift with the Katz log interval
/// of the rate ratio, incremental conversions (absolute uplift times the sent group) and incremental
/// revenue (difference of revenue per client times the sent group, Welch normal interval).
/// </summary>
public static class UpliftCalculator
{
    public const double Alpha = 0.05;

    public static UpliftResult Compute(GroupOutcome sent, GroupOutcome control)
    {
        var p1 = sent.Conversion;
        var p2 = control.Conversion;
        var w1 = p1.Wilson();
        var w2 = p2.Wilson();
        if (control.Clients == 0 || sent.Clients == 0)
        {
            var verdict = control.Clients == 0 ? UpliftVerdict.NoControlGroup : UpliftVerdict.NoSentGroup;
            return new UpliftResult(sent, control, p1.Rate, w1, p2.Rate, w2, null, null, null, null, null, null, null, null, null, verdict);
        }

        var d = p1.Rate - p2.Rate;
        var low = d - Math.Sqrt(Square(p1.Rate - w1.Low) + Square(w2.High - p2.Rate));
        var high = d + Math.Sqrt(Square(w1.High - p1.Rate) + Square(p2.Rate - w2.Low));
        var absolute = new Interval(low, high);

        var pValue = ZTestP(p1, p2);

        double? relative = null;
        Interval? relativeInterval = null;
        if (p2.Successes > 0)
        {
            relative = p1.Rate / p2.Rate - 1;
            if (p1.Successes > 0)
            {
                var se = Math.Sqrt(1.0 / p1.Successes - 1.0 / p1.Trials + 1.0 / p2.Successes - 1.0 / p2.Trials);
                var log = Math.Log(p1.Rate / p2.Rate);
                relativeInterval = new Interval(Math.Exp(log - Statistics.Z95 * se) - 1, Math.Exp(log + Statistics.Z95 * se) - 1);
            }
        }

        double n1 = sent.Clients;
        var revenueDiff = sent.RevenuePerClient - control.RevenuePerClient;
        var revenueSe = Math.Sqrt(sent.RevenueVariance / sent.Clients + control.RevenueVariance / control.Clients);

        // Significant only when the test and the interval agree: at the edges (tiny groups, 0 %) the
        // z-test's normal approximation is the weaker of the two, and a claim must survive both.
        var significant = pValue < Alpha && absolute.ExcludesZero;
        var verdictValue = !significant ? UpliftVerdict.NotSignificant
            : d > 0 ? UpliftVerdict.SignificantIncrease : UpliftVerdict.SignificantDecrease;

        return new UpliftResult(sent, control, p1.Rate, w1, p2.Rate, w2,
            d, absolute, relative, relativeInterval, pValue,
            d * n1, new Interval(low * n1, high * n1),
            revenueDiff * n1, new Interval((revenueDiff - Statistics.Z95 * revenueSe) * n1, (revenueDiff + Statistics.Z95 * revenueSe) * n1),
            verdictValue);
    }

    /// <summary>The pooled two-proportion z-test, two-sided. Identical rates (including 0 vs 0) give 1.</summary>
    public static double ZTestP(Proportion a, Proportion b)
    {
        if (a.Trials == 0 || b.Trials == 0) return 1;
        var pooled = (double)(a.Successes + b.Successes) / (a.Trials + b.Trials);
        var se = Math.Sqrt(pooled * (1 - pooled) * (1.0 / a.Trials + 1.0 / b.Trials));
        if (se == 0) return 1;
        return Statistics.TwoSidedP((a.Rate - b.Rate) / se);
    }

    private static double Square(double x) => x * x;
}
