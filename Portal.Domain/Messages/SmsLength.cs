using Portal.Domain.Templates;

namespace Portal.Domain.Messages;

/// <summary>
/// The GSM 03.38 default alphabet and its extension table (3GPP TS 23.038 6.2.1 and 6.2.1.1), the one
/// table both the part counter here and the SMPP encoder (<c>Smpp/Text/Gsm7</c>) use.
/// </summary>
public static class GsmAlphabet
{
    public const byte Escape = 0x1B;

    /// <summary>Code points 0x00..0x7F; 0x1B is the escape to the extension table.</summary>
    public const string Basic =
        "@£$¥èéùìòÇ\nØø\rÅå" +
        "Δ_ΦΓΛΩΠΨΣΘΞ\u001BÆæßÉ" +
        " !\"#¤%&'()*+,-./" +
        "0123456789:;<=>?" +
        "¡ABCDEFGHIJKLMNO" +
        "PQRSTUVWXYZÄÖÑÜ§" +
        "¿abcdefghijklmno" +
        "pqrstuvwxyzäöñüà";

    /// <summary>The characters reachable through ESC, each costing two septets.</summary>
    public static IReadOnlyList<(char Char, byte Code)> Extension { get; } =
    [
        ('\f', 0x0A), ('^', 0x14), ('{', 0x28), ('}', 0x29), ('\\', 0x2F),
        ('[', 0x3C), ('~', 0x3D), (']', 0x3E), ('|', 0x40), ('€', 0x65),
    ];

    private const ushort BasicFlag = 0x100;
    private const ushort ExtensionFlag = 0x200;

    // char -> 0 (not encodable) | 0x100 + code (basic) | 0x200 + code (extension); 128 KB, one lookup per char.
    private static readonly ushort[] Table = BuildTable();

    private static ushort[] BuildTable()
    {
        var table = new ushort[char.MaxValue + 1];
        for (var i = 0; i < Basic.Length; i++)
        {
            if (i != Escape) table[Basic[i]] = (ushort)(BasicFlag | i);
        }
        foreach (var (c, code) in Extension) table[c] = (ushort)(ExtensionFlag | code);
        return table;
    }

    public static bool IsEncodable(char c) => Table[c] != 0;

    /// <summary>Septets of one character: 1, 2 (extension) or 0 when it is not in the alphabet.</summary>
    public static int SeptetsOf(char c) => Table[c] switch
    {
        0 => 0,
        >= ExtensionFlag => 2,
        _ => 1,
    };

    /// <summary>The 7-bit code of an encodable character and whether it needs the ESC prefix.</summary>
    public static bool TryGetCode(char c, out byte code, out bool extension)
    {
        var entry = Table[c];
        code = (byte)(entry & 0x7F);
        extension = entry >= ExtensionFlag;
        return entry != 0;
    }

    /// <summary>Septets needed for <paramref name="text"/>, or -1 when a character is outside the alphabet.</summary>
    public static int CountSeptets(ReadOnlySpan<char> text)
    {
        var table = Table;
        var count = 0;
        foreach (var c in text)
        {
            var entry = table[c];
            if (entry == 0) return -1;
            count += entry >> 9 == 1 ? 2 : 1;
        }
        return count;
    }
}

/// <summary>How long a text is as an SMS: alphabet, length in its units (septets or UTF-16 units) and parts.</summary>
public readonly record struct SmsMeasure(SmsAlphabet Alphabet, int Length, int Parts)
{
    /// <summary>Units that fit before the next part starts (a rough "characters left").</summary>
    public int Capacity => SmsLength.Capacity(Alphabet, Parts);
}

/// <summary>
/// Counts SMS parts without encoding to bytes (3GPP TS 23.040 9.2.3.24.1): one part holds 160 GSM
/// septets or 70 UCS-2 units; concatenated parts lose 6 octets to the UDH: 153 septets / 67 units.
/// A part never ends between ESC and its extension code, nor inside a surrogate pair, exactly as
/// <c>Smpp/Text/SegmentedMessage</c> cuts them, so the count here is the count sent and billed.
/// </summary>
public static class SmsLength
{
    public const int Gsm7Single = 160;
    public const int Gsm7Multi = 153;
    public const int Ucs2Single = 70;
    public const int Ucs2Multi = 67;

    public static SmsMeasure Measure(ReadOnlySpan<char> text)
    {
        var septets = GsmAlphabet.CountSeptets(text);
        if (septets >= 0)
        {
            return new SmsMeasure(SmsAlphabet.Gsm7, septets, septets <= Gsm7Single ? 1 : Gsm7Parts(text));
        }
        return new SmsMeasure(SmsAlphabet.Ucs2, text.Length, text.Length <= Ucs2Single ? 1 : Ucs2Parts(text));
    }

    public static int Capacity(SmsAlphabet alphabet, int parts) => (alphabet, parts) switch
    {
        (SmsAlphabet.Gsm7, <= 1) => Gsm7Single,
        (SmsAlphabet.Gsm7, _) => Gsm7Multi * parts,
        (SmsAlphabet.Ucs2, <= 1) => Ucs2Single,
        (SmsAlphabet.Ucs2, _) => Ucs2Multi * parts,
        _ => throw new ArgumentOutOfRangeException(nameof(alphabet)),
    };

    private static int Gsm7Parts(ReadOnlySpan<char> text)
    {
        int parts = 1, used = 0;
        foreach (var c in text)
        {
            var cost = GsmAlphabet.SeptetsOf(c);
            if (used + cost > Gsm7Multi)
            {
                parts++;
                used = 0;
            }
            used += cost;
        }
        return parts;
    }

    private static int Ucs2Parts(ReadOnlySpan<char> text)
    {
        int parts = 1, used = 0;
        for (var i = 0; i < text.Length; i++)
        {
            // A high surrogate travels with the unit after it, as the splitter keeps it (never a lone half).
            var cost = char.IsHighSurrogate(text[i]) && i + 1 < text.Length ? 2 : 1;
            if (used + cost > Ucs2Multi)
            {
                parts++;
                used = 0;
            }
            used += cost;
            i += cost - 1;
        }
        return parts;
    }

    /// <summary>
    /// The characters that force UCS-2, each once, in order of first appearance (a surrogate pair is
    /// one entry), for the editor to highlight. Empty when the text is GSM-7.
    /// </summary>
    public static IReadOnlyList<string> Ucs2Characters(string text)
    {
        List<string>? found = null;
        for (var i = 0; i < text.Length; i++)
        {
            if (GsmAlphabet.IsEncodable(text[i])) continue;
            var length = char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]) ? 2 : 1;
            var character = text.Substring(i, length);
            found ??= [];
            if (!found.Contains(character)) found.Add(character);
            i += length - 1;
        }
        return found ?? (IReadOnlyList<string>)[];
    }
}
