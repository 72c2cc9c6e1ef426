using Portal.Cli.Bench;

namespace Portal.Tests.Cli;

public class PipelineWatchTests
{
    private static readonly TimeSpan Stall = TimeSpan.FromMinutes(2);

    [Fact]
    public void Observe_CountersStandStillWhileTicking_StallsAfterTheLimit()
    {
        // The first version reset its stall clock on every 5-second tick and never stopped.
        var watch = new PipelineWatch(expectedReceipts: 1_000, Stall);
        Assert.Equal(PipelineWatch.Verdict.Moving, watch.Observe(900, 800, TimeSpan.FromSeconds(5)));
        var verdicts = Enumerable.Range(2, 30).Select(i => watch.Observe(900, 800, TimeSpan.FromSeconds(5 * i))).ToList();
        Assert.All(verdicts.Take(24), v => Assert.Equal(PipelineWatch.Verdict.Idle, v));
        Assert.Equal(PipelineWatch.Verdict.Stalled, verdicts[24]);
    }

    [Fact]
    public void Observe_AMoveRestartsTheStallClock()
    {
        var watch = new PipelineWatch(1_000, Stall);
        watch.Observe(10, 0, TimeSpan.FromSeconds(5));
        Assert.Equal(PipelineWatch.Verdict.Idle, watch.Observe(10, 0, TimeSpan.FromSeconds(100)));
        Assert.Equal(PipelineWatch.Verdict.Moving, watch.Observe(10, 1, TimeSpan.FromSeconds(120)));
        Assert.Equal(PipelineWatch.Verdict.Idle, watch.Observe(10, 1, TimeSpan.FromSeconds(200)));
        Assert.Equal(PipelineWatch.Verdict.Stalled, watch.Observe(10, 1, TimeSpan.FromSeconds(241)));
    }

    [Fact]
    public void Observe_EveryReceiptApplied_Ends()
    {
        var watch = new PipelineWatch(1_000, Stall);
        Assert.Equal(PipelineWatch.Verdict.AllReceipts, watch.Observe(1_000, 1_000, TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public void Rates_AreSinceThePreviousReading()
    {
        var watch = new PipelineWatch(1_000, Stall);
        watch.Observe(100, 50, TimeSpan.FromSeconds(5));
        var (submitted, applied) = watch.Rates(600, 150, TimeSpan.FromSeconds(10));
        Assert.Equal(100, submitted, 3);
        Assert.Equal(20, applied, 3);
    }
}
