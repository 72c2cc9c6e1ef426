namespace Portal.Infrastructure.Smpp.Pdus;

/*
 * submit_sm (spec 4.4.1) and deliver_sm (spec 4.6.1) share one body layout:
 *
 *   header(16)
 *   | service_type C(6)
 *   | source_addr_ton u8 | source_addr_npi u8 | source_addr C(21)
 *   | dest_addr_ton u8   | dest_addr_npi u8   | destination_addr C(21)
 *   | esm_class u8 | protocol_id u8 | priority_flag u8
 *   | schedule_delivery_time C(17) | validity_period C(17)
 *   | registered_delivery u8 | replace_if_present_flag u8 | data_coding u8 | sm_default_msg_id u8
 *   | sm_length u8 | short_message (sm_length octets, 0..254)
 *   | TLVs ...
 */

/// <summary>An SME address: type of number, numbering plan indicator, digits or alphanumeric text (spec 5.2.5-5.2.8).</summary>
public readonly record struct SmeAddress(byte Ton, byte Npi, string Value)
{
    /// <summary>Max octets of an address field including the NUL (spec 4.4.1).</summary>
    public const int MaxLength = 21;
}

/// <summary>esm_class bits (spec 5.2.12).</summary>
public static class EsmClass
{
    /// <summary>Bits 5-2 = 0001: the deliver_sm carries an SMSC delivery receipt.</summary>
    public const byte DeliveryReceipt = 0x04;
    public const byte MessageTypeMask = 0x3C;
    /// <summary>Bit 6: short_message starts with a User Data Header.</summary>
    public const byte UdhIndicator = 0x40;
}

public abstract class ShortMessagePdu : Pdu
{
    public string ServiceType { get; set; } = string.Empty;
    public SmeAddress Source { get; set; } = new(0, 0, string.Empty);
    public SmeAddress Destination { get; set; } = new(0, 0, string.Empty);
    public byte EsmClass { get; set; }
    public byte ProtocolId { get; set; }
    public byte PriorityFlag { get; set; }
    public string ScheduleDeliveryTime { get; set; } = string.Empty;
    public string ValidityPeriod { get; set; } = string.Empty;
    public byte RegisteredDelivery { get; set; }
    public byte ReplaceIfPresent { get; set; }
    public byte DataCoding { get; set; }
    public byte SmDefaultMsgId { get; set; }

    /// <summary>At most 254 octets (spec 5.2.21); longer content goes to message_payload or several parts.</summary>
    public ReadOnlyMemory<byte> ShortMessage { get; set; }

    public OptionalParameters? Optional { get; set; }

    public bool HasUdh => (EsmClass & Pdus.EsmClass.UdhIndicator) != 0;

    protected sealed override int BodyLength =>
        PduWriter.CStringLength(ServiceType, 6) +
        2 + PduWriter.CStringLength(Source.Value, SmeAddress.MaxLength) +
        2 + PduWriter.CStringLength(Destination.Value, SmeAddress.MaxLength) +
        3 + PduWriter.CStringLength(ScheduleDeliveryTime, 17) + PduWriter.CStringLength(ValidityPeriod, 17) +
        5 + Math.Min(ShortMessage.Length, 254) + (Optional?.Length ?? 0);

    private protected sealed override void WriteBody(ref PduWriter writer)
    {
        writer.CString(ServiceType, 6);
        writer.Byte(Source.Ton);
        writer.Byte(Source.Npi);
        writer.CString(Source.Value, SmeAddress.MaxLength);
        writer.Byte(Destination.Ton);
        writer.Byte(Destination.Npi);
        writer.CString(Destination.Value, SmeAddress.MaxLength);
        writer.Byte(EsmClass);
        writer.Byte(ProtocolId);
        writer.Byte(PriorityFlag);
        writer.CString(ScheduleDeliveryTime, 17);
        writer.CString(ValidityPeriod, 17);
        writer.Byte(RegisteredDelivery);
        writer.Byte(ReplaceIfPresent);
        writer.Byte(DataCoding);
        writer.Byte(SmDefaultMsgId);
        var message = ShortMessage.Span[..Math.Min(ShortMessage.Length, 254)];
        writer.Byte((byte)message.Length);
        writer.Bytes(message);
        Optional?.WriteTo(ref writer);
    }

    private protected sealed override bool ReadBody(ref PduReader reader)
    {
        ServiceType = reader.CString(6);
        Source = new SmeAddress(reader.Byte(), reader.Byte(), reader.CString(SmeAddress.MaxLength));
        Destination = new SmeAddress(reader.Byte(), reader.Byte(), reader.CString(SmeAddress.MaxLength));
        EsmClass = reader.Byte();
        ProtocolId = reader.Byte();
        PriorityFlag = reader.Byte();
        ScheduleDeliveryTime = reader.CString(17);
        ValidityPeriod = reader.CString(17);
        RegisteredDelivery = reader.Byte();
        ReplaceIfPresent = reader.Byte();
        DataCoding = reader.Byte();
        SmDefaultMsgId = reader.Byte();
        var smLength = reader.Byte();
        if (smLength > 254) return false;
        var message = reader.Bytes(smLength);
        if (reader.Failed) return false;
        ShortMessage = message.IsEmpty ? ReadOnlyMemory<byte>.Empty : message.ToArray();
        if (!OptionalParameters.TryRead(ref reader, out var optional)) return false;
        Optional = optional;
        return true;
    }

    /// <summary>The message content: message_payload when present (spec 5.3.2.32), else short_message.</summary>
    public ReadOnlyMemory<byte> Content => Optional?.MessagePayload ?? ShortMessage;
}
