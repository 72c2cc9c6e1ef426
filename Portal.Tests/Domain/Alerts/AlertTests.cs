using Portal.Domain.Alerts;
using Portal.Domain.Common;

namespace Portal.Tests.Domain.Alerts;

/// <summary>Issue 21 (mutation testing): an alert's guards and texts, its escalation state and the "one, all or N per group" rule.</summary>
public class AlertTests
{
    private static readonly DateTime Now = new(2026, 11, 25, 12, 0, 0, DateTimeKind.Utc);

    private static Alert New(RequiredAcks required = RequiredAcks.One, int count = 0, string text = "Server room flooded", string initiator = "admin") =>
        new(AlertKind.Alarm, text, "417", required, count, 7, "3 5", initiator, Now);

    private static string Refused(Action action) => Assert.Throws<DomainException>(action).Message;

    [Fact]
    public void New_KeepsWhatItWasGiven_AtLevelOne_Open()
    {
        var alert = new Alert(AlertKind.Informational, "  Lift out of order  ", "12", RequiredAcks.Count, 3, null, "1 2", "api:4", Now);
        Assert.Equal((AlertKind.Informational, "Lift out of order", "12", RequiredAcks.Count, 3), (alert.Kind, alert.Text, alert.Code, alert.Required, alert.RequiredCount));
        Assert.Equal(((int?)null, "1 2", "api:4", Now), (alert.ChainId, alert.GroupIds, alert.Initiator, alert.CreatedAt));
        Assert.Equal((AlertState.Open, 1, 0), (alert.State, alert.CurrentLevel, alert.Repeats));
        Assert.Null(alert.NextEscalationAt);
        Assert.Null(alert.ClosedAt);
        Assert.Null(alert.Outcome);
        Assert.Equal(7, New().ChainId);
    }

    [Fact]
    public void Text_IsOneTo640Characters()
    {
        const string message = "An alert's text is 1 to 640 characters.";
        Assert.Equal(640, New(text: new string('a', 640)).Text.Length);
        Assert.Equal(message, Refused(() => New(text: new string('a', 641))));
        Assert.Equal(message, Refused(() => New(text: "")));
        Assert.Equal(message, Refused(() => New(text: "   ")));
        Assert.Equal("a", New(text: "a").Text);
    }

    [Fact]
    public void CountNeedsAtLeastOne_OthersIgnoreTheCount()
    {
        Assert.Equal("Ask for at least one confirmation.", Refused(() => New(RequiredAcks.Count, 0)));
        Assert.Equal(1, New(RequiredAcks.Count, 1).RequiredCount);
        Assert.Equal(1, New(RequiredAcks.One, 0).RequiredCount);
        Assert.Equal(1, New(RequiredAcks.One, 5).RequiredCount);
        Assert.Equal(0, New(RequiredAcks.All, 0).RequiredCount);
        Assert.Equal(0, New(RequiredAcks.All, 5).RequiredCount);
    }

    [Fact]
    public void Initiator_IsRequired_AndCutAt256()
    {
        Assert.Equal("An alert needs its initiator.", Refused(() => New(initiator: " ")));
        Assert.Equal("An alert needs its initiator.", Refused(() => New(initiator: "")));
        Assert.Equal(new string('u', 256), New(initiator: new string('u', 256)).Initiator);
        Assert.Equal(new string('u', 256), New(initiator: new string('u', 257) + "x").Initiator);
        Assert.Equal("u", New(initiator: "u").Initiator);
    }

    [Fact]
    public void FromApi_RecordsTheKeyAndIdempotencyKey()
    {
        var alert = New();
        alert.FromApi(9, "retry-1");
        Assert.Equal((9, "retry-1"), (alert.ApiKeyId, alert.IdempotencyKey));
    }

    [Fact]
    public void MoveToLevel_OnlyForward_ResetsRepeats()
    {
        var alert = New();
        alert.Repeat(Now.AddMinutes(1));
        Assert.Equal("Escalation only moves forward.", Refused(() => alert.MoveToLevel(1, null)));
        Assert.Equal("Escalation only moves forward.", Refused(() => alert.MoveToLevel(0, null)));
        alert.MoveToLevel(2, Now.AddMinutes(5));
        Assert.Equal((2, 0, (DateTime?)Now.AddMinutes(5)), (alert.CurrentLevel, alert.Repeats, alert.NextEscalationAt));
        alert.MoveToLevel(4, null);
        Assert.Equal((4, (DateTime?)null), (alert.CurrentLevel, alert.NextEscalationAt));
    }

    [Fact]
    public void Repeat_CountsAndSchedules()
    {
        var alert = New();
        alert.Repeat(Now.AddMinutes(1));
        alert.Repeat(Now.AddMinutes(2));
        Assert.Equal((2, (DateTime?)Now.AddMinutes(2)), (alert.Repeats, alert.NextEscalationAt));
    }

