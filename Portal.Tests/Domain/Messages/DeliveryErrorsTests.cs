using Portal.Domain.Messages;

namespace Portal.Tests.Domain.Messages;

public class DeliveryErrorsTests
{
    [Theory]
    [InlineData("smpp:0x00000058", "ESME_RTHROTTLED", "The provider refused: too many messages per second.", null)]
    [InlineData("smpp:0x0000000B", "ESME_RINVDSTADR", "The provider refused the phone number.", null)]
    [InlineData("smpp:0x00000045@p2", "ESME_RSUBMITFAIL", "The provider could not accept the message.", 2)]
    [InlineData("smpp:0x00000400", "0x00000400", "The provider refused the message with a code of its own.", null)]
    [InlineData("opted-out", "Opted out", "The client opted out before the message was sent.", null)]
    [InlineData("UNDELIV", "UNDELIV", "The operator could not deliver the message to the phone.", null)]
    [InlineData("http:503:busy", "HTTP 503", "The provider reported an error on its side.", null)]
    [InlineData("http:429", "HTTP 429", "The provider refused: too many messages per second.", null)]
    [InlineData("http:timeout", "HTTP timeout", "The provider did not answer in time.", null)]
    [InlineData("001", "err 001", "The operator reported this error code for the phone (its meaning is the provider's).", null)]
    [InlineData("weird thing", "weird thing", "The provider reported this error.", null)]
    public void Explain_GivesTheNameTheSentenceAndThePart(string code, string name, string sentence, int? part)
    {
        Assert.Equal(new DeliveryErrorText(name, sentence, part), DeliveryErrors.Explain(code));
    }

    [Fact]
    public void AllSentences_CoversEveryExplanation()
    {
        var codes = new[] { "smpp:0x00000001", "smpp:0x000000FF", "smpp:0x12345678", "inactive", "http:400", "http:301", "http:503", "42", "x" };
        Assert.All(codes, c => Assert.Contains(DeliveryErrors.Explain(c).Sentence, DeliveryErrors.AllSentences));
    }

    /// <summary>Every SMPP status in the table (SMPP 3.4 section 5.1.3), its name and sentence pinned word for word.</summary>
    [Theory]
    [InlineData("smpp:0x00000001", "ESME_RINVMSGLEN", "The provider refused the message: its length is invalid.")]
    [InlineData("smpp:0x00000003", "ESME_RINVCMDID", "The provider did not understand the command.")]
    [InlineData("smpp:0x00000004", "ESME_RINVBNDSTS", "The connection to the provider was not in a state to send.")]
    [InlineData("smpp:0x00000008", "ESME_RSYSERR", "The provider reported an internal error.")]
    [InlineData("smpp:0x0000000A", "ESME_RINVSRCADR", "The provider refused the sender name.")]
    [InlineData("smpp:0x0000000B", "ESME_RINVDSTADR", "The provider refused the phone number.")]
    [InlineData("smpp:0x0000000D", "ESME_RBINDFAIL", "Portal could not connect to the provider.")]
    [InlineData("smpp:0x0000000E", "ESME_RINVPASWD", "The provider refused Portal's password.")]
    [InlineData("smpp:0x0000000F", "ESME_RINVSYSID", "The provider refused Portal's account name.")]
    [InlineData("smpp:0x00000014", "ESME_RMSGQFUL", "The provider's queue was full.")]
    [InlineData("smpp:0x00000045", "ESME_RSUBMITFAIL", "The provider could not accept the message.")]
    [InlineData("smpp:0x00000048", "ESME_RINVSRCTON", "The provider refused the sender name's type.")]
    [InlineData("smpp:0x00000049", "ESME_RINVSRCNPI", "The provider refused the sender name's numbering plan.")]
    [InlineData("smpp:0x00000050", "ESME_RINVDSTTON", "The provider refused the phone number's type.")]
    [InlineData("smpp:0x00000051", "ESME_RINVDSTNPI", "The provider refused the phone number's numbering plan.")]
    [InlineData("smpp:0x00000058", "ESME_RTHROTTLED", "The provider refused: too many messages per second.")]
    [InlineData("smpp:0x00000061", "ESME_RINVSCHED", "The provider refused the scheduled time.")]
    [InlineData("smpp:0x00000062", "ESME_RINVEXPIRY", "The provider refused the validity period.")]
    [InlineData("smpp:0x00000064", "ESME_RX_T_APPN", "The provider refused for now (a temporary error).")]
    [InlineData("smpp:0x00000065", "ESME_RX_P_APPN", "The provider refused the message for good.")]
    [InlineData("smpp:0x00000066", "ESME_RX_R_APPN", "The provider rejected the message.")]
    [InlineData("smpp:0x000000C0", "ESME_RINVOPTPARSTREAM", "The provider refused the message's options.")]
    [InlineData("smpp:0x000000C1", "ESME_ROPTPARNOTALLWD", "The provider refused the message's options.")]
    [InlineData("smpp:0x000000C2", "ESME_RINVPARLEN", "The provider refused the message's options.")]
    [InlineData("smpp:0x000000C3", "ESME_RMISSINGOPTPARAM", "The provider refused the message's options.")]
    [InlineData("smpp:0x000000C4", "ESME_RINVOPTPARAMVAL", "The provider refused the message's options.")]
    [InlineData("smpp:0x000000FE", "ESME_RDELIVERYFAILURE", "The provider could not deliver the message.")]
    [InlineData("smpp:0x000000FF", "ESME_RUNKNOWNERR", "The provider reported an unknown error.")]
    public void Explain_EverySmppStatusInTheTable_HasItsNameAndSentence(string code, string name, string sentence)
    {
        Assert.Equal(new DeliveryErrorText(name, sentence, null), DeliveryErrors.Explain(code));
    }

