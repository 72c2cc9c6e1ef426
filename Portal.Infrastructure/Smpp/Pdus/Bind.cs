namespace Portal.Infrastructure.Smpp.Pdus;

/*
 * bind_transmitter / bind_receiver / bind_transceiver (spec 4.1.1, 4.1.3, 4.1.5):
 *
 *   header(16) | system_id C(16) | password C(9) | system_type C(13) | interface_version u8
 *              | addr_ton u8 | addr_npi u8 | address_range C(41)
 *
 * bind_*_resp (spec 4.1.2, 4.1.4, 4.1.6):
 *
 *   header(16) | system_id C(16) | [TLV sc_interface_version]
 *
 * C(n) = C-Octet String, at most n octets including the terminating NUL.
 */

public enum BindMode
{
    Transmitter,
    Receiver,
    Transceiver,
}

public sealed class Bind : Pdu
{
    /// <summary>interface_version 0x34 announces SMPP 3.4 (spec 5.2.4).</summary>
    public const byte SmppVersion34 = 0x34;

    public BindMode Mode { get; set; }
    public string SystemId { get; set; } = string.Empty;
    public string Password { get; set; } = string.Empty;
    public string SystemType { get; set; } = string.Empty;
    public byte InterfaceVersion { get; set; } = SmppVersion34;
    public byte AddressTon { get; set; }
    public byte AddressNpi { get; set; }
    public string AddressRange { get; set; } = string.Empty;

    public override CommandId CommandId => Mode switch
    {
        BindMode.Transmitter => CommandId.BindTransmitter,
        BindMode.Receiver => CommandId.BindReceiver,
        BindMode.Transceiver => CommandId.BindTransceiver,
        _ => throw new InvalidOperationException($"Unknown bind mode {Mode}"),
    };

    protected override int BodyLength =>
        PduWriter.CStringLength(SystemId, 16) + PduWriter.CStringLength(Password, 9) +
        PduWriter.CStringLength(SystemType, 13) + 3 + PduWriter.CStringLength(AddressRange, 41);

    private protected override void WriteBody(ref PduWriter writer)
    {
        writer.CString(SystemId, 16);
        writer.CString(Password, 9);
        writer.CString(SystemType, 13);
        writer.Byte(InterfaceVersion);
        writer.Byte(AddressTon);
        writer.Byte(AddressNpi);
        writer.CString(AddressRange, 41);
    }

    private protected override bool ReadBody(ref PduReader reader)
    {
        SystemId = reader.CString(16);
        Password = reader.CString(9);
        SystemType = reader.CString(13);
        InterfaceVersion = reader.Byte();
        AddressTon = reader.Byte();
        AddressNpi = reader.Byte();
        AddressRange = reader.CString(41);
        return true;
    }

    public BindResp CreateResponse(CommandStatus status, string systemId) => new()
    {
        Mode = Mode,
        SequenceNumber = SequenceNumber,
        Status = status,
        SystemId = systemId,
    };
}

public sealed class BindResp : Pdu
{
    public BindMode Mode { get; set; }
    public string SystemId { get; set; } = string.Empty;
    public OptionalParameters? Optional { get; set; }

    public override CommandId CommandId => Mode switch
    {
        BindMode.Transmitter => CommandId.BindTransmitterResp,
        BindMode.Receiver => CommandId.BindReceiverResp,
        BindMode.Transceiver => CommandId.BindTransceiverResp,
        _ => throw new InvalidOperationException($"Unknown bind mode {Mode}"),
    };

    protected override int BodyLength => PduWriter.CStringLength(SystemId, 16) + (Optional?.Length ?? 0);

    private protected override void WriteBody(ref PduWriter writer)
    {
        writer.CString(SystemId, 16);
        Optional?.WriteTo(ref writer);
    }

    private protected override bool ReadBody(ref PduReader reader)
    {
        SystemId = reader.CString(16);
        if (!OptionalParameters.TryRead(ref reader, out var optional)) return false;
        Optional = optional;
        return true;
    }
}
