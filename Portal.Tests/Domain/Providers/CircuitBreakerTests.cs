using Portal.Domain.Providers;

namespace Portal.Tests.Domain.Providers;

public class CircuitBreakerTests
{
    private sealed class FakeClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 11, 25, 23, 0, 0, TimeSpan.Zero);
        public override DateTimeOffset GetUtcNow() => Now;
    }

    [Fact]
    public void Failures_BelowThreshold_StayClosed_SuccessResetsCount()
    {
        var breaker = new CircuitBreaker(new FakeClock(), threshold: 3);
        breaker.RecordFailure();
        breaker.RecordFailure();
        breaker.RecordSuccess();
        breaker.RecordFailure();
        breaker.RecordFailure();
        Assert.Equal(CircuitState.Closed, breaker.State);
        Assert.True(breaker.TryAcquire());
    }

    [Fact]
    public void ThresholdFailures_Open_ThenHalfOpenOneProbe_SuccessCloses()
    {
        var clock = new FakeClock();
        var breaker = new CircuitBreaker(clock, threshold: 3, coolDown: TimeSpan.FromSeconds(30));
        for (var i = 0; i < 3; i++) breaker.RecordFailure();

        Assert.Equal(CircuitState.Open, breaker.State);
        Assert.Equal(clock.Now.AddSeconds(30), breaker.OpenUntil);
        Assert.False(breaker.TryAcquire());

        clock.Now = clock.Now.AddSeconds(30);
        Assert.Equal(CircuitState.HalfOpen, breaker.State);
        Assert.True(breaker.TryAcquire());   // the probe
        Assert.False(breaker.TryAcquire());  // only one while it is out
        breaker.RecordSuccess();
        Assert.Equal(CircuitState.Closed, breaker.State);
        Assert.True(breaker.TryAcquire());
    }

    [Fact]
    public void HalfOpen_ProbeFails_ReopensForAnotherCoolDown()
    {
        var clock = new FakeClock();
        var breaker = new CircuitBreaker(clock, threshold: 2, coolDown: TimeSpan.FromSeconds(10));
        breaker.Open();
        clock.Now = clock.Now.AddSeconds(11);
        Assert.True(breaker.TryAcquire());
        breaker.RecordFailure();
        Assert.Equal(CircuitState.Open, breaker.State);
        Assert.Equal(clock.Now.AddSeconds(10), breaker.OpenUntil);
        Assert.False(breaker.TryAcquire());
    }

    [Fact]
    public void Threshold_BelowOne_IsRefused_OneOpensOnTheFirstFailure()
    {
        Assert.Equal("threshold", Assert.Throws<ArgumentOutOfRangeException>(() => new CircuitBreaker(new FakeClock(), threshold: 0)).ParamName);
        var breaker = new CircuitBreaker(new FakeClock(), threshold: 1);
        Assert.Equal(1, breaker.Threshold);
        breaker.RecordFailure();
        Assert.Equal(CircuitState.Open, breaker.State);
    }
}