    /// <summary>Every word Portal or a receipt stores, its label and sentence pinned word for word.</summary>
    [Theory]
    [InlineData("opted-out", "Opted out", "The client opted out before the message was sent.")]
    [InlineData("no-consent", "No consent", "The client has no consent for this kind of message.")]
    [InlineData("inactive", "Inactive client", "The client was blocked or deactivated before the message was sent.")]
    [InlineData("cancelled", "Cancelled", "The campaign was cancelled before the message was sent.")]
    [InlineData("no-provider", "No provider", "No enabled provider could take the message.")]
    [InlineData("unavailable", "Provider unavailable", "Every provider that could take the message was unavailable.")]
    [InlineData("no-response", "No answer", "The provider did not answer; the message may or may not have been sent.")]
    [InlineData("template", "Template error", "The message text could not be made from the template.")]
    [InlineData("render", "Template error", "The message text could not be made from the template.")]
    [InlineData("empty", "Empty text", "The template gave an empty text for this client.")]
    [InlineData("phone", "Bad phone", "The client's phone number cannot receive SMS.")]
    [InlineData("validity", "Expired", "The message's validity ran out before it could be sent.")]
    [InlineData("dropped", "Dropped", "The message was dropped before sending.")]
    [InlineData("http:timeout", "HTTP timeout", "The provider did not answer in time.")]
    [InlineData("http:io", "HTTP error", "The connection to the provider broke.")]
    [InlineData("http:connect", "HTTP connect", "Portal could not connect to the provider.")]
    [InlineData("UNDELIV", "UNDELIV", "The operator could not deliver the message to the phone.")]
    [InlineData("EXPIRED", "EXPIRED", "The phone did not take the message before its validity ran out.")]
    [InlineData("REJECTD", "REJECTD", "The operator rejected the message.")]
    [InlineData("DELETED", "DELETED", "The operator deleted the message.")]
    [InlineData("UNKNOWN", "UNKNOWN", "The operator did not say what happened to the message.")]
    public void Explain_EveryWordInTheTable_HasItsNameAndSentence(string code, string name, string sentence)
    {
        Assert.Equal(new DeliveryErrorText(name, sentence, null), DeliveryErrors.Explain(code));
    }