    [Theory]
    [InlineData(AlertState.Acknowledged)]
    [InlineData(AlertState.Closed)]
    [InlineData(AlertState.Exhausted)]
    public void ClosedAlert_NeitherEscalatesNorSchedules(AlertState state)
    {
        var alert = New();
        alert.ScheduleEscalation(Now.AddMinutes(3));
        Assert.Equal(Now.AddMinutes(3), alert.NextEscalationAt);
        alert.Close(state, "done", Now.AddMinutes(1));
        Assert.Equal((state, "done", (DateTime?)Now.AddMinutes(1)), (alert.State, alert.Outcome, alert.ClosedAt));
        Assert.Null(alert.NextEscalationAt);
        Assert.Equal("Only an open alert escalates.", Refused(() => alert.MoveToLevel(2, null)));
        Assert.Equal("Only an open alert escalates.", Refused(() => alert.Repeat(Now)));
        alert.ScheduleEscalation(Now.AddMinutes(9));
        Assert.Null(alert.NextEscalationAt);
    }

    [Fact]
    public void Close_NeedsAFinalState_AndHappensOnce_OutcomeCutAt200()
    {
        var alert = New();
        Assert.Equal("Closing needs a final state.", Refused(() => alert.Close(AlertState.Open, "x", Now)));
        Assert.Equal(AlertState.Open, alert.State);
        alert.Close(AlertState.Closed, new string('o', 201), Now.AddMinutes(1));
        Assert.Equal(new string('o', 200), alert.Outcome);
        alert.Close(AlertState.Exhausted, "later", Now.AddMinutes(2));
        Assert.Equal((AlertState.Closed, (DateTime?)Now.AddMinutes(1)), (alert.State, alert.ClosedAt));
        Assert.Equal(new string('o', 200), alert.Outcome);

        var exact = New();
        exact.Close(AlertState.Acknowledged, new string('o', 200), Now);
        Assert.Equal(200, exact.Outcome!.Length);
    }

    [Fact]
    public void AckRule_NobodyAlerted_IsNotSatisfied()
    {
        Assert.False(AckRule.IsSatisfied(RequiredAcks.One, 1, []));
        Assert.False(AckRule.IsSatisfied(RequiredAcks.All, 1, []));
    }

    [Fact]
    public void AckRule_One_NeedsOneInEveryGroup()
    {
        AckVote[] votes = [new(1, 10, true), new(2, 10, false), new(3, 20, false), new(4, null, true)];
        Assert.False(AckRule.IsSatisfied(RequiredAcks.One, 1, votes));
        Assert.True(AckRule.IsSatisfied(RequiredAcks.One, 1, [.. votes, new(3, 20, true)]));
    }

    [Fact]
    public void AckRule_All_NeedsEveryone()
    {
        AckVote[] votes = [new(1, 10, true), new(2, 10, false)];
        Assert.False(AckRule.IsSatisfied(RequiredAcks.All, 1, votes));
        Assert.True(AckRule.IsSatisfied(RequiredAcks.All, 1, [new(1, 10, true), new(2, 10, true)]));
    }

    [Fact]
    public void AckRule_Count_IsPerGroup_CappedAtTheGroupsSize()
    {
        AckVote[] votes = [new(1, 10, true), new(2, 10, true), new(3, 10, false), new(4, 20, true)];
        // Group 20 has one person: N = 2 asks for all of it.
        Assert.True(AckRule.IsSatisfied(RequiredAcks.Count, 2, votes));
        Assert.False(AckRule.IsSatisfied(RequiredAcks.Count, 3, votes));
        Assert.False(AckRule.IsSatisfied(RequiredAcks.Count, 2, [new(1, 10, true), new(2, 10, false), new(3, 10, false)]));
        // N below 1 counts as 1.
        Assert.False(AckRule.IsSatisfied(RequiredAcks.Count, 0, [new(1, 10, false), new(2, 10, false)]));
        Assert.True(AckRule.IsSatisfied(RequiredAcks.Count, 0, [new(1, 10, true), new(2, 10, false)]));
    }

    [Fact]
    public void AckRule_APersonCountsOnce_InTheFirstGroup_AckedByAnyVote()
    {
        // Person 1 reached through group 10 first, then 20: counts in 10 only, so group 20 is person 2 alone.
        AckVote[] votes = [new(1, 10, false), new(1, 20, true), new(2, 20, false)];
        Assert.True(AckRule.IsSatisfied(RequiredAcks.One, 1, votes[..2]));
        Assert.False(AckRule.IsSatisfied(RequiredAcks.One, 1, votes));
        Assert.True(AckRule.IsSatisfied(RequiredAcks.All, 1, [new(1, 10, false), new(1, 10, true)]));
    }

    [Fact]
    public void Recipient_KeepsItsFields_AndTheFirstAcknowledgement()
    {
        var r = new AlertRecipient(5, 6, 2, "+79161234567", Now, 11, 3);
        Assert.Equal((5L, 6, 2, "+79161234567", Now, (int?)11, 3), (r.AlertId, r.EmployeeId, r.Level, r.Phone, r.SendAfter, r.GroupId, r.Round));
        var defaults = new AlertRecipient(5, 6, 1, "+79161234567", Now);
        Assert.Equal(((int?)null, 0), (defaults.GroupId, defaults.Round));
        r.Acknowledge(Now.AddMinutes(1), 77);
        r.Acknowledge(Now.AddMinutes(2), 78);
        Assert.Equal(((DateTime?)Now.AddMinutes(1), (long?)77), (r.AckedAt, r.AckInboundId));
    }
}
