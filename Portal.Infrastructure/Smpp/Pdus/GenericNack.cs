namespace Portal.Infrastructure.Smpp.Pdus;

/*
 * generic_nack (spec 4.3.1): header only. Sent for a PDU whose command_id is unknown or whose
 * command_length is invalid; sequence_number echoes the offending PDU when it could be read.
 *
 *   command_length=16 | command_id=0x80000000 | command_status (e.g. ESME_RINVCMDID) | sequence_number
 */

public sealed class GenericNack : HeaderOnlyPdu
{
    public override CommandId CommandId => CommandId.GenericNack;
}
