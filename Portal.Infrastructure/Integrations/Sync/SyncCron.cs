using System.Globalization;
using Quartz;

namespace Portal.Infrastructure.Integrations.Sync;

/// <summary>Quartz cron expressions for sync sources (seconds first; evaluated in UTC).</summary>
public static class SyncCron
{
    /// <param name="next">The next three fire times (UTC), as a human check of what the expression means.</param>
    /// <param name="error">Why the expression is refused.</param>
    public static bool TryDescribe(string? cron, out IReadOnlyList<DateTimeOffset> next, out string? error)
    {
        next = [];
        if (string.IsNullOrWhiteSpace(cron) || !CronExpression.TryParse(cron.Trim(), out var expression) || expression is null)
        {
            error = $"'{cron}' is not a Quartz cron expression: six or seven fields, seconds first, e.g. '0 0/15 * * * ?' (every 15 minutes) or '0 0 3 * * ?' (03:00 daily).";
            return false;
        }
        expression = expression.WithTimeZone(TimeZoneInfo.Utc);
        var times = new List<DateTimeOffset>();
        var at = DateTimeOffset.UtcNow;
        while (times.Count < 3 && expression.GetNextValidTimeAfter(at) is { } t)
        {
            times.Add(t);
            at = t;
        }
        if (times.Count == 0)
        {
            error = $"'{cron}' never fires again.";
            return false;
        }
        next = times;
        error = null;
        return true;
    }

    public static string Format(DateTimeOffset utc) => utc.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " UTC";
}
