using Portal.Domain.Messages;
using Portal.Domain.Templates;
using Portal.Infrastructure.Smpp.Text;

namespace Portal.Tests.Domain.Templates;

public class SmsLengthTests
{
    [Theory]
    [InlineData(0, 1)]
    [InlineData(160, 1)]
    [InlineData(161, 2)]
    [InlineData(306, 2)]
    [InlineData(307, 3)]
    [InlineData(459, 3)]
    [InlineData(460, 4)]
    public void Gsm7_Boundaries_160Then153(int length, int parts)
    {
        var measure = SmsLength.Measure(new string('a', length));
        Assert.Equal(SmsAlphabet.Gsm7, measure.Alphabet);
        Assert.Equal(length, measure.Length);
        Assert.Equal(parts, measure.Parts);
    }

    [Fact]
    public void Gsm7_ExtensionCharacters_CostTwoSeptets()
    {
        // 80 euro signs are 160 septets (one part); one more plain character makes two parts.
        Assert.Equal(new SmsMeasure(SmsAlphabet.Gsm7, 160, 1), SmsLength.Measure(new string('€', 80)));
        Assert.Equal(new SmsMeasure(SmsAlphabet.Gsm7, 161, 2), SmsLength.Measure(new string('€', 80) + "a"));
    }

    [Fact]
    public void Gsm7_EscapeNeverSplitAcrossParts_AddsAPart()
    {
        // 152 'a' + '{' would end the first 153-septet part with a lone ESC: the '{' moves on, so
        // 152 + 2 + 152 = 306 septets need three parts, not two.
        var text = new string('a', 152) + "{" + new string('a', 152);
        var measure = SmsLength.Measure(text);
        Assert.Equal(306, measure.Length);
        Assert.Equal(3, measure.Parts);
        Assert.Equal(SegmentedMessage.Create(text).Parts.Count, measure.Parts);
    }

    [Theory]
    [InlineData(70, 1)]
    [InlineData(71, 2)]
    [InlineData(134, 2)]
    [InlineData(135, 3)]
    public void Ucs2_Boundaries_70Then67(int length, int parts)
    {
        var measure = SmsLength.Measure(new string('Ж', length));
        Assert.Equal(SmsAlphabet.Ucs2, measure.Alphabet);
        Assert.Equal(parts, measure.Parts);
    }

    [Fact]
    public void Ucs2_SurrogatePairNeverSplit()
    {
        // 66 Cyrillic letters + an emoji (2 units) = 68 units in the first part would not fit 67:
        // the pair moves to the second part whole.
        var text = new string('Ж', 66) + "😀" + new string('Ж', 5);
        var measure = SmsLength.Measure(text);
        Assert.Equal(73, measure.Length);
        Assert.Equal(2, measure.Parts);
        Assert.Equal(SegmentedMessage.Create(text).Parts.Count, measure.Parts);
        Assert.Equal(2, SmsLength.Measure(new string('Ж', 66) + "😀" + new string('Ж', 65)).Parts);
        Assert.Equal(3, SmsLength.Measure(new string('Ж', 66) + "😀" + new string('Ж', 66)).Parts);
    }

    [Fact]
    public void Emoji_ForcesUcs2_AndIsOneHighlightedCharacter()
    {
        Assert.Equal(SmsAlphabet.Ucs2, SmsLength.Measure("Hi 😀").Alphabet);
        Assert.Equal(["😀"], SmsLength.Ucs2Characters("Hi 😀 😀"));
        Assert.Equal(["П", "р", "и", "в", "е", "т"], SmsLength.Ucs2Characters("Привет, Hello!"));
        Assert.Empty(SmsLength.Ucs2Characters("Hello {€} ÄÖ"));
    }

    [Fact]
    public void PartCount_AgreesWithTheSmppSplitter_OnRandomTexts()
    {
        var random = new Random(6);
        const string alphabet = "abc xyz{}[]€^|~ЖЯю😀é@\n";
        for (var i = 0; i < 2_000; i++)
        {
            var length = random.Next(0, 500);
            var chars = new char[length];
            for (var j = 0; j < length; j++) chars[j] = alphabet[random.Next(alphabet.Length)];
            var text = new string(chars);
            var measure = SmsLength.Measure(text);
            var sent = SegmentedMessage.Create(text);
            Assert.Equal(sent.Parts.Count, measure.Parts);
            Assert.Equal(sent.Encoding == SmsEncoding.Gsm7 ? SmsAlphabet.Gsm7 : SmsAlphabet.Ucs2, measure.Alphabet);
        }
    }
}
