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

    // Issue 12 regression (SmppFaultMatrixTests.AllFaultsTogether): once the hold of unknown ids was
    // shortened to the response timeout, every copy the SMSC delivered of a receipt for a message whose
    // submit_sm_resp never came went out unmatched, and a late response made its next copy come out
    // matched as well: one receipt, several times.
    [Fact]
    public void Sweep_ReleasedUnmatched_CopiesAndALateRegisterAreDuplicates()
    {
        var clock = new ManualClock();
        var matcher = new ReceiptMatcher<string>(new MessageIdMatching(), TimeSpan.FromHours(1), TimeSpan.FromSeconds(10), clock,
            releasedRetention: TimeSpan.FromMinutes(5));
        matcher.Match(new DeliveryReceipt("X", MessageState.Delivered));
        matcher.Match(new DeliveryReceipt("X", MessageState.Delivered));
        clock.Advance(TimeSpan.FromSeconds(11));

        // The two copies held together go out once.
        Assert.Equal("X", Assert.Single(matcher.Sweep()).MessageId);
        // The SMSC delivers it again: a duplicate, not held and handed over a second time.
        Assert.Equal(ReceiptMatchKind.Duplicate, matcher.Match(new DeliveryReceipt("X", MessageState.Delivered)).Kind);
        clock.Advance(TimeSpan.FromSeconds(11));
        Assert.Empty(matcher.Sweep());
        // Another state of the same id is news.
        Assert.Equal(ReceiptMatchKind.Pending, matcher.Match(new DeliveryReceipt("X", MessageState.Undeliverable)).Kind);

        // The late submit_sm_resp registers the id: what went out unmatched counts as seen.
        var released = Assert.Single(matcher.Register("X", "msg-late"));
        Assert.Equal(MessageState.Undeliverable, released.Receipt.State);
        Assert.Equal(ReceiptMatchKind.Duplicate, matcher.Match(new DeliveryReceipt("X", MessageState.Delivered)).Kind);
        Assert.Equal(0, matcher.ReleasedCount);
    }

    [Fact]
    public void Sweep_ReleasedUnmatched_IsForgottenAfterTheRetention()
    {
        var clock = new ManualClock();
        var matcher = new ReceiptMatcher<string>(new MessageIdMatching(), TimeSpan.FromHours(1), TimeSpan.FromSeconds(10), clock,
            releasedRetention: TimeSpan.FromMinutes(5));
        matcher.Match(new DeliveryReceipt("Y", MessageState.Delivered));
        clock.Advance(TimeSpan.FromSeconds(11));
        Assert.Single(matcher.Sweep());
        Assert.Equal(1, matcher.ReleasedCount);

        clock.Advance(TimeSpan.FromMinutes(6));
        Assert.Empty(matcher.Sweep());

        Assert.Equal(0, matcher.ReleasedCount);
        Assert.Equal(ReceiptMatchKind.Pending, matcher.Match(new DeliveryReceipt("Y", MessageState.Delivered)).Kind);
    }

    private sealed class ManualClock : TimeProvider
    {
        private long _ticks;
        public override long TimestampFrequency => TimeSpan.TicksPerSecond;
        public override long GetTimestamp() => _ticks;
        public void Advance(TimeSpan by) => _ticks += by.Ticks;
    }
}
