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

    /// <summary>
    /// 0..9999: the client's bucket in this campaign. A 32-bit integer mix (xor-shift and multiply by
    /// 0x45D9F3B, twice) whose every product fits a signed 64-bit integer, so PostgreSQL computes it
    /// with plain bigint arithmetic in the launch's INSERT ... SELECT (0.5 us a row; the SplitMix64 it
    /// replaced needed numeric arithmetic there, 2.8 us a row).
    /// </summary>
    public static int Bucket(int campaignId, long clientId)
    {
        const ulong Mask = 0xFFFF_FFFF;
        var id = (ulong)clientId;
        var h = (id & Mask) ^ (id >> 32) ^ (((ulong)(uint)campaignId * 2654435761UL) & Mask);
        h = ((h ^ (h >> 16)) * 0x45D9F3BUL) & Mask;
        h = ((h ^ (h >> 16)) * 0x45D9F3BUL) & Mask;
        h ^= h >> 16;
        return (int)(h % 10_000);
    }
}
