using Portal.Domain.Messages;

namespace Portal.Tests.Domain.Messages;

/// <summary>
/// The edges of <see cref="ReplyKeywords"/> that mutation testing (issue 21, `scripts/mutation.sh
/// --mutate "**/Messages/*.cs"`) found unguarded: each near-miss word by name, each built-in keyword
/// by name, the question-mark rule, the length guards of typo tolerance and empty keywords.
/// </summary>
public class ReplyKeywordsEdgeTests
{
    private static readonly ReplyKeywords Plain = new();

    /// <summary>Each is one edit from STOP, СТОП or ОТПИСКА and a real word: never a typo of the keyword.</summary>
    [Theory]
    [InlineData("shop")]
    [InlineData("step")]
    [InlineData("spot")]
    [InlineData("stow")]
    [InlineData("slop")]
    [InlineData("stoa")]
    [InlineData("atop")]
    [InlineData("stomp")]
    [InlineData("strop")]
    [InlineData("stoop")]
    [InlineData("стол")]
    [InlineData("стог")]
    [InlineData("стон")]
    [InlineData("стоя")]
    [InlineData("сноп")]
    [InlineData("описка")]
    [InlineData("SHOP!")]
    [InlineData("Стол")]
    public void NearMissWord_IsNotAnOptOut(string text)
    {
        Assert.Equal(ReplyIntent.Reply, Plain.Classify(text).Intent);
        Assert.Equal(InboundKind.Reply, Plain.Classify(text).Kind);
    }

    /// <summary>One letter off, but not a listed word: read as the keyword mistyped.</summary>
    [Theory]
    [InlineData("stok")]
    [InlineData("stoб")]
    [InlineData("стоб")]
    [InlineData("отписко")]
    public void OneEditFromAKeyword_NotANearMissWord_IsAnOptOut(string text)
    {
        Assert.Equal(ReplyIntent.OptOut, Plain.Classify(text).Intent);
    }

    [Theory]
    [InlineData("STOP")]
    [InlineData("СТОП")]
    [InlineData("ОТПИСКА")]
    [InlineData("ОТПИСАТЬСЯ")]
    [InlineData("ОТПИСАТЬ")]
    [InlineData("UNSUBSCRIBE")]
    public void EveryBuiltInOptOutKeyword_OptsOut(string keyword)
    {
        Assert.Contains(keyword, ReplyKeywords.BuiltInOptOut);
        Assert.Equal(ReplyIntent.OptOut, Plain.Classify(keyword).Intent);
        Assert.Equal(ReplyIntent.OptOut, Plain.Classify(keyword.ToLowerInvariant() + " please").Intent);
    }

    [Theory]
    [InlineData("START")]
    [InlineData("СТАРТ")]
    [InlineData("ПОДПИСАТЬСЯ")]
    public void EveryBuiltInOptInKeyword_OptsIn(string keyword)
    {
        Assert.Contains(keyword, ReplyKeywords.BuiltInOptIn);
        Assert.Equal(ReplyIntent.OptIn, Plain.Classify(keyword).Intent);
        Assert.Equal(InboundKind.OptIn, Plain.Classify(keyword).Kind);
    }

    [Fact]
    public void BuiltInLists_HoldExactlyTheDocumentedKeywords()
    {
        Assert.Equal(["STOP", "СТОП", "ОТПИСКА", "ОТПИСАТЬСЯ", "ОТПИСАТЬ", "UNSUBSCRIBE"], ReplyKeywords.BuiltInOptOut);
        Assert.Equal(["START", "СТАРТ", "ПОДПИСАТЬСЯ"], ReplyKeywords.BuiltInOptIn);
    }

    /// <summary>A question mark anywhere takes away the first word's weight, but a one-word message is still the keyword.</summary>
    [Theory]
    [InlineData("stop?", ReplyIntent.OptOut)]
    [InlineData("?stop", ReplyIntent.OptOut)]
    [InlineData("stop now?", ReplyIntent.Reply)]
    [InlineData("stop now ?", ReplyIntent.Reply)]
    [InlineData("stop now", ReplyIntent.OptOut)]
    [InlineData("start?", ReplyIntent.OptIn)]
    [InlineData("start now?", ReplyIntent.Reply)]
    [InlineData("start now", ReplyIntent.OptIn)]
    public void QuestionMark_OnlyAOneWordMessageStillCounts(string text, ReplyIntent intent)
    {
        Assert.Equal(intent, Plain.Classify(text).Intent);
    }

