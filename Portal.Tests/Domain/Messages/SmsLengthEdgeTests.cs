using Portal.Domain.Messages;
using Portal.Domain.Templates;

namespace Portal.Tests.Domain.Messages;

/// <summary>
/// The edges of <see cref="GsmAlphabet"/> and <see cref="SmsLength"/> that mutation testing (issue 21)
/// found unguarded: the last entries of the character table, the ESC code itself, the extension
/// codes, lone surrogates at the end of a text, and the capacity per alphabet and part count.
/// </summary>
public class SmsLengthEdgeTests
{
    /// <summary>The table spans every UTF-16 unit: the last ones are looked up, not out of range.</summary>
    [Theory]
    [InlineData('\uFFFF')]
    [InlineData('\uFFFE')]
    [InlineData('Ж')]
    [InlineData('\u001B')]     // ESC is a code, not a character of the alphabet
    [InlineData('`')]
    public void CharacterOutsideTheAlphabet_IsNotEncodable(char c)
    {
        Assert.False(GsmAlphabet.IsEncodable(c));
        Assert.Equal(0, GsmAlphabet.SeptetsOf(c));
        Assert.False(GsmAlphabet.TryGetCode(c, out _, out _));
        Assert.Equal(-1, GsmAlphabet.CountSeptets([c]));
        Assert.Equal(new SmsMeasure(SmsAlphabet.Ucs2, 1, 1), SmsLength.Measure([c]));
    }

    [Theory]
    [InlineData('@', 0x00)]
    [InlineData('\n', 0x0A)]
    [InlineData('Δ', 0x10)]
    [InlineData('É', 0x1F)]
    [InlineData(' ', 0x20)]
    [InlineData('A', 0x41)]
    [InlineData('a', 0x61)]
    [InlineData('à', 0x7F)]
    public void BasicCharacter_HasItsCode_AndCostsOneSeptet(char c, int code)
    {
        Assert.True(GsmAlphabet.IsEncodable(c));
        Assert.Equal(1, GsmAlphabet.SeptetsOf(c));
        Assert.True(GsmAlphabet.TryGetCode(c, out var actual, out var extension));
        Assert.Equal(code, actual);
        Assert.False(extension);
        Assert.Equal(1, GsmAlphabet.CountSeptets([c]));
    }

    /// <summary>3GPP TS 23.038 6.2.1.1: each extension character is ESC plus its code, two septets.</summary>
    [Theory]
    [InlineData('\f', 0x0A)]
    [InlineData('^', 0x14)]
    [InlineData('{', 0x28)]
    [InlineData('}', 0x29)]
    [InlineData('\\', 0x2F)]
    [InlineData('[', 0x3C)]
    [InlineData('~', 0x3D)]
    [InlineData(']', 0x3E)]
    [InlineData('|', 0x40)]
    [InlineData('€', 0x65)]
    public void ExtensionCharacter_HasItsCode_AndCostsTwoSeptets(char c, int code)
    {
        Assert.True(GsmAlphabet.IsEncodable(c));
        Assert.Equal(2, GsmAlphabet.SeptetsOf(c));
        Assert.True(GsmAlphabet.TryGetCode(c, out var actual, out var extension));
        Assert.Equal(code, actual);
        Assert.True(extension);
        Assert.Equal(2, GsmAlphabet.CountSeptets([c]));
        Assert.Equal(5, GsmAlphabet.CountSeptets("a" + c + "bc"));
    }

    [Fact]
    public void Alphabet_Has127BasicCharacters_And10Extensions()
    {
        Assert.Equal(128, GsmAlphabet.Basic.Length);
        Assert.Equal(127, Enumerable.Range(0, char.MaxValue + 1).Count(c => GsmAlphabet.SeptetsOf((char)c) == 1));
        Assert.Equal(10, Enumerable.Range(0, char.MaxValue + 1).Count(c => GsmAlphabet.SeptetsOf((char)c) == 2));
        Assert.Equal(10, GsmAlphabet.Extension.Count);
    }

    [Fact]
    public void EmptyText_IsOneGsm7PartOfLengthZero()
    {
        Assert.Equal(new SmsMeasure(SmsAlphabet.Gsm7, 0, 1), SmsLength.Measure(""));
        Assert.Equal(0, GsmAlphabet.CountSeptets(""));
    }

    /// <summary>An extension character that ends a 153-septet part exactly stays in it: 151 + 2 + 153 = two full parts.</summary>
    [Fact]
    public void Gsm7_ExtensionFillingAPartExactly_StaysInIt()
    {
        var text = new string('a', 151) + "{" + new string('a', 153);
        Assert.Equal(new SmsMeasure(SmsAlphabet.Gsm7, 306, 2), SmsLength.Measure(text));
        Assert.Equal(new SmsMeasure(SmsAlphabet.Gsm7, 307, 3), SmsLength.Measure(text + "a"));
    }

