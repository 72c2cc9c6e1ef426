using Portal.Domain.Campaigns;
using Portal.Domain.Messages;

namespace Portal.Tests.Domain.Messages;

/// <summary>The message rows' constructors keep what they are given; an inbound text is cut at 2,000 characters.</summary>
public class MessageEntitiesTests
{
    private static readonly DateTime Now = new(2026, 12, 4, 10, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void InboundMessage_KeepsWhatItIsGiven()
    {
        var inbound = new InboundMessage("+79161234567", "4242", "СТОП", Now, InboundKind.OptOut);
        Assert.Equal(("+79161234567", "4242", "СТОП", Now, InboundKind.OptOut), (inbound.From, inbound.To, inbound.Text, inbound.ReceivedAt, inbound.Kind));
        Assert.Null(inbound.ReadAt);
        Assert.Null(inbound.AutoReply);
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1999, 1999)]
    [InlineData(2000, 2000)]
    [InlineData(2001, 2000)]
    [InlineData(5000, 2000)]
    public void InboundMessage_TextLongerThan2000Characters_IsCut(int length, int kept)
    {
        var text = string.Concat(Enumerable.Range(0, length).Select(i => (char)('a' + i % 26)));
        var inbound = new InboundMessage("+79161234567", "4242", text, Now, InboundKind.Reply);
        Assert.Equal(text[..kept], inbound.Text);
    }

    [Fact]
    public void Message_KeepsWhatItIsGiven_AndStartsQueued()
    {
        var message = new Message(7, 42, "+79161234567", Now);
        Assert.Equal((7, 42L, "+79161234567", Now), (message.CampaignId, message.ClientId, message.Phone, message.CreatedAt));
        Assert.Equal(MessageStatus.Queued, message.Status);
        Assert.Null(new Message(null, 42, "+79161234567", Now).CampaignId);
    }

    [Fact]
    public void MessageChunk_KeepsItsRange_AndStartsCreated()
    {
        var chunk = new MessageChunk(7, 1001, 1500, 480);
        Assert.Equal((7, 1001L, 1500L, 480), (chunk.CampaignId, chunk.FirstMessageId, chunk.LastMessageId, chunk.Count));
        Assert.Equal(MessageChunkStatus.Created, chunk.Status);
    }

    [Fact]
    public void MessagePart_KeepsWhatItIsGiven()
    {
        var part = new MessagePart(42, 1, 3, "abc-2");
        Assert.Equal((42L, 1, 3, "abc-2"), (part.MessageId, part.PartIndex, part.ProviderId, part.ProviderMessageId));
    }

    [Fact]
    public void PriorityMessage_KeepsWhatItIsGiven_AndIsNotFlash()
    {
        var expires = Now.AddHours(1);
        var priority = new PriorityMessage(42, PrioritySource.Alarm, 5, "Fire drill at 3", "ACME", 2, MessagePurpose.Service, expires, 9, Now);
        Assert.Equal((42L, PrioritySource.Alarm, (int?)5, "Fire drill at 3", "ACME"),
            (priority.MessageId, priority.Source, priority.ApiKeyId, priority.Text, priority.SenderId));
        Assert.Equal(((int?)2, MessagePurpose.Service, expires, (int?)9, Now),
            (priority.ProviderId, priority.Purpose, priority.ExpiresAt, priority.TemplateId, priority.CreatedAt));
        Assert.False(priority.Flash);
        Assert.Equal(1530, PriorityMessage.MaxTextLength);
    }

    [Fact]
    public void ReceiptOrphan_KeepsWhatItIsGiven()
    {
        var orphan = new ReceiptOrphan(3, "abc", MessageStatus.Delivered, "000", Now, Now.AddSeconds(1));
        Assert.Equal((3, "abc", MessageStatus.Delivered, "000", Now, Now.AddSeconds(1)),
            (orphan.ProviderId, orphan.ProviderMessageId, orphan.Status, orphan.ErrorCode, orphan.DoneAt, orphan.ReceivedAt));
    }

    /// <summary>
    /// EF Core builds rows through the private constructor: a string column read as NULL-free starts
    /// empty, never null, as the non-nullable properties promise.
    /// </summary>
    [Fact]
    public void EntitiesBuiltForMaterialisation_HaveEmptyStrings()
    {
        var inbound = Create<InboundMessage>();
        Assert.Equal(("", "", ""), (inbound.From, inbound.To, inbound.Text));
        Assert.Equal("", Create<Message>().Phone);
        Assert.Equal("", Create<MessagePart>().ProviderMessageId);
        var priority = Create<PriorityMessage>();
        Assert.Equal(("", ""), (priority.Text, priority.SenderId));
        Assert.Equal("", Create<ReceiptOrphan>().ProviderMessageId);
        var rule = Create<AutoReplyRule>();
        Assert.Equal(("", ""), (rule.Keyword, rule.Reply));
        Assert.True(rule.Enabled);
    }

    private static T Create<T>() => (T)Activator.CreateInstance(typeof(T), nonPublic: true)!;
}
