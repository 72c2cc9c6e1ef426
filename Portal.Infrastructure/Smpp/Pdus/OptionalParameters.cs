using System.Text;

namespace Portal.Infrastructure.Smpp.Pdus;

/*
 * Optional parameters, TLV format (spec 3.2.4, 5.3):
 *
 *   +--------+--------+------------------+
 *   | tag    | length | value            |
 *   | uint16 | uint16 | `length` octets  |
 *   +--------+--------+------------------+
 *
 * Tags used by Portal (spec 5.3.2.x):
 *   0x001E receipted_message_id   C-Octet String, max 65
 *   0x0204 user_message_reference uint16
 *   0x020C sar_msg_ref_num        uint16
 *   0x020E sar_total_segments     uint8
 *   0x020F sar_segment_seqnum     uint8
 *   0x0210 sc_interface_version   uint8
 *   0x0423 network_error_code     3 octets: network type uint8, error code uint16
 *   0x0424 message_payload        octet string, up to 64K
 *   0x0427 message_state          uint8
 * Unknown tags are kept verbatim so a PDU round-trips unchanged.
 */

/// <summary>Network error from the network_error_code TLV (spec 5.3.2.31): type 1=ANSI-136, 2=IS-95, 3=GSM, ...</summary>
public readonly record struct NetworkError(byte NetworkType, ushort ErrorCode);

/// <summary>A TLV this codec has no typed property for.</summary>
public sealed record UnknownTlv(ushort Tag, byte[] Value);

/// <summary>The optional TLV parameters of a PDU.</summary>
public sealed class OptionalParameters
{
    public const ushort ReceiptedMessageIdTag = 0x001E;
    public const ushort UserMessageReferenceTag = 0x0204;
    public const ushort SarMsgRefNumTag = 0x020C;
    public const ushort SarTotalSegmentsTag = 0x020E;
    public const ushort SarSegmentSeqnumTag = 0x020F;
    public const ushort ScInterfaceVersionTag = 0x0210;
    public const ushort NetworkErrorCodeTag = 0x0423;
    public const ushort MessagePayloadTag = 0x0424;
    public const ushort MessageStateTag = 0x0427;

    public string? ReceiptedMessageId { get; set; }
    public ushort? UserMessageReference { get; set; }
    public ushort? SarMsgRefNum { get; set; }
    public byte? SarTotalSegments { get; set; }
    public byte? SarSegmentSeqnum { get; set; }
    public byte? ScInterfaceVersion { get; set; }
    public NetworkError? NetworkErrorCode { get; set; }
    public ReadOnlyMemory<byte>? MessagePayload { get; set; }
    public MessageState? MessageState { get; set; }
    public List<UnknownTlv>? Unknown { get; set; }

    internal int Length
    {
        get
        {
            var length = 0;
            if (ReceiptedMessageId is not null) length += 4 + PduWriter.CStringLength(ReceiptedMessageId, 65);
            if (UserMessageReference.HasValue) length += 6;
            if (SarMsgRefNum.HasValue) length += 6;
            if (SarTotalSegments.HasValue) length += 5;
            if (SarSegmentSeqnum.HasValue) length += 5;
            if (ScInterfaceVersion.HasValue) length += 5;
            if (NetworkErrorCode.HasValue) length += 7;
            if (MessagePayload is { } payload) length += 4 + payload.Length;
            if (MessageState.HasValue) length += 5;
            if (Unknown is not null)
            {
                foreach (var tlv in Unknown) length += 4 + tlv.Value.Length;
            }
            return length;
        }
    }

