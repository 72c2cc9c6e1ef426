using System.Globalization;
using System.Text;

namespace Portal.Domain.Common;

/// <summary>
/// The rule for a short text typed by a person or a CRM (a name, a city, a tariff): its length is
/// counted in characters as a person and PostgreSQL's <c>varchar(n)</c> count them (Unicode code
/// points, so 60 emoji are 60, not the 120 UTF-16 units .NET's <c>Length</c> gives), and control
/// characters (NUL, which PostgreSQL refuses in text) and the bidirectional overrides that make a
/// name display reversed (U+202E and its family) are refused (issue 20, item 17).
/// </summary>
public static class PlainText
{
    /// <summary>Null when <paramref name="text"/> is acceptable, else why not (in English).</summary>
    public static string? Problem(string text, int maxCharacters)
    {
        var count = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            if (++count > maxCharacters)
            {
                return $"Longer than {maxCharacters} characters.";
            }
            if (Rune.GetUnicodeCategory(rune) == UnicodeCategory.Control)
            {
                return $"Contains a control character (U+{rune.Value:X4}).";
            }
            if (IsBidiControl(rune.Value))
            {
                return $"Contains a text-direction control character (U+{rune.Value:X4}).";
            }
        }
        return null;
    }

    // LRM/RLM, the embeddings and overrides (LRE..RLO, U+202A-202E) and the isolates (U+2066-2069).
    private static bool IsBidiControl(int c) => c is 0x200E or 0x200F or 0x061C or (>= 0x202A and <= 0x202E) or (>= 0x2066 and <= 0x2069);
}
