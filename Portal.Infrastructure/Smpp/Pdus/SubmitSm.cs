namespace Portal.Infrastructure.Smpp.Pdus;

/*
 * submit_sm (spec 4.4.1): body as in ShortMessagePdu.cs.
 *
 * submit_sm_resp (spec 4.4.2):
 *
 *   header(16) | message_id C(65)        (no body when command_status != 0)
 */

public sealed class SubmitSm : ShortMessagePdu
{
    public override CommandId CommandId => CommandId.SubmitSm;

    public SubmitSmResp CreateResponse(CommandStatus status, string messageId) =>
        new() { SequenceNumber = SequenceNumber, Status = status, MessageId = messageId };
}

public sealed class SubmitSmResp : Pdu
{
    public string MessageId { get; set; } = string.Empty;

    public override CommandId CommandId => CommandId.SubmitSmResp;

    protected override int BodyLength => PduWriter.CStringLength(MessageId, 65);

    private protected override void WriteBody(ref PduWriter writer) => writer.CString(MessageId, 65);

    private protected override bool ReadBody(ref PduReader reader)
    {
        MessageId = reader.CString(65);
        return true;
    }
}
