using Portal.Domain.Messages;

namespace Portal.Tests.Domain;

/// <summary>Issue 7, item 5: opt-out, opt-in and auto-reply keywords, read both ways (what must and must not count).</summary>
public class ReplyKeywordsTests
{
    private static readonly ReplyKeywords Keywords = new(["НЕ ПИШИТЕ", "ХВАТИТ"]);

    [Theory]
    [InlineData("STOP")]
    [InlineData("stop")]
    [InlineData("Stop")]
    [InlineData("  stop  ")]
    [InlineData("STOP.")]
    [InlineData("stop!!!")]
    [InlineData("\"stop\"")]
    [InlineData("СТОП")]
    [InlineData("стоп")]
    [InlineData("Стоп!")]
    [InlineData("стоп 😡")]
    [InlineData("🛑 стоп")]
    [InlineData("CTOП")]          // C, T, O typed in Latin
    [InlineData("cтоп")]          // Latin c
    [InlineData("SТОР")]          // Cyrillic Т, О, Р in STOP
    [InlineData("ST0P")]          // zero for O
    [InlineData("СТ0П")]
    [InlineData("stpo")]          // swapped letters
    [InlineData("sotp")]
    [InlineData("stopp")]         // doubled letter
    [InlineData("sstop")]
    [InlineData("ОТПИСКА")]
    [InlineData("отписка")]
    [InlineData("отпска")]        // one letter missing
    [InlineData("атписка")]       // one letter wrong
    [InlineData("ОТПИСАТЬСЯ")]
    [InlineData("отписатся")]
    [InlineData("отписаться!")]
    [InlineData("ОТПИСАТЬ")]
    [InlineData("Отписать меня")]
    [InlineData("UNSUBSCRIBE")]
    [InlineData("unsubscibe")]
    [InlineData("stop please")]
    [InlineData("STOP sending me this")]
    [InlineData("Стоп, больше не пишите")]
    [InlineData("стоп.пожалуйста")]
    [InlineData("ХВАТИТ")]        // configured
    [InlineData("хватит!")]
    [InlineData("не пишите")]     // configured phrase, whole message
    [InlineData("Не  пишите!")]
    [InlineData("стоп-стоп")]
    public void OptOut_IsRecognised(string text)
    {
        Assert.Equal(ReplyIntent.OptOut, Keywords.Classify(text).Intent);
        Assert.Equal(InboundKind.OptOut, Keywords.Classify(text).Kind);
    }

