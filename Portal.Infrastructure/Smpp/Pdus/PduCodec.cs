using System.Buffers;
using System.Buffers.Binary;

namespace Portal.Infrastructure.Smpp.Pdus;

public enum PduReadStatus
{
    /// <summary>Not enough bytes for a whole PDU yet; nothing consumed.</summary>
    Incomplete,
    /// <summary>A PDU was decoded and consumed.</summary>
    Ok,
    /// <summary>
    /// command_length is below 16 or above the limit: the stream cannot be re-framed, so the peer
    /// gets generic_nack ESME_RINVCMDLEN and the connection is closed. Nothing consumed.
    /// </summary>
    InvalidLength,
    /// <summary>Unknown command_id: the frame is consumed, answer generic_nack ESME_RINVCMDID (spec 4.3.1).</summary>
    UnknownCommand,
    /// <summary>Known command_id but the body does not parse: the frame is consumed, the connection may go on.</summary>
    InvalidBody,
}

/// <summary>Result of <see cref="PduCodec.TryRead"/>; header fields are set whenever a header could be read.</summary>
public readonly record struct PduFrame(PduReadStatus Status, Pdu? Pdu, uint CommandId, CommandStatus CommandStatus, uint SequenceNumber)
{
    public bool IsResponse => (CommandId & 0x8000_0000) != 0;
}

/// <summary>Frames and decodes PDUs from a byte stream. Never throws on malformed input.</summary>
public static class PduCodec
{
    /// <summary>Header plus a full 64K message_payload TLV plus the rest of a data_sm.</summary>
    public const int DefaultMaxPduLength = 70_000;

    public static PduReadStatus TryRead(ref ReadOnlySequence<byte> buffer, int maxPduLength, out PduFrame frame)
    {
        frame = default;
        if (buffer.Length < Pdu.HeaderLength) return PduReadStatus.Incomplete;

        Span<byte> header = stackalloc byte[Pdu.HeaderLength];
        buffer.Slice(0, Pdu.HeaderLength).CopyTo(header);
        var length = BinaryPrimitives.ReadUInt32BigEndian(header);
        var commandId = BinaryPrimitives.ReadUInt32BigEndian(header[4..]);
        var status = (CommandStatus)BinaryPrimitives.ReadUInt32BigEndian(header[8..]);
        var sequence = BinaryPrimitives.ReadUInt32BigEndian(header[12..]);

        if (length < Pdu.HeaderLength || length > (uint)maxPduLength)
        {
            frame = new PduFrame(PduReadStatus.InvalidLength, null, commandId, status, sequence);
            return PduReadStatus.InvalidLength;
        }
        if (buffer.Length < length) return PduReadStatus.Incomplete;

        var whole = buffer.Slice(0, length);
        buffer = buffer.Slice(length);

        var pdu = Create((CommandId)commandId);
        if (pdu is null)
        {
            frame = new PduFrame(PduReadStatus.UnknownCommand, null, commandId, status, sequence);
            return PduReadStatus.UnknownCommand;
        }
        pdu.Status = status;
        pdu.SequenceNumber = sequence;

        bool ok;
        var bodyLength = (int)length - Pdu.HeaderLength;
        if (whole.IsSingleSegment)
        {
            ok = pdu.TryReadBody(whole.FirstSpan[Pdu.HeaderLength..]);
        }
        else
        {
            var rented = ArrayPool<byte>.Shared.Rent(bodyLength);
            whole.Slice(Pdu.HeaderLength).CopyTo(rented);
            ok = pdu.TryReadBody(rented.AsSpan(0, bodyLength));
            ArrayPool<byte>.Shared.Return(rented);
        }

        var result = ok ? PduReadStatus.Ok : PduReadStatus.InvalidBody;
        frame = new PduFrame(result, ok ? pdu : null, commandId, status, sequence);
        return result;
    }

    /// <summary>Decodes exactly one PDU from a byte array (tests, tools).</summary>
    public static Pdu? Decode(ReadOnlySpan<byte> bytes)
    {
        var sequence = new ReadOnlySequence<byte>(bytes.ToArray());
        return TryRead(ref sequence, int.MaxValue, out var frame) == PduReadStatus.Ok ? frame.Pdu : null;
    }

    private static Pdu? Create(CommandId commandId) => commandId switch
    {
        CommandId.GenericNack => new GenericNack(),
        CommandId.BindReceiver => new Bind { Mode = BindMode.Receiver },
        CommandId.BindTransmitter => new Bind { Mode = BindMode.Transmitter },
        CommandId.BindTransceiver => new Bind { Mode = BindMode.Transceiver },
        CommandId.BindReceiverResp => new BindResp { Mode = BindMode.Receiver },
        CommandId.BindTransmitterResp => new BindResp { Mode = BindMode.Transmitter },
        CommandId.BindTransceiverResp => new BindResp { Mode = BindMode.Transceiver },
        CommandId.Outbind => new Outbind(),
        CommandId.Unbind => new Unbind(),
        CommandId.UnbindResp => new UnbindResp(),
        CommandId.EnquireLink => new EnquireLink(),
        CommandId.EnquireLinkResp => new EnquireLinkResp(),
        CommandId.SubmitSm => new SubmitSm(),
        CommandId.SubmitSmResp => new SubmitSmResp(),
        CommandId.DeliverSm => new DeliverSm(),
        CommandId.DeliverSmResp => new DeliverSmResp(),
        CommandId.DataSm => new DataSm(),
        CommandId.DataSmResp => new DataSmResp(),
        CommandId.QuerySm => new QuerySm(),
        CommandId.QuerySmResp => new QuerySmResp(),
        _ => null,
    };
}
