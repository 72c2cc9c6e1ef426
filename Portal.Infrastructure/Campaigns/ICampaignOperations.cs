using Portal.Domain.Messages;

namespace Portal.Infrastructure.Campaigns;

/// <summary>
/// What the UI and the API may do to a campaign once it is written. Each call runs the guarded
/// domain transition, saves it, writes the audit entry and tells the scheduler or the senders.
/// </summary>
public interface ICampaignOperations
{
    // Issue 14: every id-based operation takes the signed-in user, not a name, and checks on the
    // server that the user works with campaigns and may see this one (their department's, their
    // own, or every department's for administrators and managers); another department's campaign
    // reads as missing and the attempt is audited. Approval is also refused to the author.

    /// <summary>Draft -> Scheduled; registers the Quartz trigger (now, at a time, or recurring): scheduling "now" is the launch.</summary>
    /// <exception cref="Portal.Domain.Common.DomainException">Another department's campaign, or the transition is not allowed.</exception>
    Task ScheduleAsync(int campaignId, System.Security.Claims.ClaimsPrincipal user, CancellationToken ct = default);

    /// <exception cref="Portal.Domain.Common.DomainException">Another department's campaign, not a manager, or the author.</exception>
    Task ApproveAsync(int campaignId, System.Security.Claims.ClaimsPrincipal manager, CancellationToken ct = default);

    /// <summary>Stops new submissions within 2 seconds on every node.</summary>
    Task PauseAsync(int campaignId, System.Security.Claims.ClaimsPrincipal user, CancellationToken ct = default);

    Task ResumeAsync(int campaignId, System.Security.Claims.ClaimsPrincipal user, CancellationToken ct = default);

    /// <summary>Sends nothing more; queued and deferred messages become Cancelled.</summary>
    Task CancelAsync(int campaignId, System.Security.Claims.ClaimsPrincipal user, CancellationToken ct = default);

    /// <summary>
    /// Renders the campaign (for the audience's first client when the user sees personal data, a
    /// made-up one otherwise) and sends it now to the user's own verified phone. Limited per user
    /// per hour and audited with the (masked) target.
    /// </summary>
    /// <param name="phone">What the user asked for: null, or their verified phone; any other number is refused.</param>
    /// <exception cref="Portal.Domain.Common.DomainException">No verified phone, another number, another department's campaign, or the limit reached.</exception>
    Task<MessageStatus> SendTestAsync(int campaignId, string? phone, System.Security.Claims.ClaimsPrincipal user, CancellationToken ct = default);

    Task<CampaignProgress> GetProgressAsync(int campaignId, CancellationToken ct = default);
}

/// <summary>Where a campaign's messages are, counted in the database (correct with several nodes).</summary>
public sealed record CampaignProgress(
    int Total,
    int Queued,
    int Deferred,
    int Control,
    int Submitted,
    int Delivered,
    int Failed,
    int Uncertain,
    int Cancelled,
    long Parts,
    decimal Cost,
    int Replies,
    int OptOuts,
    IReadOnlyList<(string ErrorCode, int Count)> Errors)
{
    /// <summary>Messages that will not change any more.</summary>
    public int Final => Delivered + Failed + Cancelled + Control;
}