    [Theory]
    [InlineData("don't stop")]
    [InlineData("please don't stop sending offers")]
    [InlineData("не стоп")]
    [InlineData("Я сказал стоп")]
    [InlineData("А почему вы пишете стоп в конце?")]
    [InlineData("Стоп, а какая цена?")]        // a question
    [InlineData("stop? why")]
    [InlineData("shop")]
    [InlineData("step")]
    [InlineData("spot")]
    [InlineData("top")]
    [InlineData("stp")]            // three letters: no typo tolerance
    [InlineData("stomp")]
    [InlineData("стол")]
    [InlineData("стон")]
    [InlineData("сто")]
    [InlineData("топ")]
    [InlineData("Стол заказан на 7")]
    [InlineData("стопка")]
    [InlineData("stopwatch")]
    [InlineData("подписка")]
    [InlineData("описка")]
    [InlineData("Спасибо!")]
    [InlineData("Где мой заказ?")]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("😡😡😡")]
    [InlineData("не")]
    [InlineData("пишите")]                     // half of the configured phrase
    [InlineData("не пишите так часто, пожалуйста")]
    [InlineData("123")]
    public void NotOptOut_IsAReply(string text)
    {
        Assert.NotEqual(ReplyIntent.OptOut, Keywords.Classify(text).Intent);
    }

    [Theory]
    [InlineData("START")]
    [InlineData("start")]
    [InlineData("Старт")]
    [InlineData("СТАРТ!")]
    [InlineData("CTAPT")]          // all Latin look-alikes
    [InlineData("ПОДПИСАТЬСЯ")]
    [InlineData("подписаться")]
    [InlineData("start again please")]
    public void OptIn_IsRecognised(string text)
    {
        Assert.Equal(ReplyIntent.OptIn, Keywords.Classify(text).Intent);
        Assert.Equal(InboundKind.OptIn, Keywords.Classify(text).Kind);
    }

    [Theory]
    [InlineData("smart")]          // one letter from START: opt-in is never fuzzy
    [InlineData("stars")]
    [InlineData("strat")]
    [InlineData("стар")]
    [InlineData("подписатся")]
    [InlineData("don't start")]
    [InlineData("start?  what")]
    [InlineData("Когда старт акции?")]
    public void NearOptIn_IsNotOptIn(string text)
    {
        Assert.NotEqual(ReplyIntent.OptIn, Keywords.Classify(text).Intent);
    }

    [Theory]
    [InlineData("BALANCE", "BALANCE")]
    [InlineData("balance", "BALANCE")]
    [InlineData("Баланс?", "БАЛАНС")]
    [InlineData("баланс пожалуйста", "БАЛАНС")]
    [InlineData("help", "HELP")]
    [InlineData("ПОМОЩЬ", "ПОМОЩЬ")]
    public void AutoReply_FirstWordMatchesARule(string text, string keyword)
    {
        var result = Keywords.Classify(text, ["BALANCE", "БАЛАНС", "HELP", "ПОМОЩЬ"]);
        Assert.Equal(ReplyIntent.AutoReply, result.Intent);
        Assert.Equal(keyword, result.Keyword);
        Assert.Equal(InboundKind.Reply, result.Kind);
    }

    [Theory]
    [InlineData("balanse")]
    [InlineData("my balance")]
    [InlineData("helpful")]
    public void AutoReply_NoRuleMatches_IsAReply(string text)
    {
        Assert.Equal(ReplyIntent.Reply, Keywords.Classify(text, ["BALANCE", "HELP"]).Intent);
    }

    [Fact]
    public void OptOut_WinsOverAnAutoReplyRuleWithTheSameWord()
    {
        Assert.Equal(ReplyIntent.OptOut, Keywords.Classify("stop", ["STOP"]).Intent);
    }

    [Theory]
    [InlineData("ВСЁ")]
    [InlineData("все")]
    [InlineData("Всё!")]
    [InlineData("BCE")]            // Latin B, C, E
    public void ConfiguredKeyword_YoIsYe_AndShortOnesAreExact(string text)
    {
        var keywords = new ReplyKeywords(["всё"]);
        Assert.Equal(ReplyIntent.OptOut, keywords.Classify(text).Intent);
        Assert.Equal(ReplyIntent.Reply, keywords.Classify("вс").Intent);
        Assert.Equal(ReplyIntent.Reply, keywords.Classify("весь").Intent);
    }

    [Fact]
    public void BuiltInKeywords_WorkWithoutConfiguration()
    {
        var plain = new ReplyKeywords();
        Assert.Equal(ReplyIntent.OptOut, plain.Classify("СТОП").Intent);
        Assert.Equal(ReplyIntent.Reply, plain.Classify("хватит").Intent);
    }

    [Theory]
    [InlineData("stop", "stop", 0)]
    [InlineData("stop", "stpo", 1)]
    [InlineData("stop", "sop", 1)]
    [InlineData("stop", "stopp", 1)]
    [InlineData("stop", "shop", 1)]
    [InlineData("stop", "spot", 2)]
    [InlineData("abc", "ca", 3)]
    [InlineData("", "abc", 3)]
    public void DamerauLevenshtein_CountsSwapsAsOneEdit(string a, string b, int expected)
    {
        Assert.Equal(expected, ReplyKeywords.DamerauLevenshtein(a, b));
    }
}
