using Portal.Domain.Clients;
using Portal.Domain.Common;
using Portal.Domain.Providers;

namespace Portal.Tests.Domain.Providers;

public class RoutePlannerTests
{
    private const string MtsPhone = "+79161234567";
    private static readonly DateTime Now = new(2026, 11, 25, 12, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime Earlier = Now.AddDays(-1);

    private static RouteCandidate Provider(int id, decimal defaultPrice, ProviderHealth? health = null, bool enabled = true,
        string[]? operators = null, ProviderKind kind = ProviderKind.Smpp, params PriceListEntry[] prices) =>
        new(id, "P" + id, kind, enabled, operators ?? [], defaultPrice, new PriceBook(prices), health ?? ProviderHealth.Healthy);

    private static PriceListEntry Op(int provider, string op, decimal price, DateTime? from = null) => new(provider, op, null, price, "RUB", from ?? Earlier);
    private static PriceListEntry Prefix(int provider, string prefix, decimal price, DateTime? from = null) => new(provider, null, prefix, price, "RUB", from ?? Earlier);

    [Fact]
    public void Plan_PrefixBeatsOperatorBeatsDefault_ForTheProvidersOwnPrice()
    {
        var p = Provider(1, 0.50m, prices: [Op(1, "MTS", 0.40m), Prefix(1, "7916", 0.30m), Prefix(1, "79161", 0.20m), Prefix(1, "7925", 0.01m)]);
        Assert.Equal((0.20m, "RUB", PriceSource.Prefix, "79161"), RoutePlanner.PriceOf(p, "79161234567", "MTS", Now));
        Assert.Equal((0.40m, "RUB", PriceSource.Operator, "MTS"), RoutePlanner.PriceOf(p, "79101234567", "MTS", Now));
        Assert.Equal((0.50m, "RUB", PriceSource.Default, null), RoutePlanner.PriceOf(p, "79031234567", "Beeline", Now));
    }

    [Fact]
    public void Plan_FuturePriceIgnored_LatestValidWins()
    {
        var p = Provider(1, 0.50m, prices: [Op(1, "MTS", 0.40m, Earlier.AddDays(-5)), Op(1, "MTS", 0.35m, Earlier), Op(1, "MTS", 0.01m, Now.AddHours(1))]);
        Assert.Equal(0.35m, RoutePlanner.PriceOf(p, "79161234567", "MTS", Now).Price);
    }

    [Fact]
    public void Plan_OrdersByPrice_TiesByLowerId_WithReasons()
    {
        var plan = RoutePlanner.Plan(MtsPhone, MobileOperators.Of(MtsPhone), [
            Provider(3, 0.50m, prices: Op(3, "MTS", 0.29m)),
            Provider(2, 0.29m),
            Provider(1, 0.60m, prices: Prefix(1, "7916", 0.31m)),
        ], Now);

        Assert.Equal("MTS", plan.Operator);
        Assert.Equal([2, 3, 1], plan.Usable.Select(o => o.ProviderId));
        Assert.Equal("default price 0.29 RUB/part", plan.Options[0].Reason(plan.Operator));
        Assert.Equal("price for MTS at 0.29 RUB/part", plan.Options[1].Reason(plan.Operator));
        Assert.Equal("prefix +7916 at 0.31 RUB/part", plan.Options[2].Reason(plan.Operator));
    }

    [Fact]
    public void Plan_CircuitOpen_SkippedWithTime_NextIsBest_HalfOpenAfterHealthy()
    {
        var until = new DateTimeOffset(2026, 11, 25, 23, 41, 0, TimeSpan.Zero);
        var plan = RoutePlanner.Plan(MtsPhone, "MTS", [
            Provider(1, 0.10m, new ProviderHealth(CircuitState.Open, until)),
            Provider(2, 0.20m, new ProviderHealth(CircuitState.HalfOpen, until)),
            Provider(3, 0.30m),
        ], Now);

        Assert.Equal(3, plan.Best!.ProviderId);
        Assert.Equal([3, 2], plan.Usable.Select(o => o.ProviderId));
        var open = plan.Options.Single(o => o.ProviderId == 1);
        Assert.Equal(RouteVerdict.CircuitOpen, open.Verdict);
        Assert.Equal("skipped: circuit open until 23:41:00 UTC", open.Reason("MTS"));
    }

    [Fact]
    public void Plan_DisabledNotServingAndNoAdapter_Skipped()
    {
        var plan = RoutePlanner.Plan("+79501234567", MobileOperators.Of("+79501234567"), [
            Provider(1, 0.01m, enabled: false),
            Provider(2, 0.02m, operators: ["MTS", "MegaFon"]),
            Provider(3, 0.03m, kind: ProviderKind.Http),
            Provider(4, 0.90m, operators: ["t2"]),
        ], Now, hasAdapter: k => k == ProviderKind.Smpp);

        Assert.Equal("T2", plan.Operator);
        Assert.Equal(4, Assert.Single(plan.Usable).ProviderId);
        Assert.Equal("skipped: disabled", plan.Options.Single(o => o.ProviderId == 1).Reason(plan.Operator));
        Assert.Equal("does not serve T2", plan.Options.Single(o => o.ProviderId == 2).Reason(plan.Operator));
        Assert.Equal(RouteVerdict.NoAdapter, plan.Options.Single(o => o.ProviderId == 3).Verdict);
    }

    [Fact]
    public void Plan_NamedProvider_OnlyThatOne_EvenIfDearer()
    {
        var plan = RoutePlanner.Plan(MtsPhone, "MTS", [Provider(1, 0.10m), Provider(2, 0.90m)], Now, namedProviderId: 2);
        Assert.Equal(2, Assert.Single(plan.Usable).ProviderId);
        Assert.Equal(RouteVerdict.NotNamed, plan.Options.Single(o => o.ProviderId == 1).Verdict);
    }

    [Fact]
    public void Plan_NoProviders_NoBest()
    {
        Assert.Null(RoutePlanner.Plan(MtsPhone, "MTS", [], Now).Best);
        Assert.Null(RoutePlanner.Plan(MtsPhone, "MTS", [Provider(1, 0.1m, enabled: false)], Now).Best);
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("MTS", "7916")]
    [InlineData(null, "+7916")]
    [InlineData(null, "79a")]
    public void PriceListEntry_BadDestination_Refused(string? op, string? prefix) =>
        Assert.Throws<DomainException>(() => new PriceListEntry(1, op, prefix, 1m, "RUB", Now));

    [Theory]
    [InlineData(-0.01, "RUB")]
    [InlineData(0.5, "rub")]
    [InlineData(0.5, "RUBL")]
    public void PriceListEntry_BadPriceOrCurrency_Refused(decimal price, string currency) =>
        Assert.Throws<DomainException>(() => new PriceListEntry(1, "MTS", null, price, currency, Now));
}
