using Portal.Infrastructure.Smpp.Pdus;
using Portal.Infrastructure.Smpp.Receipts;

namespace Portal.Tests.Infrastructure.Smpp;

public class ReceiptMatcherTests
{
    private readonly ReceiptMatcher<string> _matcher = new(new MessageIdMatching(MessageIdRadix.Hex, MessageIdRadix.Decimal), TimeSpan.FromMinutes(5));

    [Fact]
    public void Match_KnownId_ReturnsReference()
    {
        _matcher.Register("ff", "msg-1");

        var match = _matcher.Match(new DeliveryReceipt("255", MessageState.Delivered));

        Assert.Equal(ReceiptMatchKind.Matched, match.Kind);
        Assert.Equal("msg-1", match.Reference);
    }

    [Fact]
    public void Match_ReceiptBeforeResponse_IsHeldAndReleasedOnRegister()
    {
        var early = _matcher.Match(new DeliveryReceipt("16", MessageState.Delivered));
        Assert.Equal(ReceiptMatchKind.Pending, early.Kind);
        Assert.Equal(1, _matcher.PendingCount);

        var released = _matcher.Register("10", "msg-2");

        var match = Assert.Single(released);
        Assert.Equal(ReceiptMatchKind.Matched, match.Kind);
        Assert.Equal("msg-2", match.Reference);
        Assert.Equal(0, _matcher.PendingCount);
    }

    [Fact]
    public void Match_SameStateTwice_SecondIsDuplicate()
    {
        _matcher.Register("1", "msg-3");

        Assert.Equal(ReceiptMatchKind.Matched, _matcher.Match(new DeliveryReceipt("1", MessageState.Enroute)).Kind);
        Assert.Equal(ReceiptMatchKind.Matched, _matcher.Match(new DeliveryReceipt("1", MessageState.Delivered)).Kind);
        Assert.Equal(ReceiptMatchKind.Duplicate, _matcher.Match(new DeliveryReceipt("1", MessageState.Delivered)).Kind);
    }

    [Fact]
    public void Sweep_OldPendingReceipt_IsReturnedAsUnmatched()
    {
        var clock = new ManualClock();
        var matcher = new ReceiptMatcher<string>(new MessageIdMatching(), TimeSpan.FromHours(1), TimeSpan.FromMinutes(1), clock);
        matcher.Match(new DeliveryReceipt("X", MessageState.Delivered));
        Assert.Empty(matcher.Sweep());

        clock.Advance(TimeSpan.FromMinutes(2));

        Assert.Equal("X", Assert.Single(matcher.Sweep()).MessageId);
        Assert.Equal(0, matcher.PendingCount);
    }

    private sealed class ManualClock : TimeProvider
    {
        private long _ticks;
        public override long TimestampFrequency => TimeSpan.TicksPerSecond;
        public override long GetTimestamp() => _ticks;
        public void Advance(TimeSpan by) => _ticks += by.Ticks;
    }
}
