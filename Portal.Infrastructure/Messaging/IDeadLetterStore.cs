using System.Text;
using System.Text.Json;

namespace Portal.Infrastructure.Messaging;

/// <summary>One dead letter as the erasure and retention jobs see it.</summary>
/// <param name="Body">The message body (JSON as published).</param>
/// <param name="DeadAt">When it was dead-lettered, or published when the broker did not say; null when unknown.</param>
public sealed record DeadLetter(ReadOnlyMemory<byte> Body, DateTimeOffset? DeadAt)
{
    /// <summary>
    /// True when any string in the JSON body contains one of <paramref name="needles"/> (ordinal).
    /// The body is decoded rather than searched as bytes: System.Text.Json escapes '+' as \u002B,
    /// so a phone in E.164 never appears verbatim in the raw bytes. A body that is not JSON is
    /// searched as UTF-8 text.
    /// </summary>
    public bool Mentions(IReadOnlyCollection<string> needles)
    {
        if (needles.Count == 0)
        {
            return false;
        }
        try
        {
            using var document = JsonDocument.Parse(Body);
            return Walk(document.RootElement, needles);
        }
        catch (JsonException)
        {
            var text = Encoding.UTF8.GetString(Body.Span);
            return needles.Any(n => text.Contains(n, StringComparison.Ordinal));
        }
    }

    private static bool Walk(JsonElement e, IReadOnlyCollection<string> needles) => e.ValueKind switch
    {
        JsonValueKind.Object => e.EnumerateObject().Any(p => Walk(p.Value, needles)),
        JsonValueKind.Array => e.EnumerateArray().Any(i => Walk(i, needles)),
        JsonValueKind.String => e.GetString() is { } s && needles.Any(n => s.Contains(n, StringComparison.Ordinal)),
        JsonValueKind.Number => needles.Any(n => e.GetRawText() == n),
        _ => false,
    };
}

/// <summary>
/// Removal of dead letters by content or age (issue 14): erasure must reach bodies parked in
/// dead-letter queues, and retention must not keep them forever. Replaying dead letters is the
/// message bus's own business (issue 13); this only deletes.
/// </summary>
public interface IDeadLetterStore
{
    /// <summary>
    /// Removes the dead letters of <paramref name="queue"/> (the work queue's name, not the
    /// ".dead" one) for which <paramref name="remove"/> answers true; the others stay.
    /// Set-based per queue: one pass over what was in the dead-letter queue when it started.
    /// </summary>
    /// <returns>How many were removed.</returns>
    Task<int> RemoveDeadLettersAsync(string queue, Func<DeadLetter, bool> remove, CancellationToken ct = default);
}
