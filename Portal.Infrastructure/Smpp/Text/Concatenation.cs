namespace Portal.Infrastructure.Smpp.Text;

/// <summary>How a provider wants messages longer than one SMS (issue 3, chosen per provider).</summary>
public enum LongMessageMethod
{
    /// <summary>User Data Header in short_message with esm_class UDHI (TS 23.040 9.2.3.24.1). The default.</summary>
    Udh,
    /// <summary>sar_msg_ref_num / sar_total_segments / sar_segment_seqnum TLVs (SMPP 3.4 5.3.2.22-24).</summary>
    Sar,
    /// <summary>The whole text in one submit_sm's message_payload TLV (SMPP 3.4 5.3.2.32); the SMSC splits it.</summary>
    MessagePayload,
}

/// <summary>Concatenation information element, from a UDH or from SAR TLVs.</summary>
public readonly record struct ConcatenationInfo(ushort Reference, byte Total, byte Sequence)
{
    /*
     * UDH with the 8-bit reference concatenation IE (TS 23.040 9.2.3.24.1), 6 octets:
     *
     *   +------+------+------+-----------+-------+----------+
     *   | UDHL | IEI  | IEDL | reference | total | sequence |
     *   | 0x05 | 0x00 | 0x03 | u8        | u8    | u8 (1..) |
     *   +------+------+------+-----------+-------+----------+
     *
     * IEI 0x08 is the 16-bit reference variant (7 octets, UDHL 0x06); both are read.
     */
    public const int UdhLength = 6;

    public void WriteUdh(Span<byte> destination)
    {
        destination[0] = 0x05;
        destination[1] = 0x00;
        destination[2] = 0x03;
        destination[3] = (byte)Reference;
        destination[4] = Total;
        destination[5] = Sequence;
    }

    /// <summary>Finds a concatenation IE in a UDH; <paramref name="udhLength"/> is the whole header including UDHL.</summary>
    public static bool TryReadUdh(ReadOnlySpan<byte> userData, out ConcatenationInfo info, out int udhLength)
    {
        info = default;
        udhLength = 0;
        if (userData.IsEmpty) return false;
        udhLength = userData[0] + 1;
        if (udhLength > userData.Length) return false;
        var i = 1;
        while (i + 2 <= udhLength)
        {
            var iei = userData[i];
            var length = userData[i + 1];
            if (i + 2 + length > udhLength) return false;
            var data = userData.Slice(i + 2, length);
            if (iei == 0x00 && length == 3)
            {
                info = new ConcatenationInfo(data[0], data[1], data[2]);
                return true;
            }
            if (iei == 0x08 && length == 4)
            {
                info = new ConcatenationInfo((ushort)(data[0] << 8 | data[1]), data[2], data[3]);
                return true;
            }
            i += 2 + length;
        }
        return false;
    }
}
