using System.Text;

namespace Portal.Infrastructure.Smpp.Text;

/// <summary>
/// A text encoded for SMS and cut into parts. Limits (3GPP TS 23.040 9.2.3.24.1): a single part
/// holds 140 octets = 160 GSM septets / 70 UCS-2 units / 140 Latin-1 octets; a concatenated part
/// loses 6 octets to the UDH: 153 septets / 67 units / 134 octets.
/// </summary>
public sealed class SegmentedMessage
{
    private SegmentedMessage(SmsEncoding encoding, byte[] payload, IReadOnlyList<ReadOnlyMemory<byte>> parts)
    {
        Encoding = encoding;
        Payload = payload;
        Parts = parts;
    }

    public SmsEncoding Encoding { get; }

    public byte DataCoding => (byte)Encoding;

    /// <summary>The whole encoded text (used for message_payload).</summary>
    public byte[] Payload { get; }

    /// <summary>Encoded parts without UDH; one part when the text fits a single SMS.</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> Parts { get; }

    /// <summary>GSM-7 when every character is in the default alphabet or its extension, else UCS-2.</summary>
    public static SmsEncoding ChooseEncoding(string text) => Gsm7.CountSeptets(text) >= 0 ? SmsEncoding.Gsm7 : SmsEncoding.Ucs2;

    /// <summary>How many SMS parts the text costs with the given (or automatically chosen) encoding.</summary>
    public static int CountParts(string text, SmsEncoding? encoding = null) => Create(text, encoding).Parts.Count;

    public static SegmentedMessage Create(string text, SmsEncoding? encoding = null)
    {
        var chosen = encoding ?? ChooseEncoding(text);
        if (chosen == SmsEncoding.Latin1 && !IsLatin1(text)) chosen = SmsEncoding.Ucs2;
        if (chosen == SmsEncoding.Gsm7 && Gsm7.CountSeptets(text) < 0) chosen = SmsEncoding.Ucs2;
        return chosen switch
        {
            SmsEncoding.Gsm7 => SplitGsm7(text),
            SmsEncoding.Latin1 => SplitFixed(SmsEncoding.Latin1, System.Text.Encoding.Latin1.GetBytes(text), 140, 134, 1),
            SmsEncoding.Ucs2 => SplitUcs2(text),
            _ => throw new ArgumentOutOfRangeException(nameof(encoding)),
        };
    }

    private static bool IsLatin1(string text)
    {
        foreach (var c in text)
        {
            if (c > 0xFF) return false;
        }
        return true;
    }

    private static SegmentedMessage SplitGsm7(string text)
    {
        var payload = Gsm7.Encode(text);
        if (payload.Length <= 160) return new SegmentedMessage(SmsEncoding.Gsm7, payload, [payload]);

        // Never cut between ESC and the extension code it introduces.
        var parts = new List<ReadOnlyMemory<byte>>();
        var start = 0;
        while (start < payload.Length)
        {
            var end = Math.Min(start + 153, payload.Length);
            if (end < payload.Length && IsDanglingEscape(payload, start, end)) end--;
            parts.Add(payload.AsMemory(start, end - start));
            start = end;
        }
        return new SegmentedMessage(SmsEncoding.Gsm7, payload, parts);
    }

    /// <summary>True when the last octet of [start, end) is an ESC whose code would fall into the next part.</summary>
    private static bool IsDanglingEscape(byte[] septets, int start, int end)
    {
        var i = start;
        var escapePending = false;
        while (i < end)
        {
            escapePending = septets[i] == Gsm7.Escape;
            i += escapePending ? 2 : 1;
        }
        // i overshoots end exactly when an ESC sits at end-1.
        return escapePending && i > end;
    }

    private static SegmentedMessage SplitUcs2(string text)
    {
        var payload = System.Text.Encoding.BigEndianUnicode.GetBytes(text);
        if (text.Length <= 70) return new SegmentedMessage(SmsEncoding.Ucs2, payload, [payload]);

        // Never split a surrogate pair: a part ending in a high surrogate gives it to the next part.
        var parts = new List<ReadOnlyMemory<byte>>();
        var start = 0;
        while (start < text.Length)
        {
            var end = Math.Min(start + 67, text.Length);
            if (end < text.Length && char.IsHighSurrogate(text[end - 1])) end--;
            parts.Add(payload.AsMemory(start * 2, (end - start) * 2));
            start = end;
        }
        return new SegmentedMessage(SmsEncoding.Ucs2, payload, parts);
    }

    private static SegmentedMessage SplitFixed(SmsEncoding encoding, byte[] payload, int single, int multi, int unit)
    {
        if (payload.Length <= single) return new SegmentedMessage(encoding, payload, [payload]);
        var parts = new List<ReadOnlyMemory<byte>>();
        for (var start = 0; start < payload.Length; start += multi)
        {
            parts.Add(payload.AsMemory(start, Math.Min(multi - multi % unit, payload.Length - start)));
        }
        return new SegmentedMessage(encoding, payload, parts);
    }
}
