using System.Buffers;
using Portal.Infrastructure.Smpp.Pdus;

namespace Portal.Tests.Infrastructure.Smpp;

public class PduCodecTests
{
    [Fact]
    public void WriteTo_BindTransceiver_ProducesSpecLayout()
    {
        var bind = new Bind { Mode = BindMode.Transceiver, SequenceNumber = 1, SystemId = "sys", Password = "pw" };

        byte[] expected =
        [
            0x00, 0x00, 0x00, 0x1C, // command_length = 28
            0x00, 0x00, 0x00, 0x09, // command_id = bind_transceiver
            0x00, 0x00, 0x00, 0x00, // command_status = 0
            0x00, 0x00, 0x00, 0x01, // sequence_number = 1
            (byte)'s', (byte)'y', (byte)'s', 0x00, // system_id "sys"
            (byte)'p', (byte)'w', 0x00, // password "pw"
            0x00, // system_type ""
            0x34, // interface_version 3.4
            0x00, // addr_ton
            0x00, // addr_npi
            0x00, // address_range ""
        ];
        Assert.Equal(expected, bind.ToArray());
    }

    [Fact]
    public void WriteTo_SubmitSmWithSarTlvs_ProducesSpecLayout()
    {
        var submit = new SubmitSm
        {
            SequenceNumber = 0x0102_0304,
            Source = new SmeAddress(5, 0, "AB"),
            Destination = new SmeAddress(1, 1, "79"),
            RegisteredDelivery = 1,
            ShortMessage = new byte[] { 0x48, 0x69 },
            Optional = new OptionalParameters { SarMsgRefNum = 0x1234, SarTotalSegments = 2, SarSegmentSeqnum = 1 },
        };

        byte[] expected =
        [
            0x00, 0x00, 0x00, 0x37, // command_length = 55
            0x00, 0x00, 0x00, 0x04, // command_id = submit_sm
            0x00, 0x00, 0x00, 0x00, // command_status
            0x01, 0x02, 0x03, 0x04, // sequence_number
            0x00, // service_type ""
            0x05, 0x00, (byte)'A', (byte)'B', 0x00, // source ton=5 (alphanumeric), npi=0, "AB"
            0x01, 0x01, (byte)'7', (byte)'9', 0x00, // dest ton=1 (international), npi=1 (E.164), "79"
            0x00, // esm_class
            0x00, // protocol_id
            0x00, // priority_flag
            0x00, // schedule_delivery_time ""
            0x00, // validity_period ""
            0x01, // registered_delivery: receipt requested
            0x00, // replace_if_present_flag
            0x00, // data_coding: SMSC default (GSM 03.38)
            0x00, // sm_default_msg_id
            0x02, // sm_length
            0x48, 0x69, // short_message "Hi"
            0x02, 0x0C, 0x00, 0x02, 0x12, 0x34, // TLV sar_msg_ref_num = 0x1234
            0x02, 0x0E, 0x00, 0x01, 0x02, // TLV sar_total_segments = 2
            0x02, 0x0F, 0x00, 0x01, 0x01, // TLV sar_segment_seqnum = 1
        ];
        Assert.Equal(expected, submit.ToArray());
    }

    [Fact]
    public void WriteTo_SubmitSmRespWithError_OmitsBody()
    {
        var resp = new SubmitSmResp { SequenceNumber = 7, Status = CommandStatus.Throttled, MessageId = "ignored" };

        byte[] expected =
        [
            0x00, 0x00, 0x00, 0x10, // command_length = 16: no body when command_status != 0 (spec 4.4.2)
            0x80, 0x00, 0x00, 0x04, // command_id = submit_sm_resp
            0x00, 0x00, 0x00, 0x58, // command_status = ESME_RTHROTTLED
            0x00, 0x00, 0x00, 0x07, // sequence_number
        ];
        Assert.Equal(expected, resp.ToArray());
    }

