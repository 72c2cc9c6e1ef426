using Portal.Domain.Common;
using Portal.Domain.Staff;

namespace Portal.Tests.Domain.Staff;

/// <summary>Issue 21 (mutation testing): who is on duty when, hand-overs across days and daylight saving, and the roster's bounds.</summary>
public class OnCallRosterTests
{
    private static readonly DateOnly Start = new(2026, 11, 1);

    private static DateTime Utc(int month, int day, int hour, int minute = 0) => new(2026, month, day, hour, minute, 0, DateTimeKind.Utc);

    // 09:00 Moscow (UTC+3, no daylight saving) = 06:00 UTC; shifts of two days; three people.
    private static OnCallRoster Moscow() => new("  Night duty ", "Europe/Moscow", 9 * 60, 2, Start, [10, 20, 30]);

    private static string Refused(Action action) => Assert.Throws<DomainException>(action).Message;

    [Fact]
    public void New_KeepsItsSettings()
    {
        var r = Moscow();
        Assert.Equal(("Night duty", "Europe/Moscow", 540, 2, Start, "10 20 30"), (r.Name, r.TimeZone, r.HandoverMinute, r.ShiftDays, r.StartDate, r.Members));
        Assert.Equal([10, 20, 30], r.MemberIds);
    }

    [Fact]
    public void OnDuty_TakesTurns_HandingOverAtNineLocal()
    {
        var r = Moscow();
        Assert.Null(r.OnDutyAt(Utc(10, 31, 12)));
        Assert.Null(r.OnDutyAt(Utc(11, 1, 5, 59)));
        Assert.Equal(10, r.OnDutyAt(Utc(11, 1, 6)));
        Assert.Equal(10, r.OnDutyAt(Utc(11, 2, 23)));
        Assert.Equal(10, r.OnDutyAt(Utc(11, 3, 5, 59)));
        Assert.Equal(20, r.OnDutyAt(Utc(11, 3, 6)));
        Assert.Equal(30, r.OnDutyAt(Utc(11, 5, 6)));
        Assert.Equal(10, r.OnDutyAt(Utc(11, 7, 6)));
        Assert.Equal(20, r.OnDutyAt(new DateTime(2026, 11, 9, 6, 0, 0, DateTimeKind.Unspecified)));
    }

    [Fact]
    public void NextHandover_IsTheEndOfTheRunningShift_OrTheFirstShift()
    {
        var r = Moscow();
        Assert.Equal(Utc(11, 1, 6), r.NextHandoverAfter(Utc(10, 20, 0)));
        Assert.Equal(Utc(11, 3, 6), r.NextHandoverAfter(Utc(11, 1, 6)));
        Assert.Equal(Utc(11, 3, 6), r.NextHandoverAfter(Utc(11, 3, 5, 59)));
        Assert.Equal(Utc(11, 5, 6), r.NextHandoverAfter(Utc(11, 3, 6)));
    }

    [Fact]
    public void Handover_StaysAtLocalTime_AcrossDaylightSaving_AndLeavesASkippedHour()
    {
        // Berlin moves from CET (UTC+1) to CEST (UTC+2) at 02:00 on 29 March 2026; 02:30 does not exist that day.
        var r = new OnCallRoster("Berlin", "Europe/Berlin", 2 * 60 + 30, 1, new DateOnly(2026, 3, 28), [1, 2]);
        Assert.Equal(Utc(3, 28, 1, 30), r.NextHandoverAfter(Utc(3, 27, 0)));
        Assert.Equal(Utc(3, 29, 1, 0), r.NextHandoverAfter(Utc(3, 28, 12)));
        Assert.Equal(Utc(3, 30, 0, 30), r.NextHandoverAfter(Utc(3, 29, 12)));
        Assert.Equal(1, r.OnDutyAt(Utc(3, 29, 0, 59)));
        Assert.Equal(2, r.OnDutyAt(Utc(3, 29, 1, 0)));
    }

    [Fact]
    public void AnEmptyZone_IsMoscow()
    {
        var r = new OnCallRoster("r", "  ", 0, 1, Start, [5]);
        Assert.Equal("", r.TimeZone);
        Assert.Null(r.OnDutyAt(Utc(10, 31, 20, 59)));
        Assert.Equal(5, r.OnDutyAt(Utc(10, 31, 21)));
    }

    [Fact]
    public void Bounds_AndTheirTexts()
    {
        Assert.Equal("A roster's name is 1 to 100 characters.", Refused(() => new OnCallRoster(" ", "Europe/Moscow", 0, 1, Start, [1])));
        Assert.Equal("A roster's name is 1 to 100 characters.", Refused(() => new OnCallRoster(new string('r', 101), "Europe/Moscow", 0, 1, Start, [1])));
        Assert.Equal(100, new OnCallRoster(" " + new string('r', 100), "Europe/Moscow", 0, 1, Start, [1]).Name.Length);

        Assert.Equal("The hand-over time is within the day.", Refused(() => new OnCallRoster("r", "Europe/Moscow", -1, 1, Start, [1])));
        Assert.Equal("The hand-over time is within the day.", Refused(() => new OnCallRoster("r", "Europe/Moscow", 1440, 1, Start, [1])));
        Assert.Equal(1439, new OnCallRoster("r", "Europe/Moscow", 1439, 1, Start, [1]).HandoverMinute);

        Assert.Equal("A shift lasts 1 to 28 days.", Refused(() => new OnCallRoster("r", "Europe/Moscow", 0, 0, Start, [1])));
        Assert.Equal("A shift lasts 1 to 28 days.", Refused(() => new OnCallRoster("r", "Europe/Moscow", 0, 29, Start, [1])));
        Assert.Equal(28, new OnCallRoster("r", "Europe/Moscow", 0, 28, Start, [1]).ShiftDays);

        Assert.Equal("A roster has 1 to 100 members.", Refused(() => new OnCallRoster("r", "Europe/Moscow", 0, 1, Start, [])));
        Assert.Equal("A roster has 1 to 100 members.", Refused(() => new OnCallRoster("r", "Europe/Moscow", 0, 1, Start, Enumerable.Range(1, 101))));
        Assert.Equal(100, new OnCallRoster("r", "Europe/Moscow", 0, 1, Start, Enumerable.Range(1, 100)).MemberIds.Count);

        Assert.Equal("Unknown time zone Mars/Olympus.", Refused(() => new OnCallRoster("r", "Mars/Olympus", 0, 1, Start, [1])));
    }

    [Fact]
    public void Change_ReplacesEverything_RepeatedMembersTakeTurns()
    {
        var r = Moscow();
        r.Change(" Day ", " Asia/Yekaterinburg ", 60, 1, Start.AddDays(1), [7, 8, 7]);
        Assert.Equal(("Day", "Asia/Yekaterinburg", 60, 1, Start.AddDays(1), "7 8 7"), (r.Name, r.TimeZone, r.HandoverMinute, r.ShiftDays, r.StartDate, r.Members));
        // 01:00 at UTC+5 is 20:00 UTC the day before.
        Assert.Equal(7, r.OnDutyAt(Utc(11, 1, 20)));
        Assert.Equal(8, r.OnDutyAt(Utc(11, 2, 20)));
        Assert.Equal(7, r.OnDutyAt(Utc(11, 3, 20)));
    }
}
