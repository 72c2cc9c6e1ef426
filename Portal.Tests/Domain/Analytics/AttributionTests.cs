using Portal.Domain.Analytics;
using Portal.Domain.Clients;
using Portal.Domain.Common;

namespace Portal.Tests.Domain.Analytics;

public class AttributionTests
{
    private static readonly DateTime T0 = new(2026, 11, 2, 10, 0, 0, DateTimeKind.Utc);
    private static readonly CampaignGoal Purchases = new(GoalEventTypes.Purchase, null, 24);

    [Fact]
    public void EventBeforeTheMessage_IsNotAttributed()
    {
        var touch = new Touch(1, 10, false, T0, Purchases);
        Assert.Null(Attribution.LastTouch(ClientEventType.Purchase, 5m, T0.AddTicks(-1), [touch]));
    }

    [Fact]
    public void EventsExactlyAtTheDeliveryAndAtTheWindowEdge_Count_OneTickLaterDoesNot()
    {
        var touch = new Touch(1, 10, false, T0, Purchases);
        Assert.Equal(touch, Attribution.LastTouch(ClientEventType.Purchase, 5m, T0, [touch]));
        Assert.Equal(touch, Attribution.LastTouch(ClientEventType.Purchase, 5m, T0.AddHours(24), [touch]));
        Assert.Null(Attribution.LastTouch(ClientEventType.Purchase, 5m, T0.AddHours(24).AddTicks(1), [touch]));
    }

    [Fact]
    public void ClientInTwoCampaigns_TheLastTouchBeforeTheEventWins_AndControlTouchesCompete()
    {
        var first = new Touch(1, 10, false, T0, Purchases);
        var second = new Touch(2, 20, true, T0.AddHours(2), Purchases);
        Assert.Equal(first, Attribution.LastTouch(ClientEventType.Purchase, null, T0.AddHours(1), [first, second]));
        Assert.Equal(second, Attribution.LastTouch(ClientEventType.Purchase, null, T0.AddHours(3), [second, first]));
        // Past the later campaign's window but inside the earlier one's: the earlier one gets it.
        var longFirst = first with { Goal = new CampaignGoal(GoalEventTypes.Purchase, null, 72) };
        Assert.Equal(longFirst, Attribution.LastTouch(ClientEventType.Purchase, null, T0.AddHours(30), [longFirst, second]));
    }

    [Fact]
    public void OnlyGoalTypesAndAmountsCount()
    {
        var touch = new Touch(1, 10, false, T0, new CampaignGoal(GoalEventTypes.Purchase | GoalEventTypes.Payment, 100m, 24));
        Assert.Null(Attribution.LastTouch(ClientEventType.Login, null, T0.AddHours(1), [touch]));
        Assert.Null(Attribution.LastTouch(ClientEventType.Purchase, 99.99m, T0.AddHours(1), [touch]));
        Assert.Null(Attribution.LastTouch(ClientEventType.Purchase, null, T0.AddHours(1), [touch]));
        Assert.Equal(touch, Attribution.LastTouch(ClientEventType.Payment, 100m, T0.AddHours(1), [touch]));
    }

    [Fact]
    public void EqualTouchTimes_GoToTheHigherCampaignId_WhateverTheOrder()
    {
        var a = new Touch(3, 30, false, T0, Purchases);
        var b = new Touch(7, 70, false, T0, Purchases);
        Assert.Equal(7, Attribution.LastTouch(ClientEventType.Purchase, null, T0, [a, b])!.Value.CampaignId);
        Assert.Equal(7, Attribution.LastTouch(ClientEventType.Purchase, null, T0, [b, a])!.Value.CampaignId);
    }

    [Fact]
    public void LateEarlierEvent_ReplacesTheConversion_ALaterOneDoesNot()
    {
        var c = new Conversion(1, 5, 10, false, eventId: 100, convertedAt: T0.AddHours(5), amountMinor: 500);
        Assert.False(c.OfferEarlier(101, T0.AddHours(6), 900));
        Assert.True(c.OfferEarlier(102, T0.AddHours(1), 300));
        Assert.Equal(102, c.EventId);
        Assert.Equal(300, c.AmountMinor);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(90 * 24 + 1)]
    public void Goal_WindowOutsideOneHourToNinetyDays_IsRefused(int hours)
    {
        Assert.Throws<DomainException>(() => new CampaignGoal(GoalEventTypes.Purchase, null, hours));
    }

    [Fact]
    public void Goal_WithoutEventTypes_OrNegativeAmount_IsRefused()
    {
        Assert.Throws<DomainException>(() => new CampaignGoal(GoalEventTypes.None));
        Assert.Throws<DomainException>(() => new CampaignGoal(GoalEventTypes.Visit, -1m));
        Assert.Equal(168, new CampaignGoal(GoalEventTypes.Visit).WindowHours);
    }
}
