namespace Portal.Infrastructure.Smpp.Pdus;

/*
 * unbind / unbind_resp (spec 4.2.1, 4.2.2): header only.
 *
 *   command_length=16 | command_id=0x00000006 / 0x80000006 | command_status | sequence_number
 */

public sealed class Unbind : HeaderOnlyPdu
{
    public override CommandId CommandId => CommandId.Unbind;

    public UnbindResp CreateResponse() => new() { SequenceNumber = SequenceNumber };
}

public sealed class UnbindResp : HeaderOnlyPdu
{
    public override CommandId CommandId => CommandId.UnbindResp;
}
