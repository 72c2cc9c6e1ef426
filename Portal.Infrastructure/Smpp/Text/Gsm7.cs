using Portal.Domain.Messages;

namespace Portal.Infrastructure.Smpp.Text;

/// <summary>
/// GSM 03.38 default alphabet with the extension table, one septet per octet (unpacked), which is
/// how SMPP carries data_coding 0 in short_message. Extension characters cost two septets (ESC + code).
/// </summary>
public static class Gsm7
{
    public const byte Escape = GsmAlphabet.Escape;

    // The table itself lives in the domain (Portal.Domain/Messages/GsmAlphabet) so the part counter
    // the templates use and this encoder can never disagree.
    private static readonly char[] ExtensionDecode = BuildExtensionDecode();

    private static char[] BuildExtensionDecode()
    {
        var table = new char[128];
        for (var i = 0; i < 128; i++) table[i] = GsmAlphabet.Basic[i];
        // Unknown escape codes fall back to the basic character (TS 23.038 6.2.1.1).
        table[Escape] = ' ';
        foreach (var (c, code) in GsmAlphabet.Extension) table[code] = c;
        return table;
    }

    public static bool IsEncodable(char c) => GsmAlphabet.IsEncodable(c);

    /// <summary>Septets needed for <paramref name="text"/>, or -1 when a character is outside the alphabet.</summary>
    public static int CountSeptets(ReadOnlySpan<char> text) => GsmAlphabet.CountSeptets(text);

    /// <summary>Septets of one character: 1, 2 (extension) or 0 when not encodable.</summary>
    public static int SeptetsOf(char c) => GsmAlphabet.SeptetsOf(c);

    /// <summary>Encodes unpacked; characters outside the alphabet become '?'. Returns octets written.</summary>
    public static int Encode(ReadOnlySpan<char> text, Span<byte> destination)
    {
        var n = 0;
        foreach (var c in text)
        {
            if (!GsmAlphabet.TryGetCode(c, out var code, out var extension))
            {
                destination[n++] = (byte)'?';
            }
            else if (extension)
            {
                destination[n++] = Escape;
                destination[n++] = code;
            }
            else
            {
                destination[n++] = code;
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
        foreach (var c in text) count += GsmAlphabet.SeptetsOf(c) == 2 ? 2 : 1;
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
                    chars[n++] = b == Escape ? ' ' : GsmAlphabet.Basic[b];
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
