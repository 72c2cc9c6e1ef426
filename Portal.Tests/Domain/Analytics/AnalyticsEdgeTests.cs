using Portal.Domain.Common;
using Portal.Domain.Analytics;
using Portal.Domain.Clients;

namespace Portal.Tests.Domain.Analytics;

/// <summary>
/// The edges of the analytics domain that mutation testing (issue 21, `scripts/mutation.sh --mutate
/// "**/Analytics/*.cs"`) found unguarded: interval ends, the goal's bounds and messages, the order in
/// which a conversion is replaced, revenue variance, the small-group flag, and the exact formulas of
/// the relative and revenue intervals, each against a value worked out here.
/// </summary>
public class AnalyticsEdgeTests
{
    private const double Z = Statistics.Z95;

    [Theory]
    [InlineData(0.1, true)]
    [InlineData(0.2, true)]
    [InlineData(0.15, true)]
    [InlineData(0.05, false)]
    [InlineData(0.25, false)]
    public void Interval_ContainsBothEnds_AndNothingOutside(double value, bool inside) =>
        Assert.Equal(inside, new Interval(0.1, 0.2).Contains(value));

    [Theory]
    [InlineData(0.0, 1.0, false)]
    [InlineData(-1.0, 0.0, false)]
    [InlineData(0.01, 1.0, true)]
    [InlineData(-1.0, -0.01, true)]
    [InlineData(-0.5, 0.5, false)]
    public void Interval_ExcludesZero_OnlyWhenBothEndsAreOnOneSide(double low, double high, bool excludes) =>
        Assert.Equal(excludes, new Interval(low, high).ExcludesZero);

    [Fact]
    public void Interval_Width_IsHighMinusLow() => Assert.Equal(0.2, new Interval(0.1, 0.3).Width, 12);

