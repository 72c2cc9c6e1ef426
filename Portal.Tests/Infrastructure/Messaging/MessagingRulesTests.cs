using System.Text;
using Portal.Domain.Messages;
using Portal.Infrastructure.MessagesApi;
using Portal.Infrastructure.Messaging;

namespace Portal.Tests.Infrastructure.Messaging;

/// <summary>
/// Issue 21 (coverage): the messaging settings a node refuses to start with (each failure in words
/// naming the setting), the send API's status names, and how a dead letter is searched for a phone.
/// </summary>
public class MessagingRulesTests
{
    private static IReadOnlyList<string> Failures(MessagingOptions options)
    {
        var result = new MessagingOptionsValidator().Validate(null, options);
        return result.Succeeded ? [] : result.Failures!.ToList();
    }

    [Fact]
    public void Defaults_AreValid_AndSoIsAnAmqpsBroker()
    {
        Assert.Empty(Failures(new MessagingOptions()));
        Assert.Empty(Failures(new MessagingOptions { Transport = MessagingTransport.RabbitMq, RabbitMq = new RabbitMqOptions { Uri = "amqps://broker:5671/" } }));
    }

    [Fact]
    public void EveryBadSetting_IsNamed_AllAtOnce()
    {
        var options = new MessagingOptions
        {
            Transport = (MessagingTransport)7,
            MaxDeliveryAttempts = 0,
            Prefetch = ushort.MaxValue + 1,
            RetryDelay = TimeSpan.FromSeconds(-1),
            PublishTimeout = TimeSpan.Zero,
            ShutdownTimeout = TimeSpan.FromTicks(-1),
        };
        Assert.Equal(
            [
                "Messaging:Transport must be InProcess or RabbitMq.",
                "Messaging:MaxDeliveryAttempts must be between 1 and 1000.",
                "Messaging:Prefetch must be between 1 and 65535.",
                "Messaging:RetryDelay must not be negative.",
                "Messaging:PublishTimeout must be positive.",
                "Messaging:ShutdownTimeout must not be negative.",
            ],
            Failures(options));
    }

    [Theory]
    [InlineData(1, 1, true)]
    [InlineData(1000, 65535, true)]
    [InlineData(1001, 10, false)]
    [InlineData(5, 0, false)]
    public void DeliveryAttemptsAndPrefetch_AtAndPastTheirBounds(int attempts, int prefetch, bool valid) =>
        Assert.Equal(valid, Failures(new MessagingOptions { MaxDeliveryAttempts = attempts, Prefetch = prefetch }).Count == 0);

    [Theory]
    [InlineData(null)]
    [InlineData("http://broker:15672/")]
    [InlineData("broker:5672")]
    public void RabbitMq_NeedsAnAmqpUri_AndAClientName(string? uri)
    {
        var options = new MessagingOptions { Transport = MessagingTransport.RabbitMq, RabbitMq = new RabbitMqOptions { Uri = uri, ClientName = " " } };
        Assert.Equal(
            [
                "Messaging:RabbitMq:Uri must be an amqp:// or amqps:// URI when Messaging:Transport is RabbitMq.",
                "Messaging:RabbitMq:ClientName must not be empty.",
            ],
            Failures(options));
    }

    [Fact]
    public void InProcess_IgnoresTheBrokerSettings() =>
        Assert.Empty(Failures(new MessagingOptions { RabbitMq = new RabbitMqOptions { Uri = "nonsense", ClientName = "" } }));

    [Theory]
    [InlineData(MessageStatus.Queued, "queued")]
    [InlineData(MessageStatus.Deferred, "deferred")]
    [InlineData(MessageStatus.Control, "control")]
    [InlineData(MessageStatus.Submitting, "submitting")]
    [InlineData(MessageStatus.Submitted, "submitted")]
    [InlineData(MessageStatus.Delivered, "delivered")]
    [InlineData(MessageStatus.Undeliverable, "undeliverable")]
    [InlineData(MessageStatus.Expired, "expired")]
    [InlineData(MessageStatus.Rejected, "rejected")]
    [InlineData(MessageStatus.Uncertain, "uncertain")]
    [InlineData(MessageStatus.Unknown, "unknown")]
    [InlineData(MessageStatus.Cancelled, "cancelled")]
    [InlineData((MessageStatus)99, "unknown")]
    public void StatusName_IsTheApisStableLowerCaseWord(MessageStatus status, string name) =>
        Assert.Equal(name, MessagesApiJson.StatusName(status));

    private static DeadLetter Letter(string body) => new(Encoding.UTF8.GetBytes(body), null);

    [Fact]
    public void DeadLetter_WithoutNeedles_MentionsNothing() =>
        Assert.False(Letter("""{"phone":"+79161234567"}""").Mentions([]));

    [Fact]
    public void DeadLetter_NotJson_IsSearchedAsText()
    {
        Assert.True(Letter("phone=+79161234567; broken {").Mentions(["+79161234567"]));
        Assert.False(Letter("phone=+79161234567; broken {").Mentions(["+79990000000"]));
    }

    [Fact]
    public void DeadLetter_Json_IsSearchedInStringsAndNumbers_NotInLiterals()
    {
        var letter = Letter("""{"ok":true,"none":null,"items":[{"id":42},{"text":"call \u002B79161234567"}]}""");
        Assert.True(letter.Mentions(["+79161234567"]));
        Assert.True(letter.Mentions(["42"]));
        Assert.False(letter.Mentions(["true"]));
        Assert.False(letter.Mentions(["null"]));
    }
}
