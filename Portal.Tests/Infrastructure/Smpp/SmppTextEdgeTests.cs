using System.Text;
using Portal.Infrastructure.Smpp.Pdus;
using Portal.Infrastructure.Smpp.Receipts;
using Portal.Infrastructure.Smpp.Text;

namespace Portal.Tests.Infrastructure.Smpp;

/// <summary>
/// Issue 21 (coverage): the corners of the SMS text codecs and of receipt reading that the
/// session tests do not reach: characters outside GSM 03.38, the 16-bit concatenation IE, Latin-1
/// long messages, receipts carried by data_sm, and every appendix B state word.
/// </summary>
public class SmppTextEdgeTests
{
    [Fact]
    public void Gsm7_CountsBasicAndExtensionCharacters_AndRefusesCyrillic()
    {
        Assert.True(Gsm7.IsEncodable('A'));
        Assert.True(Gsm7.IsEncodable('€'));
        Assert.False(Gsm7.IsEncodable('Ж'));
        Assert.Equal((1, 2, 0), (Gsm7.SeptetsOf('a'), Gsm7.SeptetsOf('€'), Gsm7.SeptetsOf('Ж')));
    }

    [Fact]
    public void Gsm7_Encode_ReplacesCharactersOutsideTheAlphabetWithAQuestionMark()
    {
        // 'a' = 0x61; '€' = escape 0x1B then 0x65 (TS 23.038 6.2.1.1); 'Ж' has no code.
        Assert.Equal(new byte[] { 0x61, 0x1B, 0x65, 0x3F }, Gsm7.Encode("a€Ж"));
        Assert.Equal("a€?", Gsm7.Decode(Gsm7.Encode("a€Ж")));
    }

    [Fact]
    public void Concatenation_SixteenBitReference_IsRead()
    {
        // UDHL 6 | IEI 0x08 | IEDL 4 | reference 0x1234 | total 3 | sequence 2, then the text.
        byte[] userData = [0x06, 0x08, 0x04, 0x12, 0x34, 0x03, 0x02, 0x41];
        Assert.True(ConcatenationInfo.TryReadUdh(userData, out var info, out var length));
        Assert.Equal((new ConcatenationInfo(0x1234, 3, 2), 7), (info, length));
    }

    [Fact]
    public void Concatenation_AfterAnotherElement_IsFound()
    {
        // UDHL 8 | IEI 0x24 (national language) IEDL 1 0x00 | IEI 0x00 IEDL 3 ref 0xAB total 2 seq 1.
        byte[] userData = [0x08, 0x24, 0x01, 0x00, 0x00, 0x03, 0xAB, 0x02, 0x01];
        Assert.True(ConcatenationInfo.TryReadUdh(userData, out var info, out var length));
        Assert.Equal((new ConcatenationInfo(0xAB, 2, 1), 9), (info, length));
    }

    [Fact]
    public void Concatenation_AHeaderWithoutIt_IsNotConcatenated()
    {
        byte[] userData = [0x03, 0x24, 0x01, 0x00, 0x41];
        Assert.False(ConcatenationInfo.TryReadUdh(userData, out var info, out var length));
        Assert.Equal((default(ConcatenationInfo), 4), (info, length));
        // An element whose length runs past the header.
        Assert.False(ConcatenationInfo.TryReadUdh([0x03, 0x08, 0x04, 0x00], out _, out _));
    }

    [Fact]
    public void Latin1_LongerThan140Octets_IsCutInto134OctetParts()
    {
        var text = new string('é', 300);
        var message = SegmentedMessage.Create(text, SmsEncoding.Latin1);
        Assert.Equal(SmsEncoding.Latin1, message.Encoding);
        Assert.Equal([134, 134, 32], message.Parts.Select(p => p.Length));
        Assert.Equal(text, Encoding.Latin1.GetString(message.Parts.SelectMany(p => p.ToArray()).ToArray()));
        Assert.Single(SegmentedMessage.Create(new string('é', 140), SmsEncoding.Latin1).Parts);
    }

    [Fact]
    public void Create_WithAnUnknownEncoding_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => SegmentedMessage.Create("hi", (SmsEncoding)0x02));

    [Fact]
    public void DataSm_ReceiptInMessagePayload_IsRead()
    {
        var pdu = new DataSm
        {
            EsmClass = EsmClass.DeliveryReceipt,
            Optional = new OptionalParameters
            {
                MessagePayload = Encoding.ASCII.GetBytes("id:77 sub:001 dlvrd:000 submit date:2611251530 done date:2611251532 stat:EXPIRED err:001"),
            },
        };
        Assert.True(ReceiptParser.TryParse(pdu, out var receipt));
        Assert.Equal(("77", MessageState.Expired, "001"), (receipt!.MessageId, receipt.State, receipt.ErrorCode));
    }

    [Fact]
    public void DataSm_ReceiptWithoutAnId_OrNotAReceipt_IsNotRead()
    {
        Assert.False(ReceiptParser.TryParse(new DataSm { EsmClass = EsmClass.DeliveryReceipt }, out var none));
        Assert.Null(none);
        Assert.False(ReceiptParser.TryParse(new DataSm
        {
            EsmClass = EsmClass.DeliveryReceipt,
            Optional = new OptionalParameters { MessageState = MessageState.Delivered },
        }, out _));
        Assert.False(ReceiptParser.TryParse(new DataSm
        {
            Optional = new OptionalParameters { ReceiptedMessageId = "1", MessageState = MessageState.Delivered },
        }, out _));
    }

    [Theory]
    [InlineData("SCHEDUL", MessageState.Scheduled, false)]
    [InlineData("ENROUTE", MessageState.Enroute, false)]
    [InlineData("DELIVRD", MessageState.Delivered, true)]
    [InlineData("EXPIRED", MessageState.Expired, true)]
    [InlineData("DELETED", MessageState.Deleted, true)]
    [InlineData("UNDELIV", MessageState.Undeliverable, true)]
    [InlineData("ACCEPTD", MessageState.Accepted, false)]
    [InlineData("UNKNOWN", MessageState.Unknown, true)]
    [InlineData("REJECTD", MessageState.Rejected, true)]
    public void StatWords_ReadAndWrittenAsAppendixB_WithOnlyFinalStatesFinal(string word, MessageState state, bool final)
    {
        Assert.True(ReceiptParser.TryParseStat(word.ToLowerInvariant(), out var parsed));
        Assert.Equal(state, parsed);
        Assert.Equal(word, DeliveryReceipt.StatWord(state));
        Assert.Equal(final, new DeliveryReceipt("1", state).IsFinal);
    }

    [Fact]
    public void StatWords_LongFormsAreRead_AndAnUnknownWordIsNot()
    {
        Assert.True(ReceiptParser.TryParseStat("ACCEPTED", out var accepted));
        Assert.Equal(MessageState.Accepted, accepted);
        Assert.False(ReceiptParser.TryParseStat("LOST", out _));
        Assert.Equal("UNKNOWN", DeliveryReceipt.StatWord((MessageState)42));
    }

    [Fact]
    public void TryParseText_AKeyInsideAWord_IsNotTheKey()
    {
        Assert.True(ReceiptParser.TryParseText("msgid:9 id:5 stat:DELIVRD", out var receipt));
        Assert.Equal("5", receipt!.MessageId);
        Assert.False(ReceiptParser.TryParseText("msgid:9 stat:DELIVRD", out _));
    }
}
