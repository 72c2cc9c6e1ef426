using Microsoft.JSInterop;

namespace Portal.Components.Pages.Campaigns;

/// <summary>
/// The user's time zone, asked of the browser (the server's zone means nothing to a user in
/// Vladivostok). Dates are stored in UTC and shown in this zone; UTC when the browser cannot tell.
/// </summary>
public static class BrowserTime
{
    public static async Task<TimeZoneInfo> ZoneAsync(IJSRuntime js)
    {
        try
        {
            await using var module = await js.InvokeAsync<IJSObjectReference>("import", "./campaigns.js");
            var id = module is null ? null : await module.InvokeAsync<string?>("timeZone");
            return id is not null && TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) ? zone : TimeZoneInfo.Utc;
        }
        catch (Exception e) when (e is JSException or InvalidOperationException or TaskCanceledException or JSDisconnectedException)
        {
            return TimeZoneInfo.Utc;
        }
    }

    public static DateTime ToLocal(DateTime utc, TimeZoneInfo zone) =>
        TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc), zone);

    /// <summary>A wall-clock time in <paramref name="zone"/> as UTC; a time skipped by a clock change moves forward an hour.</summary>
    public static DateTime ToUtc(DateTime local, TimeZoneInfo zone)
    {
        var unspecified = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        if (zone.IsInvalidTime(unspecified))
        {
            unspecified = unspecified.AddHours(1);
        }
        return TimeZoneInfo.ConvertTimeToUtc(unspecified, zone);
    }

    public static string Format(DateTime? utc, TimeZoneInfo zone) =>
        utc is { } u ? ToLocal(u, zone).ToString("g") : "—";
}
