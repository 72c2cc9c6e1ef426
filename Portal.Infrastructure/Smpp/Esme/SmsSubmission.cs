using Portal.Infrastructure.Smpp.Pdus;
using Portal.Infrastructure.Smpp.Text;

namespace Portal.Infrastructure.Smpp.Esme;

/// <summary>
/// One SMS to send. <paramref name="Reference"/> is the caller's id for the message (e.g. the
/// message row id); receipts come back carrying it.
/// </summary>
public sealed record SmsSubmission(string Reference, string From, string To, string Text)
{
    /// <summary>Null picks GSM-7 when possible, else UCS-2.</summary>
    public SmsEncoding? Encoding { get; init; }

    public bool RequestReceipt { get; init; } = true;

    /// <summary>
    /// What the caller pays per part, handed back with each part's receipt matched in memory
    /// (<see cref="ReceiptReceived.PartPrice"/>): a receipt that makes the message final before the
    /// caller recorded its submit (the caller died in between) can still account its parts and cost.
    /// </summary>
    public decimal? PartPrice { get; init; }

    /// <summary>
    /// Flash SMS: message class 0 in data_coding (SMPP 3.4 5.2.19, GSM 03.38 coding group 0001):
    /// 0x10 for the GSM default alphabet, 0x18 for UCS-2. Other codings (Latin-1) have no class and go plain.
    /// </summary>
    public bool Flash { get; init; }

    /// <summary>Relative or absolute validity in SMPP time format (spec 7.1.1); empty = SMSC default.</summary>
    public string ValidityPeriod { get; init; } = string.Empty;

    /// <summary>
    /// UTC time after which a throttled part is no longer sent again (the message's validity); null
    /// keeps trying until the caller cancels.
    /// </summary>
    public DateTime? NotAfter { get; init; }

    /// <summary>Source address as sent: alphanumeric sender (TON 5), short code (TON 3) or international number.</summary>
    public SmeAddress SourceAddress => AddressOf(From, isSource: true);

    public SmeAddress DestinationAddress => AddressOf(To, isSource: false);

    private static SmeAddress AddressOf(string value, bool isSource)
    {
        var digits = value.StartsWith('+') ? value[1..] : value;
        var numeric = digits.Length > 0 && digits.All(char.IsAsciiDigit);
        if (!numeric && isSource) return new SmeAddress(5, 0, value); // TON alphanumeric (spec 5.2.5)
        if (numeric && isSource && digits.Length <= 8) return new SmeAddress(3, 0, digits); // network-specific short code
        return new SmeAddress(1, 1, digits); // international, E.164
    }

    /// <summary>Why this submission cannot be sent at all, or null.</summary>
    internal CommandStatus? Invalid()
    {
        var source = SourceAddress;
        if (source.Value.Length == 0 || source.Value.Length > (source.Ton == 5 ? 11 : 20)) return CommandStatus.InvalidSourceAddress;
        var destination = DestinationAddress;
        if (destination.Value.Length is 0 or > 20 || !destination.Value.All(char.IsAsciiDigit)) return CommandStatus.InvalidDestinationAddress;
        return null;
    }
}
