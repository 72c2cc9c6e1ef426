namespace Portal.Infrastructure.Smpp.Pdus;

/*
 * query_sm (spec 4.8.1):
 *
 *   header(16) | message_id C(65) | source_addr_ton u8 | source_addr_npi u8 | source_addr C(21)
 *
 * query_sm_resp (spec 4.8.2):
 *
 *   header(16) | message_id C(65) | final_date C(17) | message_state u8 | error_code u8
 */

public sealed class QuerySm : Pdu
{
    public string MessageId { get; set; } = string.Empty;
    public SmeAddress Source { get; set; } = new(0, 0, string.Empty);

    public override CommandId CommandId => CommandId.QuerySm;

    protected override int BodyLength =>
        PduWriter.CStringLength(MessageId, 65) + 2 + PduWriter.CStringLength(Source.Value, SmeAddress.MaxLength);

    private protected override void WriteBody(ref PduWriter writer)
    {
        writer.CString(MessageId, 65);
        writer.Byte(Source.Ton);
        writer.Byte(Source.Npi);
        writer.CString(Source.Value, SmeAddress.MaxLength);
    }

    private protected override bool ReadBody(ref PduReader reader)
    {
        MessageId = reader.CString(65);
        Source = new SmeAddress(reader.Byte(), reader.Byte(), reader.CString(SmeAddress.MaxLength));
        return true;
    }
}

public sealed class QuerySmResp : Pdu
{
    public string MessageId { get; set; } = string.Empty;
    public string FinalDate { get; set; } = string.Empty;
    public MessageState MessageState { get; set; }
    public byte ErrorCode { get; set; }

    public override CommandId CommandId => CommandId.QuerySmResp;

    protected override int BodyLength => PduWriter.CStringLength(MessageId, 65) + PduWriter.CStringLength(FinalDate, 17) + 2;

    private protected override void WriteBody(ref PduWriter writer)
    {
        writer.CString(MessageId, 65);
        writer.CString(FinalDate, 17);
        writer.Byte((byte)MessageState);
        writer.Byte(ErrorCode);
    }

    private protected override bool ReadBody(ref PduReader reader)
    {
        MessageId = reader.CString(65);
        FinalDate = reader.CString(17);
        MessageState = (MessageState)reader.Byte();
        ErrorCode = reader.Byte();
        return true;
    }
}