    [Theory]
    [InlineData(3, 2)]
    [InlineData(-1, 2)]
    [InlineData(1, -1)]
    public void Proportion_OutsideZeroToTrials_IsRefused(long successes, long trials)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new Proportion(successes, trials));
        Assert.Contains("0 <= successes <= trials", error.Message);
    }

    [Fact]
    public void Proportion_WithNoTrials_HasRateZero_AndTheWholeInterval()
    {
        var none = new Proportion(0, 0);
        Assert.Equal(0, none.Rate);
        Assert.Equal(new Interval(0, 1), none.Wilson());
    }

    /// <summary>At all or none the Wilson bound is exactly 1 or 0: rounding must not leave 0.9999999999999999.</summary>
    [Fact]
    public void Wilson_AtAllOrNone_EndsExactlyAtOneOrZero()
    {
        for (var n = 1; n <= 200; n++)
        {
            Assert.Equal(1.0, new Proportion(n, n).Wilson().High);
            Assert.Equal(0.0, new Proportion(0, n).Wilson().Low);
        }
    }

    [Fact]
    public void Erfc_OfNegativeValues_IsTwoMinusTheTail()
    {
        Assert.Equal(1.8427007929497148, Statistics.Erfc(-1), 6);
        Assert.Equal(2 - Statistics.Erfc(0.5), Statistics.Erfc(-0.5), 12);
    }

    [Fact]
    public void Goal_NamingNoEventType_IsRefusedInWords()
    {
        var error = Assert.Throws<DomainException>(() => new CampaignGoal(GoalEventTypes.None));
        Assert.Equal("A goal names at least one event type.", error.Message);
    }

    [Fact]
    public void Goal_MinimumAmount_ZeroIsAllowed_ANegativeOneIsRefusedInWords()
    {
        Assert.Equal(0m, new CampaignGoal(GoalEventTypes.Purchase, 0m).MinAmount);
        var error = Assert.Throws<DomainException>(() => new CampaignGoal(GoalEventTypes.Purchase, -0.01m));
        Assert.Equal("A goal's minimum amount cannot be negative.", error.Message);
    }

    [Theory]
    [InlineData(CampaignGoal.MinWindowHours, true)]
    [InlineData(CampaignGoal.MaxWindowHours, true)]
    [InlineData(CampaignGoal.MinWindowHours - 1, false)]
    [InlineData(CampaignGoal.MaxWindowHours + 1, false)]
    public void Goal_Window_IsOneHourToNinetyDays_BothEndsIncluded(int hours, bool allowed)
    {
        if (allowed)
        {
            Assert.Equal(hours, new CampaignGoal(GoalEventTypes.Purchase, null, hours).WindowHours);
            return;
        }
        var error = Assert.Throws<DomainException>(() => new CampaignGoal(GoalEventTypes.Purchase, null, hours));
        Assert.Equal("The attribution window is 1 hour to 90 days.", error.Message);
    }

    [Fact]
    public void Goal_AcceptsOnlyItsOwnEventTypes()
    {
        var goal = new CampaignGoal(GoalEventTypes.Purchase);
        Assert.True(goal.Accepts(ClientEventType.Purchase, null));
        Assert.False(goal.Accepts(ClientEventType.Login, null));
        Assert.False(goal.Accepts(ClientEventType.Payment, 100m));
    }

    [Theory]
    [InlineData(ClientEventType.Purchase, GoalEventTypes.Purchase)]
    [InlineData(ClientEventType.Payment, GoalEventTypes.Payment)]
    [InlineData(ClientEventType.Login, GoalEventTypes.Login)]
    [InlineData(ClientEventType.Visit, GoalEventTypes.Visit)]
    [InlineData(ClientEventType.Custom, GoalEventTypes.Custom)]
    [InlineData((ClientEventType)42, GoalEventTypes.None)]
    public void Goal_FlagOfEachEventType_AndOnlyThatFlagAcceptsIt(ClientEventType type, GoalEventTypes flag)
    {
        Assert.Equal(flag, CampaignGoal.Flag(type));
        var everything = new CampaignGoal(GoalEventTypes.Purchase | GoalEventTypes.Payment | GoalEventTypes.Login | GoalEventTypes.Visit | GoalEventTypes.Custom);
        Assert.Equal(flag != GoalEventTypes.None, everything.Accepts(type, null));
    }

    /// <summary>Two touches of one campaign at the same moment: the first one seen stays (ties go only to a higher campaign id).</summary>
    [Fact]
    public void Attribution_TwoTouchesOfOneCampaignAtOneMoment_KeepsTheFirst()
    {
        var at = new DateTime(2026, 11, 2, 9, 0, 0, DateTimeKind.Utc);
        var goal = new CampaignGoal(GoalEventTypes.Purchase);
        var touch = Attribution.LastTouch(ClientEventType.Purchase, 1m, at.AddHours(1),
            [new Touch(7, 1, false, at, goal), new Touch(7, 2, false, at, goal)]);
        Assert.Equal(1, touch!.Value.MessageId);
    }

    private static readonly DateTime Converted = new(2026, 11, 3, 12, 0, 0, DateTimeKind.Utc);

    [Theory]
    [InlineData(-60, 500, true)]   // an earlier event replaces
    [InlineData(60, 50, false)]    // a later one does not, whatever its id
    [InlineData(0, 99, true)]      // at the same moment, the lower event id replaces
    [InlineData(0, 100, false)]    // the same event
    [InlineData(0, 101, false)]    // at the same moment, a higher event id does not
    public void Conversion_IsReplacedOnlyByAnEarlierEvent_OrAtTheSameMomentByALowerId(int minutes, long eventId, bool replaced)
    {
        var conversion = new Conversion(1, 2, 3, false, 100, Converted, 50_000);

        Assert.Equal(replaced, conversion.OfferEarlier(eventId, Converted.AddMinutes(minutes), 70_000));

        Assert.Equal(replaced ? eventId : 100, conversion.EventId);
        Assert.Equal(replaced ? 70_000 : 50_000, conversion.AmountMinor);
        Assert.Equal(replaced ? Converted.AddMinutes(minutes) : Converted, conversion.ConvertedAt);
    }

    [Theory]
    [InlineData(12.34, 1234)]
    [InlineData(1.005, 101)]
    [InlineData(-0.005, -1)]
    public void Conversion_AmountsInMinorUnits_RoundHalfAwayFromZero(double amount, long minor) =>
        Assert.Equal(minor, Conversion.ToMinor((decimal)amount));

    [Fact]
    public void Conversion_NoAmount_IsZeroMinorUnits() => Assert.Equal(0, Conversion.ToMinor(null));

    [Fact]
    public void GroupOutcome_RevenuePerClient_OfNoClients_IsZero() =>
        Assert.Equal(0, new GroupOutcome(0, 0, 0m, 0).RevenuePerClient);

    [Fact]
    public void GroupOutcome_RevenueVariance_IsTheSampleVariance_AndZeroForOneClient()
    {
        // Amounts 1 and 3: mean 2, sample variance ((1-2)² + (3-2)²) / 1 = 2.
        Assert.Equal(2, new GroupOutcome(2, 2, 4m, 10).RevenueVariance, 12);
        // Amounts 0, 0 and 3: mean 1, ((0-1)² · 2 + (3-1)²) / 2 = 3.
        Assert.Equal(3, new GroupOutcome(3, 1, 3m, 9).RevenueVariance, 12);
        Assert.Equal(0, new GroupOutcome(1, 1, 5m, 25).RevenueVariance);
    }

    [Fact]
    public void GroupOutcomes_Add_FieldByField() =>
        Assert.Equal(new GroupOutcome(11, 22, 33m, 44), new GroupOutcome(1, 2, 3m, 4) + new GroupOutcome(10, 20, 30m, 40));

    private static UpliftResult Result(long sent, long control, Interval? absolute) =>
        new(new GroupOutcome(sent, 0, 0m, 0), new GroupOutcome(control, 0, 0m, 0), 0, new Interval(0, 1), 0, new Interval(0, 1),
            0, absolute, null, null, null, null, null, null, null, UpliftVerdict.NotSignificant);

    [Fact]
    public void Small_IsFewerThan30OnASide_OrAnIntervalWiderThanTenPoints()
    {
        Assert.False(Result(30, 30, new Interval(0, 0.05)).IsSmall);
        Assert.False(Result(1_000, 1_000, new Interval(0, 0.10)).IsSmall); // exactly ten points: not wider
        Assert.True(Result(29, 1_000, new Interval(0, 0.05)).IsSmall);
        Assert.True(Result(1_000, 29, new Interval(0, 0.05)).IsSmall);
        Assert.True(Result(1_000, 1_000, new Interval(0, 0.11)).IsSmall);
        Assert.True(Result(1_000, 1_000, null).IsSmall);
    }

    /// <summary>Sent 1 of 2, control 0 of 8: the z-test says p = 0.035, Newcombe's interval holds zero. A claim must survive both: not significant.</summary>
    [Fact]
    public void TestAndIntervalDisagree_NotSignificant()
    {
        var r = UpliftCalculator.Compute(new GroupOutcome(2, 1, 0m, 0), new GroupOutcome(8, 0, 0m, 0));

        Assert.True(r.PValue < UpliftCalculator.Alpha);
        Assert.True(r.AbsoluteInterval!.Value.Contains(0));
        Assert.Equal(UpliftVerdict.NotSignificant, r.Verdict);
    }

    [Fact]
    public void NoSentConversions_RelativeUpliftIsMinusOne_WithNoInterval()
    {
        var r = UpliftCalculator.Compute(new GroupOutcome(100, 0, 0m, 0), new GroupOutcome(100, 5, 0m, 0));

        Assert.Equal(-1, r.RelativeUplift!.Value, 12);
        Assert.Null(r.RelativeInterval);
    }

    /// <summary>The Katz log interval, the Welch revenue interval and the incremental conversions' interval, worked out here.</summary>
    [Fact]
    public void Intervals_AreTheDocumentedFormulas()
    {
        // Sent: 1,000 clients, 100 bought for 500 each; control: 1,000 clients, 50 bought for 500 each.
        var sent = new GroupOutcome(1_000, 100, 50_000m, 100 * 500d * 500d);
        var control = new GroupOutcome(1_000, 50, 25_000m, 50 * 500d * 500d);

        var r = UpliftCalculator.Compute(sent, control);

        var se = Math.Sqrt(1.0 / 100 - 1.0 / 1_000 + 1.0 / 50 - 1.0 / 1_000);
        Assert.Equal(Math.Exp(Math.Log(2) - Z * se) - 1, r.RelativeInterval!.Value.Low, 12);
        Assert.Equal(Math.Exp(Math.Log(2) + Z * se) - 1, r.RelativeInterval!.Value.High, 12);

        double Variance(double n, double buyers) => (buyers * 500 * 500 - buyers * 500 * (buyers * 500) / n) / (n - 1);
        var revenueSe = Math.Sqrt(Variance(1_000, 100) / 1_000 + Variance(1_000, 50) / 1_000);
        Assert.Equal(25_000, r.IncrementalRevenue!.Value, 6);
        Assert.Equal((25 - Z * revenueSe) * 1_000, r.IncrementalRevenueInterval!.Value.Low, 6);
        Assert.Equal((25 + Z * revenueSe) * 1_000, r.IncrementalRevenueInterval!.Value.High, 6);

        Assert.Equal(r.AbsoluteInterval!.Value.Low * 1_000, r.IncrementalConversionsInterval!.Value.Low, 9);
        Assert.Equal(r.AbsoluteInterval!.Value.High * 1_000, r.IncrementalConversionsInterval!.Value.High, 9);
        Assert.Equal(UpliftVerdict.SignificantIncrease, r.Verdict);
    }

    [Fact]
    public void ASignificantDrop_IsADecrease() =>
        Assert.Equal(UpliftVerdict.SignificantDecrease,
            UpliftCalculator.Compute(new GroupOutcome(1_000, 50, 0m, 0), new GroupOutcome(1_000, 100, 0m, 0)).Verdict);
}
