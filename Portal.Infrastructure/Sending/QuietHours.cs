using System.Collections.Concurrent;
using Portal.Domain.Campaigns;

namespace Portal.Infrastructure.Sending;

/// <summary>Quiet hours in the client's own time zone (IANA id, e.g. Asia/Kamchatka).</summary>
public static class QuietHours
{
    private static readonly ConcurrentDictionary<string, TimeZoneInfo> Zones = new(StringComparer.Ordinal);
    private static readonly TimeZoneInfo Moscow = TimeZoneInfo.FindSystemTimeZoneById("Europe/Moscow");

    /// <summary>Unknown or empty ids fall back to Moscow time, the base's default.</summary>
    public static TimeZoneInfo Zone(string? id) =>
        string.IsNullOrWhiteSpace(id) ? Moscow : Zones.GetOrAdd(id, static z => TimeZoneInfo.TryFindSystemTimeZoneById(z, out var tz) ? tz : Moscow);

    /// <summary>Null when the client may get a message now; otherwise the UTC time quiet hours end for them.</summary>
    public static DateTime? NextAllowedUtc(Campaign campaign, string? timeZone, DateTime utcNow)
    {
        if (!campaign.Settings.QuietHoursEnabled) return null;
        var zone = Zone(timeZone);
        var local = TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(utcNow, DateTimeKind.Utc), zone);
        var minute = local.Hour * 60 + local.Minute;
        if (!campaign.IsQuiet(minute)) return null;
        var end = local.Date.AddMinutes(campaign.Settings.QuietToMinute);
        if (end <= local) end = end.AddDays(1);
        // A time skipped by a DST change does not exist locally: take the first valid minute after it.
        while (zone.IsInvalidTime(end)) end = end.AddMinutes(1);
        return TimeZoneInfo.ConvertTimeToUtc(DateTime.SpecifyKind(end, DateTimeKind.Unspecified), zone);
    }
}
