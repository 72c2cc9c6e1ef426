namespace Portal.Infrastructure.Smpp.Pdus;

/// <summary>SMPP 3.4 command_id values (spec 5.1.2.1). Bit 31 set marks a response.</summary>
public enum CommandId : uint
{
    GenericNack = 0x8000_0000,
    BindReceiver = 0x0000_0001,
    BindReceiverResp = 0x8000_0001,
    BindTransmitter = 0x0000_0002,
    BindTransmitterResp = 0x8000_0002,
    QuerySm = 0x0000_0003,
    QuerySmResp = 0x8000_0003,
    SubmitSm = 0x0000_0004,
    SubmitSmResp = 0x8000_0004,
    DeliverSm = 0x0000_0005,
    DeliverSmResp = 0x8000_0005,
    Unbind = 0x0000_0006,
    UnbindResp = 0x8000_0006,
    BindTransceiver = 0x0000_0009,
    BindTransceiverResp = 0x8000_0009,
    Outbind = 0x0000_000B,
    EnquireLink = 0x0000_0015,
    EnquireLinkResp = 0x8000_0015,
    DataSm = 0x0000_0103,
    DataSmResp = 0x8000_0103,
}
