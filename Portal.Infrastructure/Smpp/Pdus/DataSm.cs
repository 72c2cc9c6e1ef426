namespace Portal.Infrastructure.Smpp.Pdus;

/*
 * data_sm (spec 4.7.1): content travels in the message_payload TLV.
 *
 *   header(16) | service_type C(6)
 *   | source_addr_ton u8 | source_addr_npi u8 | source_addr C(65)
 *   | dest_addr_ton u8   | dest_addr_npi u8   | destination_addr C(65)
 *   | esm_class u8 | registered_delivery u8 | data_coding u8 | TLVs ...
 *
 * data_sm_resp (spec 4.7.2):
 *
 *   header(16) | message_id C(65) | TLVs ...
 */

public sealed class DataSm : Pdu
{
    /// <summary>data_sm allows longer addresses than submit_sm (spec 4.7.1).</summary>
    private const int AddressMax = 65;

    public string ServiceType { get; set; } = string.Empty;
    public SmeAddress Source { get; set; } = new(0, 0, string.Empty);
    public SmeAddress Destination { get; set; } = new(0, 0, string.Empty);
    public byte EsmClass { get; set; }
    public byte RegisteredDelivery { get; set; }
    public byte DataCoding { get; set; }
    public OptionalParameters? Optional { get; set; }

    public override CommandId CommandId => CommandId.DataSm;

    public bool IsDeliveryReceipt => (EsmClass & Pdus.EsmClass.MessageTypeMask) == Pdus.EsmClass.DeliveryReceipt;

    protected override int BodyLength =>
        PduWriter.CStringLength(ServiceType, 6) +
        2 + PduWriter.CStringLength(Source.Value, AddressMax) +
        2 + PduWriter.CStringLength(Destination.Value, AddressMax) +
        3 + (Optional?.Length ?? 0);

    private protected override void WriteBody(ref PduWriter writer)
    {
        writer.CString(ServiceType, 6);
        writer.Byte(Source.Ton);
        writer.Byte(Source.Npi);
        writer.CString(Source.Value, AddressMax);
        writer.Byte(Destination.Ton);
        writer.Byte(Destination.Npi);
        writer.CString(Destination.Value, AddressMax);
        writer.Byte(EsmClass);
        writer.Byte(RegisteredDelivery);
        writer.Byte(DataCoding);
        Optional?.WriteTo(ref writer);
    }

    private protected override bool ReadBody(ref PduReader reader)
    {
        ServiceType = reader.CString(6);
        Source = new SmeAddress(reader.Byte(), reader.Byte(), reader.CString(AddressMax));
        Destination = new SmeAddress(reader.Byte(), reader.Byte(), reader.CString(AddressMax));
        EsmClass = reader.Byte();
        RegisteredDelivery = reader.Byte();
        DataCoding = reader.Byte();
        if (reader.Failed || !OptionalParameters.TryRead(ref reader, out var optional)) return false;
        Optional = optional;
        return true;
    }

    public DataSmResp CreateResponse(CommandStatus status, string messageId) =>
        new() { SequenceNumber = SequenceNumber, Status = status, MessageId = messageId };
}

public sealed class DataSmResp : Pdu
{
    public string MessageId { get; set; } = string.Empty;
    public OptionalParameters? Optional { get; set; }

    public override CommandId CommandId => CommandId.DataSmResp;

    protected override int BodyLength => PduWriter.CStringLength(MessageId, 65) + (Optional?.Length ?? 0);

    private protected override void WriteBody(ref PduWriter writer)
    {
        writer.CString(MessageId, 65);
        Optional?.WriteTo(ref writer);
    }

    private protected override bool ReadBody(ref PduReader reader)
    {
        MessageId = reader.CString(65);
        if (reader.Failed || !OptionalParameters.TryRead(ref reader, out var optional)) return false;
        Optional = optional;
        return true;
    }
}
