using System.Globalization;
using Portal.Domain.Clients;

namespace Portal.Domain.Imports;

/// <summary>A custom attribute's value of its definition's type: exactly one of the four is set.</summary>
public readonly record struct AttributeValue(string? Text, decimal? Number, DateTime? Date, bool? Boolean);

/// <summary>
/// The rules a custom attribute's value obeys, wherever it comes from: the client API (JSON) and
/// a file import's cell (issue 20: a CRM export's extra columns reach templates too). The API
/// reads typed JSON; a cell is text, read the way the importer reads the built-in fields.
/// </summary>
public static class AttributeValues
{
    public const int MaxTextLength = 500;

    public const string TooLong = "Text attributes hold at most 500 characters.";

    /// <summary>A cell of a file (never empty: an empty cell leaves the value as it is).</summary>
    /// <returns>Why the text does not fit <paramref name="type"/>, or null.</returns>
    public static string? ParseCell(AttributeType type, string raw, out AttributeValue value)
    {
        value = default;
        switch (type)
        {
            case AttributeType.Text:
                if (raw.Length > MaxTextLength)
                {
                    return TooLong;
                }
                value = new(raw, null, null, null);
                return null;
            case AttributeType.Number:
                var text = raw.Replace(" ", "").Replace("\u00A0", "").Replace(',', '.');
                if (decimal.TryParse(text, NumberStyles.Number, CultureInfo.InvariantCulture, out var number) && Math.Abs(number) < 1_000_000_000_000m)
                {
                    value = new(null, Math.Round(number, 4), null, null); // stored as numeric(18,4)
                    return null;
                }
                return $"'{raw}' is not a number.";
            case AttributeType.Date:
                if (ClientRowParser.ParseDate(raw) is { } date)
                {
                    value = new(null, null, date, null);
                    return null;
                }
                return $"'{raw}' is not a date (YYYY-MM-DD, DD.MM.YYYY or ISO 8601).";
            case AttributeType.Boolean:
                if (ClientRowParser.ParseBool(raw) is { } flag)
                {
                    value = new(null, null, null, flag);
                    return null;
                }
                return $"'{raw}' is not yes/no.";
            default:
                return $"Unsupported attribute type {type}.";
        }
    }
}