    [Theory]
    [InlineData("SMPP:0X00000058", "ESME_RTHROTTLED", "The provider refused: too many messages per second.", null)]
    [InlineData("  smpp:0x00000058  ", "ESME_RTHROTTLED", "The provider refused: too many messages per second.", null)]
    [InlineData("smpp:0x58", "ESME_RTHROTTLED", "The provider refused: too many messages per second.", null)]
    [InlineData("smpp:0xZZ", "smpp:0xZZ", "The provider reported this error.", null)]
    [InlineData("OPTED-OUT", "Opted out", "The client opted out before the message was sent.", null)]
    [InlineData("undeliv", "UNDELIV", "The operator could not deliver the message to the phone.", null)]
    [InlineData("dropped@p3", "Dropped", "The message was dropped before sending.", 3)]
    [InlineData("HTTP:503", "HTTP 503", "The provider reported an error on its side.", null)]
    [InlineData("http:500@p2", "HTTP 500", "The provider reported an error on its side.", 2)]
    [InlineData("http:404", "HTTP 404", "The provider refused the request.", null)]
    [InlineData("http:429:slow down", "HTTP 429", "The provider refused: too many messages per second.", null)]
    [InlineData("http:301", "HTTP 301", "The provider answered with an error.", null)]
    [InlineData("http:5", "HTTP 5", "The provider answered with an error.", null)]
    [InlineData("http:", "HTTP ", "The provider answered with an error.", null)]
    [InlineData("042@p1", "err 042", "The operator reported this error code for the phone (its meaning is the provider's).", 1)]
    [InlineData("", "", "The provider reported this error.", null)]
    [InlineData("@p2", "@p2", "The provider reported this error.", null)]
    [InlineData("UNDELIV@px", "UNDELIV@px", "The provider reported this error.", null)]
    [InlineData("UNDELIV@p+2", "UNDELIV@p+2", "The provider reported this error.", null)]
    public void Explain_CaseSpacesShortCodesAndPartSuffixes(string code, string name, string sentence, int? part)
    {
        Assert.Equal(new DeliveryErrorText(name, sentence, part), DeliveryErrors.Explain(code));
    }

    [Fact]
    public void Explain_EveryTableEntry_HasANameAndASentenceThatIsTranslated()
    {
        var codes = Enumerable.Range(0, 256).Select(s => $"smpp:0x{s:X8}")
            .Concat(["opted-out", "no-consent", "inactive", "cancelled", "no-provider", "unavailable", "no-response", "template",
                "render", "empty", "phone", "validity", "dropped", "http:timeout", "http:io", "http:connect",
                "UNDELIV", "EXPIRED", "REJECTD", "DELETED", "UNKNOWN"]);
        Assert.All(codes, code =>
        {
            var text = DeliveryErrors.Explain(code);
            Assert.False(string.IsNullOrWhiteSpace(text.Name));
            Assert.EndsWith(".", text.Sentence);
            Assert.Contains(text.Sentence, DeliveryErrors.AllSentences);
        });
    }

    /// <summary>
    /// The list the UI translates: each sentence once, none missing, none extra.
    /// </summary>
    [Fact]
    public void AllSentences_IsEverySentenceOnce()
    {
        string[] expected =
        [
        "The provider refused the message: its length is invalid.",
        "The provider did not understand the command.",
        "The connection to the provider was not in a state to send.",
        "The provider reported an internal error.",
        "The provider refused the sender name.",
        "The provider refused the phone number.",
        "Portal could not connect to the provider.",
        "The provider refused Portal's password.",
        "The provider refused Portal's account name.",
        "The provider's queue was full.",
        "The provider could not accept the message.",
        "The provider refused the sender name's type.",
        "The provider refused the sender name's numbering plan.",
        "The provider refused the phone number's type.",
        "The provider refused the phone number's numbering plan.",
        "The provider refused: too many messages per second.",
        "The provider refused the scheduled time.",
        "The provider refused the validity period.",
        "The provider refused for now (a temporary error).",
        "The provider refused the message for good.",
        "The provider rejected the message.",
        "The provider refused the message's options.",
        "The provider could not deliver the message.",
        "The provider reported an unknown error.",
        "The client opted out before the message was sent.",
        "The client has no consent for this kind of message.",
        "The client was blocked or deactivated before the message was sent.",
        "The campaign was cancelled before the message was sent.",
        "No enabled provider could take the message.",
        "Every provider that could take the message was unavailable.",
        "The provider did not answer; the message may or may not have been sent.",
        "The message text could not be made from the template.",
        "The template gave an empty text for this client.",
        "The client's phone number cannot receive SMS.",
        "The message was dropped before sending.",
        "The provider did not answer in time.",
        "The connection to the provider broke.",
        "The operator could not deliver the message to the phone.",
        "The phone did not take the message before its validity ran out.",
        "The message's validity ran out before it could be sent.",
        "The operator rejected the message.",
        "The operator deleted the message.",
        "The operator did not say what happened to the message.",
        "The provider refused the message with a code of its own.",
        "The provider reported an error on its side.",
        "The provider refused the request.",
        "The provider answered with an error.",
        "The operator reported this error code for the phone (its meaning is the provider's).",
        "The provider reported this error.",
        ];
        Assert.Equal(expected.Order(StringComparer.Ordinal), DeliveryErrors.AllSentences.Order(StringComparer.Ordinal));
    }
}
