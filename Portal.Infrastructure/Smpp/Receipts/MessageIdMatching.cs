using System.Globalization;

namespace Portal.Infrastructure.Smpp.Receipts;

/// <summary>How a provider writes a message id: as opaque text, or as a number in decimal or hex.</summary>
public enum MessageIdRadix
{
    Text,
    Decimal,
    Hex,
}

/// <summary>
/// Per-provider rule to recognise the same message id in submit_sm_resp and in the receipt. Some
/// SMSCs answer submit_sm with a hex id and report "id:" in decimal (or the reverse), pad with zeros
/// or change letter case. Both sides normalise to one key; ids that do not parse as the declared
/// radix fall back to text normalisation rather than failing.
/// </summary>
public sealed record MessageIdMatching(
    MessageIdRadix SubmitResponseRadix = MessageIdRadix.Text,
    MessageIdRadix ReceiptRadix = MessageIdRadix.Text,
    bool IgnoreCase = true,
    bool IgnoreLeadingZeros = true)
{
    public static MessageIdMatching Exact { get; } = new(IgnoreCase: false, IgnoreLeadingZeros: false);

    public string NormalizeSubmitted(string messageId) => Normalize(messageId, SubmitResponseRadix);

    public string NormalizeReceipted(string messageId) => Normalize(messageId, ReceiptRadix);

    private string Normalize(string messageId, MessageIdRadix radix)
    {
        var id = messageId.Trim();
        switch (radix)
        {
            case MessageIdRadix.Decimal when UInt128.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var number):
                return number.ToString(CultureInfo.InvariantCulture);
            case MessageIdRadix.Hex when UInt128.TryParse(id, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var number):
                return number.ToString(CultureInfo.InvariantCulture);
        }
        if (IgnoreCase) id = id.ToUpperInvariant();
        if (IgnoreLeadingZeros && id.Length > 1)
        {
            var trimmed = id.TrimStart('0');
            id = trimmed.Length == 0 ? "0" : trimmed;
        }
        return id;
    }
}
