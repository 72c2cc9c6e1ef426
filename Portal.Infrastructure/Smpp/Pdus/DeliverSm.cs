namespace Portal.Infrastructure.Smpp.Pdus;

/*
 * deliver_sm (spec 4.6.1): body as in ShortMessagePdu.cs. Carries MO messages and, with
 * esm_class bits 5-2 = 0001, delivery receipts (spec 2.11, appendix B).
 *
 * deliver_sm_resp (spec 4.6.2):
 *
 *   header(16) | message_id C(65)        (unused, set to NUL)
 */

public sealed class DeliverSm : ShortMessagePdu
{
    public override CommandId CommandId => CommandId.DeliverSm;

    public bool IsDeliveryReceipt => (EsmClass & Pdus.EsmClass.MessageTypeMask) == Pdus.EsmClass.DeliveryReceipt;

    public DeliverSmResp CreateResponse(CommandStatus status = CommandStatus.Ok) =>
        new() { SequenceNumber = SequenceNumber, Status = status };
}

public sealed class DeliverSmResp : Pdu
{
    public string MessageId { get; set; } = string.Empty;

    public override CommandId CommandId => CommandId.DeliverSmResp;

    protected override int BodyLength => PduWriter.CStringLength(MessageId, 65);

    private protected override void WriteBody(ref PduWriter writer) => writer.CString(MessageId, 65);

    private protected override bool ReadBody(ref PduReader reader)
    {
        MessageId = reader.CString(65);
        return true;
    }
}