    /// <summary>A high surrogate with nothing after it costs one unit, like any other lone half.</summary>
    [Fact]
    public void Ucs2_LoneHighSurrogateAtTheEnd_CostsOneUnit()
    {
        var text = new string('Ж', 133) + "\uD83D";
        var measure = SmsLength.Measure(text);
        Assert.Equal(new SmsMeasure(SmsAlphabet.Ucs2, 134, 2), measure);
        Assert.Equal(3, SmsLength.Measure(new string('Ж', 134) + "\uD83D").Parts);
    }

    [Fact]
    public void Ucs2_LoneLowSurrogate_CostsOneUnit()
    {
        Assert.Equal(new SmsMeasure(SmsAlphabet.Ucs2, 134, 2), SmsLength.Measure(new string('Ж', 66) + "\uDE00" + new string('Ж', 67)));
    }

    [Fact]
    public void Ucs2_ExactlyTwoFullParts_IsTwoParts()
    {
        Assert.Equal(2, SmsLength.Measure(new string('Ж', 134)).Parts);
        Assert.Equal(2, SmsLength.Measure(new string('Ж', 65) + "😀" + new string('Ж', 67)).Parts);
    }

    /// <summary>
    /// A lone surrogate is one entry of its own, also at the very end. (A fact, not a theory: the test
    /// runner passes theory data as UTF-8, which turns a lone surrogate into U+FFFD.)
    /// </summary>
    [Fact]
    public void Ucs2Characters_LoneSurrogatesAreOneUnitEach()
    {
        Assert.Equal(["\uD83D"], SmsLength.Ucs2Characters("a\uD83D"));
        Assert.Equal(["Ж", "\uD83D"], SmsLength.Ucs2Characters("Ж\uD83D"));
        Assert.Equal(["\uD83D"], SmsLength.Ucs2Characters("\uD83Dx"));
        Assert.Equal(["\uD83D"], SmsLength.Ucs2Characters("\uD83D\uD83D"));
        Assert.Equal(["\uDE00"], SmsLength.Ucs2Characters("\uDE00a\uDE00"));
        Assert.Equal(["Ж", "\uDE00"], SmsLength.Ucs2Characters("Ж\uDE00"));
        Assert.Equal(["Ж", "я", "😀"], SmsLength.Ucs2Characters("ЖяЖ😀я"));
    }

    /// <summary>3GPP TS 23.040 9.2.3.24.1: 160 septets or 70 units in one part, 153 or 67 per part once concatenated.</summary>
    [Theory]
    [InlineData(SmsAlphabet.Gsm7, 0, 160)]
    [InlineData(SmsAlphabet.Gsm7, 1, 160)]
    [InlineData(SmsAlphabet.Gsm7, 2, 306)]
    [InlineData(SmsAlphabet.Gsm7, 3, 459)]
    [InlineData(SmsAlphabet.Ucs2, 0, 70)]
    [InlineData(SmsAlphabet.Ucs2, 1, 70)]
    [InlineData(SmsAlphabet.Ucs2, 2, 134)]
    [InlineData(SmsAlphabet.Ucs2, 3, 201)]
    public void Capacity_IsPerAlphabetAndPartCount(SmsAlphabet alphabet, int parts, int capacity)
    {
        Assert.Equal(capacity, SmsLength.Capacity(alphabet, parts));
        Assert.Equal(capacity, new SmsMeasure(alphabet, 0, parts).Capacity);
    }

    [Fact]
    public void Capacity_LimitsAreTheStandardOnes()
    {
        Assert.Equal((160, 153, 70, 67), (SmsLength.Gsm7Single, SmsLength.Gsm7Multi, SmsLength.Ucs2Single, SmsLength.Ucs2Multi));
        Assert.Equal(160, SmsLength.Measure(new string('a', 160)).Capacity);
        Assert.Equal(306, SmsLength.Measure(new string('a', 161)).Capacity);
        Assert.Equal(70, SmsLength.Measure(new string('Ж', 70)).Capacity);
        Assert.Equal(134, SmsLength.Measure(new string('Ж', 71)).Capacity);
    }

    [Fact]
    public void Capacity_OfAnUnknownAlphabet_IsRefused()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => SmsLength.Capacity((SmsAlphabet)3, 1));
        Assert.Equal("alphabet", error.ParamName);
    }
}
