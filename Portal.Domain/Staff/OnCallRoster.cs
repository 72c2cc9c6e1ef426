using System.Globalization;
using Portal.Domain.Common;

namespace Portal.Domain.Staff;

/// <summary>
/// An on-call rotation (issue 17): its members take turns, each on duty for <see cref="ShiftDays"/>
/// days, handing over at <see cref="HandoverMinute"/> local time in <see cref="TimeZone"/> (so a
/// 09:00 hand-over stays at 09:00 across daylight-saving changes). The first member's first shift
/// starts at the hand-over on <see cref="StartDate"/>. A chain level may name a roster: whoever is
/// on duty when the level is alerted gets the SMS.
/// </summary>
public sealed class OnCallRoster
{
    public const int MaxMembers = 100;

    private OnCallRoster() { }

    public OnCallRoster(string name, string timeZone, int handoverMinute, int shiftDays, DateOnly startDate, IEnumerable<int> members)
    {
        Change(name, timeZone, handoverMinute, shiftDays, startDate, members);
    }

    public int Id { get; private set; }
    public string Name { get; private set; } = "";
    /// <summary>IANA id of the hand-over clock.</summary>
    public string TimeZone { get; private set; } = "Europe/Moscow";
    /// <summary>Local minutes after midnight.</summary>
    public int HandoverMinute { get; private set; }
    public int ShiftDays { get; private set; } = 1;
    public DateOnly StartDate { get; private set; }
    /// <summary>Employee ids in turn order, space-separated (a person may take several turns).</summary>
    public string Members { get; private set; } = "";

    public IReadOnlyList<int> MemberIds => EscalationLevel.Ids(Members);

    public void Change(string name, string timeZone, int handoverMinute, int shiftDays, DateOnly startDate, IEnumerable<int> members)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Trim().Length > 100) throw new DomainException("A roster's name is 1 to 100 characters.");
        if (handoverMinute is < 0 or >= 1440) throw new DomainException("The hand-over time is within the day.");
        if (shiftDays is < 1 or > 28) throw new DomainException("A shift lasts 1 to 28 days.");
        var list = members.ToList();
        if (list.Count is 0 or > MaxMembers) throw new DomainException("A roster has 1 to {0} members.", MaxMembers);
        _ = Zone(timeZone);
        Name = name.Trim();
        TimeZone = timeZone.Trim();
        HandoverMinute = handoverMinute;
        ShiftDays = shiftDays;
        StartDate = startDate;
        Members = string.Join(' ', list.Select(m => m.ToString(CultureInfo.InvariantCulture)));
    }

    /// <summary>Who is on duty at <paramref name="utc"/>; null before the first shift.</summary>
    public int? OnDutyAt(DateTime utc) => ShiftAt(utc) is { } shift ? MemberIds[(int)(shift % MemberIds.Count)] : null;

    /// <summary>When the shift running at <paramref name="utc"/> ends (the next hand-over), in UTC.</summary>
    public DateTime NextHandoverAfter(DateTime utc)
    {
        var shift = ShiftAt(utc) ?? -1;
        return HandoverUtc(StartDate.AddDays((int)((shift + 1) * ShiftDays)));
    }

    private long? ShiftAt(DateTime utc)
    {
        var zone = Zone(TimeZone);
        var local = TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc), zone);
        // The duty day: the local date, or the day before until today's hand-over.
        var day = DateOnly.FromDateTime(local);
        if (utc < HandoverUtc(day)) day = day.AddDays(-1);
        var days = day.DayNumber - StartDate.DayNumber;
        if (days < 0) return null;
        return days / ShiftDays;
    }

    /// <summary>The hand-over on a local date, in UTC (a hand-over in a skipped hour moves to the first valid minute after it).</summary>
    private DateTime HandoverUtc(DateOnly date)
    {
        var zone = Zone(TimeZone);
        var local = date.ToDateTime(TimeOnly.MinValue).AddMinutes(HandoverMinute);
        while (zone.IsInvalidTime(local)) local = local.AddMinutes(1);
        return TimeZoneInfo.ConvertTimeToUtc(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), zone);
    }

    private static TimeZoneInfo Zone(string id)
    {
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(string.IsNullOrWhiteSpace(id) ? "Europe/Moscow" : id.Trim());
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            throw new DomainException("Unknown time zone {0}.", id);
        }
    }
}