    internal void WriteTo(ref PduWriter writer)
    {
        if (ReceiptedMessageId is not null)
        {
            writer.UInt16(ReceiptedMessageIdTag);
            writer.UInt16((ushort)PduWriter.CStringLength(ReceiptedMessageId, 65));
            writer.CString(ReceiptedMessageId, 65);
        }
        if (UserMessageReference is { } reference) WriteUInt16(ref writer, UserMessageReferenceTag, reference);
        if (SarMsgRefNum is { } refNum) WriteUInt16(ref writer, SarMsgRefNumTag, refNum);
        if (SarTotalSegments is { } total) WriteByte(ref writer, SarTotalSegmentsTag, total);
        if (SarSegmentSeqnum is { } seqnum) WriteByte(ref writer, SarSegmentSeqnumTag, seqnum);
        if (ScInterfaceVersion is { } version) WriteByte(ref writer, ScInterfaceVersionTag, version);
        if (NetworkErrorCode is { } error)
        {
            writer.UInt16(NetworkErrorCodeTag);
            writer.UInt16(3);
            writer.Byte(error.NetworkType);
            writer.UInt16(error.ErrorCode);
        }
        if (MessagePayload is { } payload)
        {
            writer.UInt16(MessagePayloadTag);
            writer.UInt16((ushort)payload.Length);
            writer.Bytes(payload.Span);
        }
        if (MessageState is { } state) WriteByte(ref writer, MessageStateTag, (byte)state);
        if (Unknown is not null)
        {
            foreach (var tlv in Unknown)
            {
                writer.UInt16(tlv.Tag);
                writer.UInt16((ushort)tlv.Value.Length);
                writer.Bytes(tlv.Value);
            }
        }
    }

    /// <summary>Reads TLVs up to the end of the body; false on a truncated TLV or a wrong fixed length.</summary>
    internal static bool TryRead(ref PduReader reader, out OptionalParameters? parameters)
    {
        parameters = null;
        while (!reader.AtEnd)
        {
            var tag = reader.UInt16();
            var length = reader.UInt16();
            var value = reader.Bytes(length);
            if (reader.Failed) return false;
            parameters ??= new OptionalParameters();
            if (!parameters.TrySet(tag, value)) return false;
        }
        return true;
    }

    private bool TrySet(ushort tag, ReadOnlySpan<byte> value)
    {
        switch (tag)
        {
            case ReceiptedMessageIdTag:
                if (value.Length is 0 or > 65) return false;
                var end = value.IndexOf((byte)0);
                ReceiptedMessageId = Encoding.Latin1.GetString(end < 0 ? value : value[..end]);
                return true;
            case UserMessageReferenceTag:
                if (value.Length != 2) return false;
                UserMessageReference = (ushort)(value[0] << 8 | value[1]);
                return true;
            case SarMsgRefNumTag:
                if (value.Length != 2) return false;
                SarMsgRefNum = (ushort)(value[0] << 8 | value[1]);
                return true;
            case SarTotalSegmentsTag:
                if (value.Length != 1) return false;
                SarTotalSegments = value[0];
                return true;
            case SarSegmentSeqnumTag:
                if (value.Length != 1) return false;
                SarSegmentSeqnum = value[0];
                return true;
            case ScInterfaceVersionTag:
                if (value.Length != 1) return false;
                ScInterfaceVersion = value[0];
                return true;
            case NetworkErrorCodeTag:
                if (value.Length != 3) return false;
                NetworkErrorCode = new NetworkError(value[0], (ushort)(value[1] << 8 | value[2]));
                return true;
            case MessagePayloadTag:
                MessagePayload = value.ToArray();
                return true;
            case MessageStateTag:
                if (value.Length != 1) return false;
                MessageState = (MessageState)value[0];
                return true;
            default:
                (Unknown ??= []).Add(new UnknownTlv(tag, value.ToArray()));
                return true;
        }
    }

    private static void WriteUInt16(ref PduWriter writer, ushort tag, ushort value)
    {
        writer.UInt16(tag);
        writer.UInt16(2);
        writer.UInt16(value);
    }

    private static void WriteByte(ref PduWriter writer, ushort tag, byte value)
    {
        writer.UInt16(tag);
        writer.UInt16(1);
        writer.Byte(value);
    }
}

/// <summary>message_state values (spec 5.2.28), used by query_sm_resp and the message_state TLV.</summary>
public enum MessageState : byte
{
    Scheduled = 0,
    Enroute = 1,
    Delivered = 2,
    Expired = 3,
    Deleted = 4,
    Undeliverable = 5,
    Accepted = 6,
    Unknown = 7,
    Rejected = 8,
}
