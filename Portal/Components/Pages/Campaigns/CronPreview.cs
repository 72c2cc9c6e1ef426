using Quartz;

namespace Portal.Components.Pages.Campaigns;

/// <summary>
/// A human check of a recurring schedule: the next firings of a Quartz cron expression (seconds
/// first, evaluated in UTC like the other schedules), before its end date, shown in the user's zone.
/// </summary>
public static class CronPreview
{
    /// <returns>Null when the expression parses; otherwise why it does not (English, a localization key).</returns>
    public static string? TryNext(string? cron, DateTime fromUtc, DateTime? endsAtUtc, int count, out IReadOnlyList<DateTime> nextUtc)
    {
        nextUtc = [];
        // Quartz 4.7.3 has no IsValidExpression: TryParse is the check.
        if (string.IsNullOrWhiteSpace(cron) || !CronExpression.TryParse(cron.Trim(), out var expression) || expression is null)
        {
            return "Not a Quartz cron expression: six or seven fields, seconds first, e.g. '0 0 10 ? * MON' (Mondays at 10:00).";
        }
        expression = expression.WithTimeZone(TimeZoneInfo.Utc);
        var times = new List<DateTime>();
        var at = new DateTimeOffset(DateTime.SpecifyKind(fromUtc, DateTimeKind.Utc));
        while (times.Count < count && expression.GetNextValidTimeAfter(at) is { } next && (endsAtUtc is null || next.UtcDateTime <= endsAtUtc))
        {
            times.Add(next.UtcDateTime);
            at = next;
        }
        nextUtc = times;
        return times.Count == 0 ? "This schedule never fires before its end date." : null;
    }
}
