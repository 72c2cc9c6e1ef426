namespace Portal.Domain.Analytics;

/// <summary>A closed interval of a rate or a difference; null bounds mean "cannot be estimated".</summary>
public readonly record struct Interval(double Low, double High)
{
    public bool Contains(double value) => value >= Low && value <= High;
    public bool ExcludesZero => Low > 0 || High < 0;
    public double Width => High - Low;
}

/// <summary>Successes out of a number of trials: a conversion, delivery, reply or opt-out rate.</summary>
public readonly record struct Proportion
{
    public Proportion(long successes, long trials)
    {
        if (trials < 0 || successes < 0 || successes > trials)
        {
            throw new ArgumentOutOfRangeException(nameof(successes), "0 <= successes <= trials");
        }
        Successes = successes;
        Trials = trials;
    }

    public long Successes { get; }
    public long Trials { get; }
    /// <summary>The observed rate; 0 when there are no trials (its interval is then [0, 1]).</summary>
    public double Rate => Trials == 0 ? 0 : (double)Successes / Trials;

    /// <summary>
    /// The Wilson score interval (Wilson 1927): unlike the Wald interval it stays inside [0, 1] and keeps
    /// its coverage near 0 % and 100 % and for small groups, which is where campaign cells live.
    /// </summary>
    public Interval Wilson(double z = Statistics.Z95)
    {
        if (Trials == 0) return new Interval(0, 1);
        double n = Trials, p = Rate, z2 = z * z;
        var centre = (p + z2 / (2 * n)) / (1 + z2 / n);
        var half = z / (1 + z2 / n) * Math.Sqrt(p * (1 - p) / n + z2 / (4 * n * n));
        // Exact ends: at 0 or n successes the bound is exactly 0 or 1 (rounding would leave 1e-17).
        return new Interval(Successes == 0 ? 0 : Math.Max(0, centre - half), Successes == Trials ? 1 : Math.Min(1, centre + half));
    }
}
