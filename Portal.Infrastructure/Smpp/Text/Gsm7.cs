namespace Portal.Infrastructure.Smpp.Text;

/// <summary>
/// GSM 03.38 default alphabet with the extension table, one septet per octet (unpacked), which is
/// how SMPP carries data_coding 0 in short_message. Extension characters cost two septets (ESC + code).
/// </summary>
public static class Gsm7
{
    public const byte Escape = 0x1B;

    // 3GPP TS 23.038 section 6.2.1, code points 0x00..0x7F; 0x1B is the escape to the extension table.
    private const string Basic =
        "@£$¥èéùìòÇ\nØø\rÅå" +
        "Δ_ΦΓΛΩΠΨΣΘΞ\u001BÆæßÉ" +
        " !\"#¤%&'()*+,-./" +
        "0123456789:;<=>?" +
        "¡ABCDEFGHIJKLMNO" +
        "PQRSTUVWXYZÄÖÑÜ§" +
        "¿abcdefghijklmno" +
        "pqrstuvwxyzäöñüà";

    // 3GPP TS 23.038 section 6.2.1.1: the characters reachable through ESC.
    private static readonly (char Char, byte Code)[] Extension =
    [
        ('\f', 0x0A), ('^', 0x14), ('{', 0x28), ('}', 0x29), ('\\', 0x2F),
        ('[', 0x3C), ('~', 0x3D), (']', 0x3E), ('|', 0x40), ('€', 0x65),
    ];

    // char -> 0 (not encodable) | 0x100 + code (basic) | 0x200 + code (extension)
    private static readonly ushort[] EncodeTable = BuildEncodeTable();
    private static readonly char[] ExtensionDecode = BuildExtensionDecode();

    private static ushort[] BuildEncodeTable()
    {
        var table = new ushort[char.MaxValue + 1];
        for (var i = 0; i < Basic.Length; i++)
        {
            if (i != Escape) table[Basic[i]] = (ushort)(0x100 | i);
        }
        foreach (var (c, code) in Extension) table[c] = (ushort)(0x200 | code);
        return table;
    }

    private static char[] BuildExtensionDecode()
    {
        var table = new char[128];
        for (var i = 0; i < 128; i++) table[i] = Basic[i];
        // Unknown escape codes fall back to the basic character (TS 23.038 6.2.1.1).
        table[Escape] = ' ';
        foreach (var (c, code) in Extension) table[code] = c;
        return table;
    }

    public static bool IsEncodable(char c) => EncodeTable[c] != 0;

    /// <summary>Septets needed for <paramref name="text"/>, or -1 when a character is outside the alphabet.</summary>
    public static int CountSeptets(ReadOnlySpan<char> text)
    {
        var count = 0;
        foreach (var c in text)
        {
            var entry = EncodeTable[c];
            if (entry == 0) return -1;
            count += entry >= 0x200 ? 2 : 1;
        }
        return count;
    }

    /// <summary>Septets of one character: 1, 2 (extension) or 0 when not encodable.</summary>
    public static int SeptetsOf(char c) => EncodeTable[c] switch
    {
        0 => 0,
        >= 0x200 => 2,
        _ => 1,
    };

    /// <summary>Encodes unpacked; characters outside the alphabet become '?'. Returns octets written.</summary>
    public static int Encode(ReadOnlySpan<char> text, Span<byte> destination)
    {
        var n = 0;
        foreach (var c in text)
        {
            var entry = EncodeTable[c];
            if (entry >= 0x200)
            {
                destination[n++] = Escape;
                destination[n++] = (byte)(entry & 0x7F);
            }
            else
            {
                destination[n++] = entry == 0 ? (byte)'?' : (byte)(entry & 0x7F);
            }
        }
        return n;
    }

    public static byte[] Encode(string text)
    {
        var count = CountSeptets(text);
        var bytes = new byte[count < 0 ? CountLenient(text) : count];
        Encode(text, bytes);
        return bytes;
    }

    private static int CountLenient(ReadOnlySpan<char> text)
    {
        var count = 0;
        foreach (var c in text) count += EncodeTable[c] >= 0x200 ? 2 : 1;
        return count;
    }

    public static string Decode(ReadOnlySpan<byte> septets)
    {
        return string.Create(CountChars(septets), septets.ToArray(), static (chars, bytes) =>
        {
            var n = 0;
            for (var i = 0; i < bytes.Length; i++)
            {
                var b = bytes[i] & 0x7F;
                if (b == Escape && i + 1 < bytes.Length)
                {
                    chars[n++] = ExtensionDecode[bytes[++i] & 0x7F];
                }
                else
                {
                    chars[n++] = b == Escape ? ' ' : Basic[b];
                }
            }
        });
    }

    private static int CountChars(ReadOnlySpan<byte> septets)
    {
        var count = 0;
        for (var i = 0; i < septets.Length; i++)
        {
            if ((septets[i] & 0x7F) == Escape && i + 1 < septets.Length) i++;
            count++;
        }
        return count;
    }
}
