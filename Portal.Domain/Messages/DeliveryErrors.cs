using System.Globalization;

namespace Portal.Domain.Messages;

/// <summary>A stored error code in words: a short name, an English sentence (a resource key) and the part it concerns.</summary>
/// <param name="Name">The protocol's own name where it has one (<c>ESME_RTHROTTLED</c>), else a short label.</param>
/// <param name="Sentence">What happened, in plain English; the UI translates it as a resource key.</param>
/// <param name="Part">1-based part of a long message the error concerns, when known.</param>
public sealed record DeliveryErrorText(string Name, string Sentence, int? Part);

/// <summary>
/// Reads the error codes stored on messages (<c>smpp:0x00000058</c>, <c>smpp:0x00000045@p2</c>,
/// <c>http:503:busy</c>, a receipt's <c>err:</c> value such as <c>001</c>, Portal's own words such as
/// <c>opted-out</c>) so a campaign page can say what they mean with the code beside it (issue 20,
/// item 8). SMPP names and meanings follow SMPP 3.4 section 5.1.3.
/// </summary>
public static class DeliveryErrors
{
    private static readonly Dictionary<uint, (string Name, string Sentence)> Smpp = new()
    {
        [0x01] = ("ESME_RINVMSGLEN", "The provider refused the message: its length is invalid."),
        [0x03] = ("ESME_RINVCMDID", "The provider did not understand the command."),
        [0x04] = ("ESME_RINVBNDSTS", "The connection to the provider was not in a state to send."),
        [0x08] = ("ESME_RSYSERR", "The provider reported an internal error."),
        [0x0A] = ("ESME_RINVSRCADR", "The provider refused the sender name."),
        [0x0B] = ("ESME_RINVDSTADR", "The provider refused the phone number."),
        [0x0D] = ("ESME_RBINDFAIL", "Portal could not connect to the provider."),
        [0x0E] = ("ESME_RINVPASWD", "The provider refused Portal's password."),
        [0x0F] = ("ESME_RINVSYSID", "The provider refused Portal's account name."),
        [0x14] = ("ESME_RMSGQFUL", "The provider's queue was full."),
        [0x45] = ("ESME_RSUBMITFAIL", "The provider could not accept the message."),
        [0x48] = ("ESME_RINVSRCTON", "The provider refused the sender name's type."),
        [0x49] = ("ESME_RINVSRCNPI", "The provider refused the sender name's numbering plan."),
        [0x50] = ("ESME_RINVDSTTON", "The provider refused the phone number's type."),
        [0x51] = ("ESME_RINVDSTNPI", "The provider refused the phone number's numbering plan."),
        [0x58] = ("ESME_RTHROTTLED", "The provider refused: too many messages per second."),
        [0x61] = ("ESME_RINVSCHED", "The provider refused the scheduled time."),
        [0x62] = ("ESME_RINVEXPIRY", "The provider refused the validity period."),
        [0x64] = ("ESME_RX_T_APPN", "The provider refused for now (a temporary error)."),
        [0x65] = ("ESME_RX_P_APPN", "The provider refused the message for good."),
        [0x66] = ("ESME_RX_R_APPN", "The provider rejected the message."),
        [0xC0] = ("ESME_RINVOPTPARSTREAM", "The provider refused the message's options."),
        [0xC1] = ("ESME_ROPTPARNOTALLWD", "The provider refused the message's options."),
        [0xC2] = ("ESME_RINVPARLEN", "The provider refused the message's options."),
        [0xC3] = ("ESME_RMISSINGOPTPARAM", "The provider refused the message's options."),
        [0xC4] = ("ESME_RINVOPTPARAMVAL", "The provider refused the message's options."),
        [0xFE] = ("ESME_RDELIVERYFAILURE", "The provider could not deliver the message."),
        [0xFF] = ("ESME_RUNKNOWNERR", "The provider reported an unknown error."),
    };