    [Fact]
    public void WriteTo_DeliverSmReceiptTlvs_ProducesSpecLayout()
    {
        var deliver = new DeliverSm
        {
            SequenceNumber = 2,
            EsmClass = EsmClass.DeliveryReceipt,
            Optional = new OptionalParameters
            {
                ReceiptedMessageId = "A1",
                MessageState = MessageState.Delivered,
                NetworkErrorCode = new NetworkError(3, 0x0102),
                UserMessageReference = 9,
            },
        };

        var bytes = deliver.ToArray();
        // Mandatory part: 16 header + 1 + 3 + 3 + 3 + 2 + 4 + 1 = 33, then the TLVs in declaration order.
        Assert.Equal(0x05, bytes[7]); // command_id low byte = deliver_sm
        Assert.Equal(EsmClass.DeliveryReceipt, bytes[16 + 1 + 3 + 3]); // esm_class
        byte[] tlvs =
        [
            0x00, 0x1E, 0x00, 0x03, (byte)'A', (byte)'1', 0x00, // receipted_message_id "A1"
            0x02, 0x04, 0x00, 0x02, 0x00, 0x09, // user_message_reference = 9
            0x04, 0x23, 0x00, 0x03, 0x03, 0x01, 0x02, // network_error_code: GSM, 0x0102
            0x04, 0x27, 0x00, 0x01, 0x02, // message_state = DELIVERED
        ];
        Assert.Equal(tlvs, bytes[33..]);
        Assert.Equal(bytes.Length, (bytes[2] << 8) | bytes[3]); // command_length matches
    }

    [Fact]
    public void TryRead_EveryPduFamily_RoundTrips()
    {
        Pdu[] pdus =
        [
            new Bind { Mode = BindMode.Transmitter, SystemId = "a", Password = "b", SystemType = "c", AddressRange = "7.*" },
            new Bind { Mode = BindMode.Receiver, SystemId = "a" },
            new BindResp { Mode = BindMode.Transceiver, SystemId = "smsc", Optional = new OptionalParameters { ScInterfaceVersion = 0x34 } },
            new Outbind { SystemId = "smsc", Password = "pw" },
            new Unbind(), new UnbindResp(), new EnquireLink(), new EnquireLinkResp(),
            new GenericNack { Status = CommandStatus.InvalidCommandId },
            new SubmitSm { Source = new SmeAddress(1, 1, "123"), Destination = new SmeAddress(1, 1, "456"), DataCoding = 8, ShortMessage = new byte[] { 0, 0x41 } },
            new SubmitSmResp { MessageId = "abc" },
            new DeliverSm { EsmClass = 4, Optional = new OptionalParameters { MessagePayload = new byte[300] } },
            new DeliverSmResp(),
            new DataSm { Source = new SmeAddress(0, 0, "x"), Optional = new OptionalParameters { MessagePayload = new byte[] { 1, 2 } } },
            new DataSmResp { MessageId = "m" },
            new QuerySm { MessageId = "q", Source = new SmeAddress(1, 1, "1") },
            new QuerySmResp { MessageId = "q", FinalDate = "2611251200000+", MessageState = MessageState.Expired, ErrorCode = 5 },
        ];
        uint sequence = 10;
        foreach (var pdu in pdus)
        {
            pdu.SequenceNumber = sequence++;
            var bytes = pdu.ToArray();
            var decoded = PduCodec.Decode(bytes);
            Assert.NotNull(decoded);
            Assert.Equal(pdu.GetType(), decoded.GetType());
            Assert.Equal(pdu.CommandId, decoded.CommandId);
            Assert.Equal(pdu.SequenceNumber, decoded.SequenceNumber);
            Assert.Equal(bytes, decoded.ToArray());
        }
    }

