using Quartz;

namespace Portal.Components.Pages.Campaigns;

/// <summary>
/// A human check of a recurring schedule: the next firings of a Quartz cron expression (seconds
/// first, evaluated in UTC like the other schedules), before its end date, shown in the user's zone.
/// </summary>
public static class CronPreview
{
    public const string NotCron = "Not a Quartz cron expression: six or seven fields, seconds first, e.g. '0 0 10 ? * MON' (Mondays at 10:00).";
    public const string NeverFires = "This schedule never fires before its end date.";

    /// <summary>The messages <see cref="TryNext"/> returns, for the localization check.</summary>
    public static IReadOnlyList<string> Messages { get; } = [NotCron, NeverFires];

    /// <returns>Null when the expression parses; otherwise why it does not (English, a localization key).</returns>
    public static string? TryNext(string? cron, DateTime fromUtc, DateTime? endsAtUtc, int count, out IReadOnlyList<DateTime> nextUtc)
    {
        nextUtc = [];
        // Quartz 4.7.3 has no IsValidExpression: TryParse is the check.
        if (string.IsNullOrWhiteSpace(cron) || !CronExpression.TryParse(cron.Trim(), out var expression) || expression is null)
        {
            return NotCron;
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
        return times.Count == 0 ? NeverFires : null;
    }
}