    private static readonly Dictionary<string, (string Name, string Sentence)> Words = new(StringComparer.OrdinalIgnoreCase)
    {
        ["opted-out"] = ("Opted out", "The client opted out before the message was sent."),
        ["no-consent"] = ("No consent", "The client has no consent for this kind of message."),
        ["inactive"] = ("Inactive client", "The client was blocked or deactivated before the message was sent."),
        ["cancelled"] = ("Cancelled", "The campaign was cancelled before the message was sent."),
        ["no-provider"] = ("No provider", "No enabled provider could take the message."),
        ["unavailable"] = ("Provider unavailable", "Every provider that could take the message was unavailable."),
        ["no-response"] = ("No answer", "The provider did not answer; the message may or may not have been sent."),
        ["template"] = ("Template error", "The message text could not be made from the template."),
        ["render"] = ("Template error", "The message text could not be made from the template."),
        ["empty"] = ("Empty text", "The template gave an empty text for this client."),
        ["phone"] = ("Bad phone", "The client's phone number cannot receive SMS."),
        // Stored by the sender for a message whose validity ran out before it was sent (not "expired":
        // the table ignores case, and the receipt state EXPIRED below would replace it).
        ["validity"] = ("Expired", "The message's validity ran out before it could be sent."),
        ["dropped"] = ("Dropped", "The message was dropped before sending."),
        ["http:timeout"] = ("HTTP timeout", "The provider did not answer in time."),
        ["http:io"] = ("HTTP error", "The connection to the provider broke."),
        ["http:connect"] = ("HTTP connect", "Portal could not connect to the provider."),
        // Receipt states (SMPP 3.4 appendix B) when the receipt carries no err: code.
        ["UNDELIV"] = ("UNDELIV", "The operator could not deliver the message to the phone."),
        ["EXPIRED"] = ("EXPIRED", "The phone did not take the message before its validity ran out."),
        ["REJECTD"] = ("REJECTD", "The operator rejected the message."),
        ["DELETED"] = ("DELETED", "The operator deleted the message."),
        ["UNKNOWN"] = ("UNKNOWN", "The operator did not say what happened to the message."),
    };

    /// <summary>Every sentence <see cref="Explain"/> can give: each needs a translation.</summary>
    public static IEnumerable<string> AllSentences =>
        Smpp.Values.Select(v => v.Sentence).Concat(Words.Values.Select(v => v.Sentence)).Concat(
        [
            "The provider refused the message with a code of its own.", "The provider refused: too many messages per second.",
            "The provider reported an error on its side.", "The provider refused the request.", "The provider answered with an error.",
            "The operator reported this error code for the phone (its meaning is the provider's).", "The provider reported this error.",
        ]).Distinct();

    public static DeliveryErrorText Explain(string code)
    {
        var (text, part) = SplitPart(code.Trim());
        if (text.StartsWith("smpp:0x", StringComparison.OrdinalIgnoreCase)
            && uint.TryParse(text.AsSpan(7), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var status))
        {
            return Smpp.TryGetValue(status, out var known)
                ? new(known.Name, known.Sentence, part)
                : new($"0x{status:X8}", "The provider refused the message with a code of its own.", part);
        }
        if (Words.TryGetValue(text, out var word))
        {
            return new(word.Name, word.Sentence, part);
        }
        if (text.StartsWith("http:", StringComparison.OrdinalIgnoreCase))
        {
            var status3 = text.Length >= 8 ? text.Substring(5, 3) : text[5..];
            return status3 switch
            {
                "429" => new("HTTP 429", "The provider refused: too many messages per second.", part),
                ['5', _, _] => new("HTTP " + status3, "The provider reported an error on its side.", part),
                ['4', _, _] => new("HTTP " + status3, "The provider refused the request.", part),
                _ => new("HTTP " + status3, "The provider answered with an error.", part),
            };
        }
        if (text.Length > 0 && text.All(char.IsAsciiDigit))
        {
            return new("err " + text, "The operator reported this error code for the phone (its meaning is the provider's).", part);
        }
        return new(text, "The provider reported this error.", part);
    }

    /// <summary>The part suffix <c>@pN</c> (1-based, as the SMPP sender writes it) split off.</summary>
    private static (string Code, int? Part) SplitPart(string code)
    {
        var at = code.LastIndexOf("@p", StringComparison.Ordinal);
        return at > 0 && int.TryParse(code.AsSpan(at + 2), NumberStyles.None, CultureInfo.InvariantCulture, out var part)
            ? (code[..at], part)
            : (code, null);
    }
}
