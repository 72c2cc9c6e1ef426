using System.Text;
using Portal.Infrastructure.Smpp.Text;

namespace Portal.Tests.Infrastructure.Smpp;

public class SegmentedMessageTests
{
    [Fact]
    public void Gsm7Encode_BasicAndExtension_UsesEscapeForExtension()
    {
        var bytes = Gsm7.Encode("@€[");

        Assert.Equal(new byte[] { 0x00, 0x1B, 0x65, 0x1B, 0x3C }, bytes); // @ = 0x00, € = ESC 0x65, [ = ESC 0x3C
    }

    [Fact]
    public void Gsm7_RoundTrip_KeepsEveryCharacter()
    {
        const string text = "Hello @£$¥ èéùìò Ç\nØø\rÅå Δ_ΦΓΛΩΠΨΣΘΞ ÆæßÉ !\"#¤%&'()*+,-./:;<=>?¡ÄÖÑÜ§¿äöñüà ^{}\\[~]|€\f";

        Assert.Equal(text, Gsm7.Decode(Gsm7.Encode(text)));
    }

    [Theory]
    [InlineData(160, 1)]
    [InlineData(161, 2)]
    [InlineData(306, 2)]
    [InlineData(307, 3)]
    public void CountParts_Gsm7_Uses160Then153(int length, int parts)
    {
        Assert.Equal(parts, SegmentedMessage.CountParts(new string('a', length)));
    }

    [Theory]
    [InlineData(70, 1)]
    [InlineData(71, 2)]
    [InlineData(134, 2)]
    [InlineData(135, 3)]
    public void CountParts_Ucs2_Uses70Then67(int length, int parts)
    {
        Assert.Equal(parts, SegmentedMessage.CountParts(new string('Ж', length)));
    }

    [Fact]
    public void CountParts_ExtensionCharacters_CountTwoSeptets()
    {
        Assert.Equal(1, SegmentedMessage.CountParts(new string('€', 80)));
        Assert.Equal(2, SegmentedMessage.CountParts(new string('€', 81)));
    }

    [Fact]
    public void Create_CyrillicText_ChoosesUcs2BigEndian()
    {
        var message = SegmentedMessage.Create("Привет");

        Assert.Equal(SmsEncoding.Ucs2, message.Encoding);
        Assert.Equal(0x08, message.DataCoding);
        Assert.Equal(new byte[] { 0x04, 0x1F, 0x04, 0x40 }, message.Payload[..4]); // П = U+041F, р = U+0440
    }

    [Fact]
    public void Create_EscapeAtPartBoundary_KeepsEscapeWithItsCode()
    {
        // 152 plain septets, then '€' (ESC 0x65) would straddle the 153-septet boundary.
        var message = SegmentedMessage.Create(new string('a', 152) + "€" + new string('b', 20));

        Assert.Equal(152, message.Parts[0].Length);
        Assert.Equal(Gsm7.Escape, message.Parts[1].Span[0]);
        Assert.Equal(new string('a', 152) + "€" + new string('b', 20), string.Concat(message.Parts.Select(p => Gsm7.Decode(p.Span))));
    }

    [Fact]
    public void Create_SurrogatePairAtPartBoundary_NeverSplitsThePair()
    {
        var text = new string('Ж', 66) + "😀" + new string('Ж', 10); // the emoji takes units 67 and 68

        var message = SegmentedMessage.Create(text);

        Assert.Equal(66 * 2, message.Parts[0].Length);
        var decoded = message.Parts.Select(p => Encoding.BigEndianUnicode.GetString(p.Span)).ToList();
        Assert.StartsWith("😀", decoded[1]);
        Assert.Equal(text, string.Concat(decoded));
    }

    [Fact]
    public void Create_Latin1Requested_UsesLatin1WhenPossible()
    {
        var message = SegmentedMessage.Create("Grüße ©", SmsEncoding.Latin1);

        Assert.Equal(0x03, message.DataCoding);
        Assert.Equal(Encoding.Latin1.GetBytes("Grüße ©"), message.Payload);
    }

    [Fact]
    public void ConcatenationInfo_WriteThenRead_RoundTrips()
    {
        var udh = new byte[ConcatenationInfo.UdhLength];
        new ConcatenationInfo(0xAB, 3, 2).WriteUdh(udh);

        Assert.Equal(new byte[] { 0x05, 0x00, 0x03, 0xAB, 0x03, 0x02 }, udh); // UDHL, IEI 8-bit concat, IEDL, ref, total, seq
        Assert.True(ConcatenationInfo.TryReadUdh(udh, out var info, out var length));
        Assert.Equal(new ConcatenationInfo(0xAB, 3, 2), info);
        Assert.Equal(6, length);
    }

    [Fact]
    public void DataCodingDecode_Ucs2OddLength_DropsTrailingOctet()
    {
        Assert.Equal("Ж", DataCoding.Decode(DataCoding.Ucs2, new byte[] { 0x04, 0x16, 0x00 }));
    }
}
