using Portal.Domain.Common;
using Portal.Domain.Messages;

namespace Portal.Tests.Domain.Messages;

public class AutoReplyRuleTests
{
    private static readonly DateTime Now = new(2026, 12, 4, 10, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void NewRule_IsEnabled_WithItsKeywordUpperCaseAndTheReplyTrimmed()
    {
        var rule = new AutoReplyRule("  balance ", "  Your balance is in the app.  ", Now);
        Assert.Equal("BALANCE", rule.Keyword);
        Assert.Equal("Your balance is in the app.", rule.Reply);
        Assert.True(rule.Enabled);
        Assert.Equal(Now, rule.CreatedAt);
    }

    [Theory]
    [InlineData("b")]
    [InlineData("баланс")]
    [InlineData("a23456789012345678901234567890")]    // 30 characters
    [InlineData("  a23456789012345678901234567890  ")]
    public void Keyword_OfOneTo30Characters_IsAccepted(string keyword)
    {
        var rule = new AutoReplyRule(keyword, "ok", Now);
        Assert.Equal(keyword.Trim().ToUpperInvariant(), rule.Keyword);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("a234567890123456789012345678901")]    // 31 characters
    [InlineData("my balance")]
    [InlineData("my\tbalance")]
    [InlineData("a\nb")]
    public void Keyword_NotOneWordOf1To30Characters_IsRefusedInWords(string? keyword)
    {
        var error = Assert.Throws<DomainException>(() => new AutoReplyRule(keyword!, "ok", Now));
        Assert.Equal("An auto-reply keyword is one word of 1 to 30 characters.", error.Message);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  \n ")]
    public void Reply_Empty_IsRefusedInWords(string? reply)
    {
        var error = Assert.Throws<DomainException>(() => new AutoReplyRule("HELP", reply!, Now));
        Assert.Equal("An auto-reply text is 1 to 1,000 characters.", error.Message);
    }

    [Fact]
    public void Reply_Of1000Characters_IsAccepted_And1001Refused()
    {
        Assert.Equal(1000, new AutoReplyRule("HELP", new string('x', 1000), Now).Reply.Length);
        var error = Assert.Throws<DomainException>(() => new AutoReplyRule("HELP", new string('x', 1001), Now));
        Assert.Equal("An auto-reply text is 1 to 1,000 characters.", error.Message);
    }

    [Fact]
    public void Change_ReplacesKeywordAndReply_AndARefusedChangeKeepsBoth()
    {
        var rule = new AutoReplyRule("help", "Call us.", Now) { Enabled = false };
        rule.Change("помощь", " Звоните нам. ");
        Assert.Equal(("ПОМОЩЬ", "Звоните нам."), (rule.Keyword, rule.Reply));

        Assert.Throws<DomainException>(() => rule.Change("two words", "x"));
        Assert.Throws<DomainException>(() => rule.Change("ok", ""));
        Assert.Equal(("ПОМОЩЬ", "Звоните нам."), (rule.Keyword, rule.Reply));
        Assert.False(rule.Enabled);
        Assert.Equal(Now, rule.CreatedAt);
    }
}
