using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Portal.Domain.Common;
using Portal.Infrastructure.Clients;

namespace Portal.Api;

/// <summary>
/// Reads the fields of one JSON object, collecting one error per bad field instead of stopping
/// at the first, and telling "absent" (leave the stored value) from <c>null</c> (clear it).
/// </summary>
public sealed partial class JsonItemReader
{
    private readonly JsonElement _item;
    private readonly HashSet<string> _known = new(StringComparer.Ordinal);

    public JsonItemReader(int index, JsonElement item, List<BatchItemError> errors)
    {
        Index = index;
        _item = item;
        Errors = errors;
        if (item.ValueKind != JsonValueKind.Object)
        {
            Fail("item", "Each item must be a JSON object.");
        }
        else if (item.TryGetProperty("externalId", out var id) && id.ValueKind == JsonValueKind.String)
        {
            ExternalId = id.GetString();
        }
    }

    public int Index { get; }
    public string? ExternalId { get; }
    public List<BatchItemError> Errors { get; }
    public bool IsObject => _item.ValueKind == JsonValueKind.Object;
    private int _errorsBefore = -1;

    /// <summary>Marks where this item's errors start, to tell later whether it failed.</summary>
    public JsonItemReader Begin()
    {
        _errorsBefore = Errors.Count;
        return this;
    }

    public bool Failed => !IsObject || Errors.Count > _errorsBefore;

    public void Fail(string field, string reason) => Errors.Add(new BatchItemError(Index, ExternalId, field, reason));

    /// <summary>The raw value of a field the caller sent; false when absent.</summary>
    public bool Has(string name, out JsonElement value)
    {
        _known.Add(name);
        value = default;
        return IsObject && _item.TryGetProperty(name, out value);
    }

    /// <summary>Reports fields that no reader asked for: a typo must not be silently ignored.</summary>
    /// <remarks>Every caller reads an object item only (a non-object was already refused whole).</remarks>
    public void RejectUnknownFields()
    {
        foreach (var property in _item.EnumerateObject().Where(p => !_known.Contains(p.Name)))
        {
            Fail(property.Name, "Unknown field.");
        }
    }

    public string? RequiredText(string name, int maxLength)
    {
        if (!Has(name, out var v) || v.ValueKind == JsonValueKind.Null)
        {
            Fail(name, "Required.");
            return null;
        }
        return TextOf(name, v, maxLength, nullable: false, out var text) ? text : null;
    }

    /// <param name="set">Called with the value (null to clear) when the field is present and valid.</param>
    public void Text(string name, int maxLength, Action<string?> set, bool nullable = true)
    {
        if (Has(name, out var v) && TextOf(name, v, maxLength, nullable, out var text))
        {
            set(text);
        }
    }

    public void Parsed<T>(string name, Func<string, (bool Ok, T Value)> parse, string expected, Action<T?> set, bool nullable = true)
    {
        if (!Has(name, out var v))
        {
            return;
        }
        if (v.ValueKind == JsonValueKind.Null)
        {
            if (nullable)
            {
                set(default);
            }
            else
            {
                Fail(name, "May not be null.");
            }
            return;
        }
        if (v.ValueKind != JsonValueKind.String)
        {
            Fail(name, $"Expected {expected}.");
            return;
        }
        var (ok, value) = parse(v.GetString()!);
        if (ok)
        {
            set(value);
        }
        else
        {
            Fail(name, $"'{Shorten(v.GetString()!)}' is not {expected}.");
        }
    }

    public void Date(string name, Action<DateOnly?> set) =>
        Parsed(name, s => (DateOnly.TryParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) && d.Year >= 1900, d),
            "a date (yyyy-MM-dd)", d => set(d == default ? null : d));

    public void Instant(string name, Action<DateTime?> set, bool nullable = true) =>
        Parsed(name, s => TryInstant(s, out var t) ? (true, (DateTime?)t) : (false, null),
            "a date and time (ISO 8601, e.g. 2026-11-25T10:00:00Z)", set, nullable);

    public void Enum<T>(string name, Action<T> set) where T : struct, System.Enum
    {
        var names = string.Join(", ", System.Enum.GetNames<T>().Select(n => n.ToLowerInvariant()));
        Parsed(name, s => System.Enum.TryParse<T>(s, ignoreCase: true, out var e) && !int.TryParse(s, out _) && !s.Contains(',') && System.Enum.IsDefined(e) ? (true, e) : (false, default),
            $"one of: {names}", e => set(e), nullable: false);
    }

    public void Number(string name, Action<decimal> set, decimal min = decimal.MinValue)
    {
        if (!Has(name, out var v))
        {
            return;
        }
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetDecimal(out var d))
        {
            Fail(name, "Expected a number.");
        }
        else if (d < min)
        {
            Fail(name, $"Must be at least {min}.");
        }
        else if (Math.Abs(d) >= 10_000_000_000_000_000m)
        {
            Fail(name, "The number is too large.");
        }
        else
        {
            set(decimal.Round(d, 2));
        }
    }

    public void Count(string name, Action<int> set)
    {
        if (Has(name, out var v))
        {
            if (v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var i) && i >= 0)
            {
                set(i);
            }
            else
            {
                Fail(name, "Expected a whole number of at least 0.");
            }
        }
    }

    public static bool TryInstant(string s, out DateTime utc)
    {
        utc = default;
        if (!IsoStart().IsMatch(s) ||
            !DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t))
        {
            return false;
        }
        utc = t.UtcDateTime;
        return true;
    }

    private bool TextOf(string name, JsonElement v, int maxLength, bool nullable, out string? text)
    {
        text = null;
        switch (v.ValueKind)
        {
            case JsonValueKind.Null when nullable:
                return true;
            case JsonValueKind.Null:
                Fail(name, "May not be null.");
                return false;
            case JsonValueKind.String:
                var s = v.GetString()!.Trim();
                if (PlainText.Problem(s, maxLength) is { } problem)
                {
                    Fail(name, problem);
                    return false;
                }
                if (s.Length == 0 && !nullable)
                {
                    Fail(name, "May not be empty.");
                    return false;
                }
                text = s.Length == 0 ? null : s;
                return true;
            default:
                Fail(name, "Expected a string.");
                return false;
        }
    }

    private static string Shorten(string s) => s.Length <= 40 ? s : s[..40] + "…";

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}")]
    private static partial Regex IsoStart();
}
