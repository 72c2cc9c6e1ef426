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
}
