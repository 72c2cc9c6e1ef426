using System.Buffers.Binary;

namespace Portal.Infrastructure.Smpp.Pdus;

/*
 * Every SMPP PDU (spec 3.2, 5.1):
 *
 *   0               4               8               12              16
 *   +---------------+---------------+---------------+---------------+-------------+
 *   | command_length| command_id    | command_status| sequence_num  | body ...    |
 *   | uint32 BE     | uint32 BE     | uint32 BE     | uint32 BE     | 0..n octets |
 *   +---------------+---------------+---------------+---------------+-------------+
 *
 * command_length counts the whole PDU, header included.
 */

/// <summary>Base of all PDUs: header fields, length and serialisation.</summary>
public abstract class Pdu
{
    public const int HeaderLength = 16;

    public abstract CommandId CommandId { get; }

    public CommandStatus Status { get; set; }

    public uint SequenceNumber { get; set; }

    public bool IsResponse => ((uint)CommandId & 0x8000_0000) != 0;

    /// <summary>command_length: header plus body.</summary>
    public int Length => HeaderLength + (OmitsBody ? 0 : BodyLength);

    /// <summary>
    /// Responses with a non-zero command_status carry no body (e.g. spec 4.4.2 for submit_sm_resp,
    /// 4.1.2 for bind_*_resp); node-smpp and most SMSCs follow this.
    /// </summary>
    private bool OmitsBody => IsResponse && Status != CommandStatus.Ok;

    protected abstract int BodyLength { get; }

    private protected abstract void WriteBody(ref PduWriter writer);

    /// <summary>Reads the body; returns false when it is malformed. Responses may arrive without a body.</summary>
    private protected abstract bool ReadBody(ref PduReader reader);

    /// <summary>Writes the whole PDU and returns the number of bytes written (<see cref="Length"/>).</summary>
    public int WriteTo(Span<byte> destination)
    {
        var length = Length;
        BinaryPrimitives.WriteUInt32BigEndian(destination, (uint)length);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], (uint)CommandId);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], (uint)Status);
        BinaryPrimitives.WriteUInt32BigEndian(destination[12..], SequenceNumber);
        if (length > HeaderLength)
        {
            var writer = new PduWriter(destination[HeaderLength..length]);
            WriteBody(ref writer);
        }
        return length;
    }

    public byte[] ToArray()
    {
        var bytes = new byte[Length];
        WriteTo(bytes);
        return bytes;
    }

    internal bool TryReadBody(ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty && IsResponse) return true;
        var reader = new PduReader(body);
        return ReadBody(ref reader) && !reader.Failed;
    }

    public override string ToString() => $"{CommandId} seq={SequenceNumber} status={Status}";
}

/// <summary>A PDU with no body at all (enquire_link, unbind, generic_nack and their responses).</summary>
public abstract class HeaderOnlyPdu : Pdu
{
    protected sealed override int BodyLength => 0;

    private protected sealed override void WriteBody(ref PduWriter writer)
    {
    }

    // Extra bytes after the header are tolerated: command_length already framed the PDU.
    private protected sealed override bool ReadBody(ref PduReader reader) => true;
}
