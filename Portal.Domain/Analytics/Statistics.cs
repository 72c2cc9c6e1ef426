namespace Portal.Domain.Analytics;

/// <summary>
/// The few distribution facts the uplift needs, written out so the Domain stays free of packages.
/// </summary>
public static class Statistics
{
    /// <summary>The two-sided 95 % quantile of the standard normal distribution.</summary>
    public const double Z95 = 1.959963984540054;

    /// <summary>
    /// erfc(x) by the Chebyshev fit of Numerical Recipes (erfcc): fractional error below 1.2e-7 over the
    /// whole line, so a p-value is accurate in relative terms even deep in the tail, where a p-value of
    /// 1e-12 matters only as "far below 0.05".
    /// </summary>
    public static double Erfc(double x)
    {
        var z = Math.Abs(x);
        var t = 1.0 / (1.0 + 0.5 * z);
        var ans = t * Math.Exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 +
            t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 +
            t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? ans : 2.0 - ans;
    }

    /// <summary>P(|Z| ≥ |z|) for a standard normal Z.</summary>
    public static double TwoSidedP(double z) => Math.Min(1.0, Erfc(Math.Abs(z) / Math.Sqrt(2.0)));
}
