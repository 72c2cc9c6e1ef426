using System.Text;

namespace Portal.Infrastructure.Smpp.Text;

/// <summary>The alphabets Portal sends with; values are the SMPP data_coding (spec 5.2.19).</summary>
public enum SmsEncoding : byte
{
    Gsm7 = 0x00,
    Latin1 = 0x03,
    Ucs2 = 0x08,
}

/// <summary>data_coding values Portal understands on the receiving side (spec 5.2.19).</summary>
public static class DataCoding
{
    public const byte SmscDefault = 0x00;
    public const byte Ia5 = 0x01;
    public const byte Binary = 0x02;
    public const byte Latin1 = 0x03;
    public const byte Binary8Bit = 0x04;
    public const byte Ucs2 = 0x08;

    /// <summary>Decodes received octets. SMSC default is taken as GSM 03.38, as node-smpp and most SMSCs do.</summary>
    public static string Decode(byte dataCoding, ReadOnlySpan<byte> octets) => dataCoding switch
    {
        SmscDefault => Gsm7.Decode(octets),
        Ia5 => Encoding.ASCII.GetString(octets),
        Latin1 => Encoding.Latin1.GetString(octets),
        Ucs2 => Encoding.BigEndianUnicode.GetString(octets[..(octets.Length & ~1)]),
        // General data coding with a message class (0x10-0x1F, e.g. flash 0x10/0x18): bits 3-2 are the alphabet.
        >= 0x10 and <= 0x1F when ((dataCoding >> 2) & 0x03) == 0 => Gsm7.Decode(octets),
        >= 0x10 and <= 0x1F when ((dataCoding >> 2) & 0x03) == 2 => Encoding.BigEndianUnicode.GetString(octets[..(octets.Length & ~1)]),
        _ => Encoding.Latin1.GetString(octets),
    };

    /// <summary>Flash (message class 0) in the GSM default alphabet and in UCS-2 (SMPP 3.4 5.2.19).</summary>
    public const byte FlashGsm7 = 0x10;
    public const byte FlashUcs2 = 0x18;
}
