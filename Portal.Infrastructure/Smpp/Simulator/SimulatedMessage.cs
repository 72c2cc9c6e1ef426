using Portal.Infrastructure.Smpp.Pdus;
using Portal.Infrastructure.Smpp.Text;
using TextCoding = Portal.Infrastructure.Smpp.Text.DataCoding;

namespace Portal.Infrastructure.Smpp.Simulator;

/// <summary>A message the simulator accepted (kept only with <see cref="SmscSimulatorOptions.KeepMessages"/>).</summary>
public sealed record SimulatedMessage(
    string MessageId,
    string SystemId,
    SmeAddress From,
    SmeAddress To,
    byte DataCoding,
    byte EsmClass,
    ReadOnlyMemory<byte> Content,
    OptionalParameters? Optional)
{
    public MessageState State { get; set; } = MessageState.Enroute;

    /// <summary>Concatenation info from a UDH or SAR TLVs, when this is one part of a long message.</summary>
    public ConcatenationInfo? Part
    {
        get
        {
            if ((EsmClass & Pdus.EsmClass.UdhIndicator) != 0 && ConcatenationInfo.TryReadUdh(Content.Span, out var info, out _)) return info;
            if (Optional is { SarMsgRefNum: { } r, SarTotalSegments: { } t, SarSegmentSeqnum: { } s }) return new ConcatenationInfo(r, t, s);
            return null;
        }
    }

    /// <summary>The text of this part (UDH stripped).</summary>
    public string Text
    {
        get
        {
            var body = Content.Span;
            if ((EsmClass & Pdus.EsmClass.UdhIndicator) != 0 && body.Length > 0 && body[0] + 1 <= body.Length) body = body[(body[0] + 1)..];
            return TextCoding.Decode(DataCoding, body);
        }
    }
}
