namespace Portal.Infrastructure.Smpp.Pdus;

/*
 * outbind (spec 4.1.7): the SMSC asks an ESME to bind as receiver.
 *
 *   header(16) | system_id C(16) | password C(9)
 */

public sealed class Outbind : Pdu
{
    public string SystemId { get; set; } = string.Empty;
    public string Password { get; set; } = string.Empty;

    public override CommandId CommandId => CommandId.Outbind;

    protected override int BodyLength => PduWriter.CStringLength(SystemId, 16) + PduWriter.CStringLength(Password, 9);

    private protected override void WriteBody(ref PduWriter writer)
    {
        writer.CString(SystemId, 16);
        writer.CString(Password, 9);
    }

    private protected override bool ReadBody(ref PduReader reader)
    {
        SystemId = reader.CString(16);
        Password = reader.CString(9);
        return true;
    }
}