    [Fact]
    public void TryRead_PartialThenComplete_WaitsThenDecodes()
    {
        var bytes = new SubmitSmResp { SequenceNumber = 3, MessageId = "42" }.ToArray();
        var partial = new ReadOnlySequence<byte>(bytes, 0, bytes.Length - 1);

        Assert.Equal(PduReadStatus.Incomplete, PduCodec.TryRead(ref partial, 1000, out _));
        Assert.Equal(bytes.Length - 1, partial.Length); // nothing consumed

        var whole = TwoSegments(bytes, 5);
        Assert.Equal(PduReadStatus.Ok, PduCodec.TryRead(ref whole, 1000, out var frame));
        Assert.Equal("42", Assert.IsType<SubmitSmResp>(frame.Pdu).MessageId);
        Assert.Equal(0, whole.Length);
    }

    [Theory]
    [InlineData(0x0000_000Fu)] // below the 16-octet header
    [InlineData(0x0010_0000u)] // above the limit
    public void TryRead_BadCommandLength_ReportsInvalidLengthWithoutConsuming(uint length)
    {
        byte[] bytes = [(byte)(length >> 24), (byte)(length >> 16), (byte)(length >> 8), (byte)length, 0, 0, 0, 0x15, 0, 0, 0, 0, 0, 0, 0, 9];
        var buffer = new ReadOnlySequence<byte>(bytes);

        Assert.Equal(PduReadStatus.InvalidLength, PduCodec.TryRead(ref buffer, 70_000, out var frame));
        Assert.Equal(9u, frame.SequenceNumber);
        Assert.Equal(16, buffer.Length);
    }

    [Fact]
    public void TryRead_UnknownCommandId_ConsumesFrameAndReportsIt()
    {
        byte[] bytes = [0, 0, 0, 20, 0, 0, 0x77, 0x77, 0, 0, 0, 0, 0, 0, 0, 5, 1, 2, 3, 4];
        var buffer = new ReadOnlySequence<byte>(bytes);

        Assert.Equal(PduReadStatus.UnknownCommand, PduCodec.TryRead(ref buffer, 70_000, out var frame));
        Assert.Equal(5u, frame.SequenceNumber);
        Assert.Equal(0, buffer.Length);
    }

    [Fact]
    public void TryRead_SubmitSmWithSmLengthBeyondBody_ReportsInvalidBody()
    {
        var bytes = new SubmitSm { ShortMessage = new byte[] { 1, 2, 3 } }.ToArray();
        bytes[^4] = 200; // sm_length claims 200 octets, only 3 follow
        var buffer = new ReadOnlySequence<byte>(bytes);

        Assert.Equal(PduReadStatus.InvalidBody, PduCodec.TryRead(ref buffer, 70_000, out var frame));
        Assert.Null(frame.Pdu);
        Assert.Equal(0, buffer.Length);
    }

    [Fact]
    public void TryRead_SubmitSmRespWithoutBody_DecodesEmptyMessageId()
    {
        byte[] bytes = [0, 0, 0, 16, 0x80, 0, 0, 4, 0, 0, 0, 0x14, 0, 0, 0, 8];
        var pdu = Assert.IsType<SubmitSmResp>(PduCodec.Decode(bytes));

        Assert.Equal(CommandStatus.MessageQueueFull, pdu.Status);
        Assert.Equal(string.Empty, pdu.MessageId);
    }

    [Fact]
    public void TryRead_UnterminatedCString_ReportsInvalidBody()
    {
        byte[] bytes = [0, 0, 0, 20, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 1, (byte)'a', (byte)'b', (byte)'c', (byte)'d'];
        var buffer = new ReadOnlySequence<byte>(bytes);

        Assert.Equal(PduReadStatus.InvalidBody, PduCodec.TryRead(ref buffer, 70_000, out _));
    }

    private static ReadOnlySequence<byte> TwoSegments(byte[] bytes, int split)
    {
        var first = new Segment(bytes.AsMemory(0, split), 0);
        var second = first.Append(bytes.AsMemory(split));
        return new ReadOnlySequence<byte>(first, 0, second, second.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
