namespace Portal.Infrastructure.Smpp.Pdus;

/*
 * enquire_link / enquire_link_resp (spec 4.11.1, 4.11.2): header only, either side may send.
 *
 *   command_length=16 | command_id=0x00000015 / 0x80000015 | command_status | sequence_number
 */

public sealed class EnquireLink : HeaderOnlyPdu
{
    public override CommandId CommandId => CommandId.EnquireLink;

    public EnquireLinkResp CreateResponse() => new() { SequenceNumber = SequenceNumber };
}

public sealed class EnquireLinkResp : HeaderOnlyPdu
{
    public override CommandId CommandId => CommandId.EnquireLinkResp;
}