    [Theory]
    [InlineData("balance?", ReplyIntent.AutoReply)]
    [InlineData("balance please", ReplyIntent.AutoReply)]
    [InlineData("balance, how much?", ReplyIntent.Reply)]
    public void QuestionMark_AppliesToAutoReplyKeywordsToo(string text, ReplyIntent intent)
    {
        Assert.Equal(intent, Plain.Classify(text, ["BALANCE"]).Intent);
    }

    /// <summary>A configured keyword of three letters is exact: a four-letter word one edit away is not it.</summary>
    [Theory]
    [InlineData("всех")]
    [InlineData("вcеx")]
    [InlineData("всея")]
    public void ShortConfiguredKeyword_LongerWordOneEditAway_IsNotAnOptOut(string text)
    {
        var keywords = new ReplyKeywords(["всё"]);
        Assert.Equal(ReplyIntent.Reply, keywords.Classify(text).Intent);
        Assert.Equal(ReplyIntent.OptOut, keywords.Classify("всё").Intent);
    }

    [Fact]
    public void FourLetterConfiguredKeyword_ToleratesOneTypo()
    {
        var keywords = new ReplyKeywords(["хвит"]);
        Assert.Equal(ReplyIntent.OptOut, keywords.Classify("хвиты").Intent);
        Assert.Equal(ReplyIntent.Reply, keywords.Classify("хви").Intent);
    }

    /// <summary>Same length, two letters off: too far for a typo even though the lengths agree.</summary>
    [Theory]
    [InlineData("stab")]
    [InlineData("slip")]
    [InlineData("стук")]
    public void SameLengthTwoEditsAway_IsNotAnOptOut(string text)
    {
        Assert.Equal(ReplyIntent.Reply, Plain.Classify(text).Intent);
    }

    [Fact]
    public void ConfiguredKeywordsWithoutLetters_AreIgnored()
    {
        var keywords = new ReplyKeywords(["", "!!!", "  ", "STOP", "stop"]);
        Assert.Equal(ReplyIntent.Reply, keywords.Classify("hello").Intent);
        Assert.Equal(ReplyIntent.OptOut, keywords.Classify("stop").Intent);
    }

    [Fact]
    public void AutoReplyKeywordsWithoutLetters_AreIgnored()
    {
        var result = Plain.Classify("hello", ["", "?!", "HELLO"]);
        Assert.Equal(new ReplyClassification(ReplyIntent.AutoReply, "HELLO"), result);
        Assert.Equal(ReplyIntent.Reply, Plain.Classify("hello", ["", "?!"]).Intent);
    }

    [Fact]
    public void NullText_IsAReply()
    {
        Assert.Equal(new ReplyClassification(ReplyIntent.Reply), Plain.Classify(null));
        Assert.Empty(ReplyKeywords.Words(null));
    }

    [Theory]
    [InlineData(ReplyIntent.Reply, InboundKind.Reply)]
    [InlineData(ReplyIntent.AutoReply, InboundKind.Reply)]
    [InlineData(ReplyIntent.OptOut, InboundKind.OptOut)]
    [InlineData(ReplyIntent.OptIn, InboundKind.OptIn)]
    [InlineData((ReplyIntent)42, InboundKind.Reply)]
    public void Kind_FollowsTheIntent(ReplyIntent intent, InboundKind kind)
    {
        Assert.Equal(kind, new ReplyClassification(intent).Kind);
    }

    [Theory]
    [InlineData("ＳＴＯＰ", new[] { "stop" })]               // full-width letters, folded by NFKC
    [InlineData("Ёлка, ЁЖ!", new[] { "елка", "еж" })]
    [InlineData("a1 b2", new[] { "a1", "b2" })]
    [InlineData("end", new[] { "end" })]
    [InlineData("..x..", new[] { "x" })]
    public void Words_AreLoweredRunsOfLettersAndDigits(string text, string[] expected)
    {
        Assert.Equal(expected, ReplyKeywords.Words(text));
    }

    /// <summary>Latin a and Cyrillic а look alike: opt-in, which is never fuzzy, still folds them.</summary>
    [Theory]
    [InlineData("стaрт")]        // Latin a
    [InlineData("stаrt")]        // Cyrillic а
    [InlineData("ПОДПИСAТЬСЯ")]  // Latin A
    public void LookAlikeLetters_AreFoldedForExactKeywords(string text)
    {
        Assert.Equal(ReplyIntent.OptIn, Plain.Classify(text).Intent);
    }
}
