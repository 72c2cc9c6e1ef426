using System.Diagnostics;
using Portal.Infrastructure.Sending;

namespace Portal.Tests.Infrastructure.Cluster;

/// <summary>Issue 13: a campaign's speed limit is for the cluster; each live sender node paces to its share.</summary>
public sealed class CampaignSpeedShareTests
{
    [Theory]
    [InlineData(6, 1, 1.0 / 6)]
    [InlineData(6, 3, 0.5)]
    [InlineData(1, 3, 3.0)]
    public void Interval_IsTheNodesShareOfTheLimit(int perSecond, int nodes, double seconds)
    {
        Assert.Equal(seconds, (double)SpeedPacer.Interval(perSecond, nodes) / Stopwatch.Frequency, 3);
    }

    [Fact]
    public async Task ThreeNodesAtTwentyPerSecond_EachNodeSpacesItsSubmitsThreeTimesWider()
    {
        var pacer = new SpeedPacer();
        var watch = Stopwatch.StartNew();
        // 5 submits at 20/s over 3 nodes: 4 gaps of 150 ms on this node (not 50 ms).
        for (var i = 0; i < 5; i++) await pacer.WaitAsync(20, 3, default);
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(560), $"took {watch.Elapsed.TotalMilliseconds} ms");
    }
}
