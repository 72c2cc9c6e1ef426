using System.Text;
using Portal.Infrastructure.Smpp.Pdus;
using Portal.Infrastructure.Smpp.Receipts;

namespace Portal.Tests.Infrastructure.Smpp;

public class ReceiptParserTests
{
    [Fact]
    public void TryParseText_AppendixBForm_ReadsEveryField()
    {
        const string text = "id:0123456789 sub:001 dlvrd:001 submit date:2611251530 done date:2611251531 stat:DELIVRD err:000 text:Hello world";

        Assert.True(ReceiptParser.TryParseText(text, out var receipt));

        Assert.Equal("0123456789", receipt!.MessageId);
        Assert.Equal(MessageState.Delivered, receipt.State);
        Assert.Equal(1, receipt.Submitted);
        Assert.Equal(1, receipt.Delivered);
        Assert.Equal(new DateTime(2026, 11, 25, 15, 30, 0), receipt.SubmitDate);
        Assert.Equal(new DateTime(2026, 11, 25, 15, 31, 0), receipt.DoneDate);
        Assert.Equal("000", receipt.ErrorCode);
    }

    [Fact]
    public void TryParseText_UpperCaseKeysAndSeconds_Parses()
    {
        const string text = "id:ab12 sub:001 dlvrd:000 submit date:261125153001 done date:261125153502 stat:UNDELIV err:034 Text:x";

        Assert.True(ReceiptParser.TryParseText(text, out var receipt));

        Assert.Equal(MessageState.Undeliverable, receipt!.State);
        Assert.Equal("034", receipt.ErrorCode);
        Assert.Equal(new DateTime(2026, 11, 25, 15, 35, 2), receipt.DoneDate);
    }

    [Fact]
    public void TryParseText_NotAReceipt_ReturnsFalse()
    {
        Assert.False(ReceiptParser.TryParseText("hello, please call me", out _));
    }

    [Fact]
    public void TryParse_DeliverSmWithTlvs_TlvsWinOverText()
    {
        var pdu = new DeliverSm
        {
            EsmClass = EsmClass.DeliveryReceipt,
            ShortMessage = Encoding.ASCII.GetBytes("id:1 sub:001 dlvrd:001 submit date:2611251530 done date:2611251531 stat:DELIVRD err:000 text:"),
            Optional = new OptionalParameters
            {
                ReceiptedMessageId = "FF",
                MessageState = MessageState.Expired,
                NetworkErrorCode = new NetworkError(3, 27),
            },
        };

        Assert.True(ReceiptParser.TryParse(pdu, out var receipt));

        Assert.Equal("FF", receipt!.MessageId);
        Assert.Equal(MessageState.Expired, receipt.State);
        Assert.Equal(new NetworkError(3, 27), receipt.NetworkError);
        Assert.Equal(1, receipt.Submitted); // from the text
    }

    [Fact]
    public void TryParse_MoMessage_ReturnsFalse()
    {
        var pdu = new DeliverSm { ShortMessage = Encoding.ASCII.GetBytes("id:1 stat:DELIVRD") };

        Assert.False(ReceiptParser.TryParse(pdu, out _));
    }

    [Theory]
    [InlineData(MessageIdRadix.Hex, MessageIdRadix.Decimal, "1A2B", "6699")]
    [InlineData(MessageIdRadix.Decimal, MessageIdRadix.Hex, "6699", "00001a2b")]
    [InlineData(MessageIdRadix.Text, MessageIdRadix.Text, "00ab12", "AB12")]
    public void MessageIdMatching_EquivalentForms_NormaliseEqual(MessageIdRadix response, MessageIdRadix receipt, string submitted, string receipted)
    {
        var matching = new MessageIdMatching(response, receipt);

        Assert.Equal(matching.NormalizeSubmitted(submitted), matching.NormalizeReceipted(receipted));
    }

    [Fact]
    public void MessageIdMatching_Exact_KeepsCaseAndZeros()
    {
        Assert.NotEqual(MessageIdMatching.Exact.NormalizeSubmitted("0ab"), MessageIdMatching.Exact.NormalizeReceipted("AB"));
    }
}
