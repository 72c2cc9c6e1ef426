namespace Portal.Domain.Campaigns;

/// <summary>
/// Who is held back to measure uplift: a stable hash of (campaign, client), so a relaunch, a second
/// node or the estimate all pick the same clients, and the share is exact in expectation.
/// </summary>
public static class ControlGroup
{
    /// <summary>True when the client is in the campaign's control group of <paramref name="percent"/> (0..50).</summary>
    public static bool IsControl(int campaignId, long clientId, int percent)
    {
        if (percent <= 0) return false;
        return Bucket(campaignId, clientId) < percent * 100;
    }

    /// <summary>0..9999: the client's bucket in this campaign (SplitMix64 of the pair).</summary>
    public static int Bucket(int campaignId, long clientId)
    {
        var x = unchecked(((ulong)(uint)campaignId << 40) ^ (ulong)clientId) + 0x9E3779B97F4A7C15UL;
        x = unchecked((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL);
        x = unchecked((x ^ (x >> 27)) * 0x94D049BB133111EBUL);
        x ^= x >> 31;
        return (int)(x % 10_000);
    }
}
