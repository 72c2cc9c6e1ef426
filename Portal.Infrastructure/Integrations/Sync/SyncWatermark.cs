using System.Globalization;

namespace Portal.Infrastructure.Integrations.Sync;

/// <summary>
/// The stored watermark is invariant text (<see cref="SyncRowSource"/>): a date-time in the
/// round-trip format, or a number. Issue 20: a source's database can commit a row late with a
/// timestamp older than the watermark (a long transaction, a replica behind); reading from the
/// watermark less an overlap picks it up on the next run.
/// </summary>
public static class SyncWatermark
{
    /// <summary>The value the query reads past: <paramref name="watermark"/> less <paramref name="overlapMinutes"/> when it is a date-time; else unchanged.</summary>
    public static string? ReadFrom(string? watermark, int overlapMinutes)
    {
        if (watermark is null || overlapMinutes <= 0)
        {
            return watermark;
        }
        return TryParse(watermark, out var at, out var offset)
            ? offset ? at.AddMinutes(-overlapMinutes).ToString("O", CultureInfo.InvariantCulture)
                     : at.DateTime.AddMinutes(-overlapMinutes).ToString("O", CultureInfo.InvariantCulture)
            : watermark;
    }

    /// <summary>
    /// Whether <paramref name="candidate"/> is past <paramref name="current"/>: a run that re-read only
    /// the overlap sees at most the stored value, and must not move it back. Values that are not both
    /// date-times (numbers, text) are compared as the source compared them, so any new maximum counts.
    /// </summary>
    public static bool IsPast(string? candidate, string? current)
    {
        if (candidate is null)
        {
            return false;
        }
        if (current is null)
        {
            return true;
        }
        if (TryParse(candidate, out var a, out _) && TryParse(current, out var b, out _))
        {
            return a > b;
        }
        if (decimal.TryParse(candidate, NumberStyles.Float, CultureInfo.InvariantCulture, out var x)
            && decimal.TryParse(current, NumberStyles.Float, CultureInfo.InvariantCulture, out var y))
        {
            return x > y;
        }
        return candidate != current;
    }

    /// <param name="offset">Whether the text carried a UTC designator or an offset (else it is a local time of the source, kept so).</param>
    private static bool TryParse(string text, out DateTimeOffset at, out bool offset)
    {
        offset = text.EndsWith('Z') || (text.Length > 6 && text[^6] is '+' or '-' && text[^3] == ':');
        if (text.Length >= 19 && text[10] == 'T'
            && DateTime.TryParseExact(text, "O", CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var d))
        {
            at = offset ? DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind) : new DateTimeOffset(DateTime.SpecifyKind(d, DateTimeKind.Utc));
            return true;
        }
        at = default;
        return false;
    }
}
