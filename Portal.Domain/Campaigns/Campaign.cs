using Portal.Domain.Analytics;
using Portal.Domain.Common;

namespace Portal.Domain.Campaigns;

/// <summary>
/// One mass sending: an audience, a text, a schedule. Its lifecycle is a guarded state machine:
/// Draft -> Scheduled -> Sending -> Completed, with Paused, Cancelled and Failed on the side.
/// </summary>
public sealed class Campaign
{
    private Campaign() { }

    /// <summary>A new draft; <paramref name="settings"/> are checked as <see cref="ChangeSettings"/> checks them.</summary>
    public Campaign(string name, int? departmentId, MessagePurpose purpose, string createdBy, DateTime at, CampaignSettings? settings = null)
    {
        Rename(name);
        DepartmentId = departmentId;
        Purpose = purpose;
        CreatedBy = createdBy;
        CreatedAt = UpdatedAt = at;
        if (settings is not null)
        {
            ChangeSettings(settings, null, at);
        }
    }

    public int Id { get; private set; }
    public string Name { get; private set; } = "";
    public int? DepartmentId { get; private set; }
    public MessagePurpose Purpose { get; private set; }
    /// <summary>What is sent, to whom and how (issue 21): one value, changed through <see cref="ChangeSettings"/>.</summary>
    public CampaignSettings Settings { get; private set; } = new();
    /// <summary>For a run of a recurring campaign: the campaign that fired it.</summary>
    public int? ParentCampaignId { get; private set; }
    /// <summary>
    /// For a run of a recurring campaign: the firing (UTC) it was made for. Unique with the parent,
    /// so every scheduling node may fire the same trigger and the database lets one run through.
    /// </summary>
    public DateTime? FiringAt { get; private set; }
    /// <summary>Set when the campaign's size or cost needs a Manager's approval before it can be scheduled.</summary>
    public bool RequiresApproval { get; set; }
    public string? ApprovedBy { get; private set; }
    public DateTime? ApprovedAt { get; private set; }
    /// <summary>
    /// Issue 14: which audience the approval covers: the segment's and each exclusion's id and rule
    /// version (<see cref="AudienceFingerprint"/>). A launch whose audience no longer has this
    /// fingerprint is refused: an approval covers rules, not a segment id.
    /// </summary>
    public string? ApprovedAudience { get; private set; }
    /// <summary>Recipients the Manager saw when approving; a launch may exceed it only by a tolerance.</summary>
    public int? ApprovedRecipients { get; private set; }
    /// <summary>Cost the Manager saw when approving (the route's currency).</summary>
    public decimal? ApprovedCost { get; private set; }
    public CampaignStatus Status { get; private set; } = CampaignStatus.Draft;
    public DateTime? ScheduledAt { get; private set; }
    public DateTime? StartedAt { get; private set; }
    public DateTime? FinishedAt { get; private set; }
    public string? FailureReason { get; private set; }
    /// <summary>The trainee whose training sandbox holds this row; null for real data (issue 18, <see cref="Portal.Domain.Sandbox.SandboxPartition"/>).</summary>
    public string? SandboxOwnerId { get; private set; }

    /// <summary>Places a new row in a trainee's sandbox (never moves real data there: only before it is saved).</summary>
    public void PlaceInSandbox(string ownerId) => SandboxOwnerId = Portal.Domain.Sandbox.SandboxPartition.OwnerOfNewRow(Id, ownerId);

    public string CreatedBy { get; private set; } = "";
    public DateTime CreatedAt { get; private set; }
    public DateTime UpdatedAt { get; private set; }

    public void Rename(string name)
    {
        Name = TypedName.Within(name, 200) ?? throw new DomainException("A campaign name is 1 to 200 characters.");
    }

    /// <summary>
    /// The wizard's choices that the constructor fixes: a draft may still change its purpose
    /// (advertising needs consent, so the audience changes with it).
    /// </summary>
    public void ChangePurpose(MessagePurpose purpose, DateTime now)
    {
        Require(CampaignStatus.Draft, new DomainTerm("change its purpose"));
        Purpose = purpose;
        UpdatedAt = now;
    }

    /// <summary>What clients should do afterwards, measured against the control group; null for none.</summary>
    public CampaignGoal? Goal => Settings.Goal;

    /// <summary>
    /// Names (or clears) the goal. Only before sending: conversions are attributed as events arrive,
    /// and a goal changed afterwards would silently mix two rules in one campaign's figures. Unlike the
    /// rest of the settings a scheduled campaign may still change it: it is not part of what is sent.
    /// </summary>
    public void SetGoal(CampaignGoal? goal, DateTime now)
    {
        if (Status is not (CampaignStatus.Draft or CampaignStatus.Scheduled))
        {
            throw new DomainException("A campaign's goal is set before it starts sending.");
        }
        Settings = Settings.WithGoal(goal);
        UpdatedAt = now;
    }

    /// <summary>
    /// The one way a campaign's settings change (issue 21): only a draft, all rules checked together
    /// before anything changes, and an approval withdrawn when what is sent changed (the goal and an
    /// unchanged launch time keep it: a Manager approved what is sent, not what is measured).
    /// <paramref name="launchAt"/> is the UTC launch time of <see cref="ScheduleKind.At"/>, kept in
    /// <see cref="ScheduledAt"/> until <see cref="Schedule"/>; ignored for the other kinds.
    /// </summary>
    public void ChangeSettings(CampaignSettings settings, DateTime? launchAt, DateTime now)
    {
        Require(CampaignStatus.Draft, new DomainTerm("change its settings"));
        var next = settings.Normalized();
        next.Validate();
        var plannedAt = next.ScheduleKind == ScheduleKind.At ? launchAt : null;
        if (ApprovedAt is not null && (!next.SendsAs(Settings) || plannedAt != ScheduledAt))
        {
            ClearApproval();
        }
        Settings = next;
        ScheduledAt = plannedAt;
        UpdatedAt = now;
    }

    /// <summary>
    /// The run of a recurring campaign for one firing: the parent's settings, launched at once
    /// (kind Now), tied to the parent and the firing so the database lets one run per firing through.
    /// </summary>
    public static Campaign RunOf(Campaign parent, string name, DateTime firingAt, DateTime now)
    {
        if (parent.Settings.ScheduleKind != ScheduleKind.Recurring)
        {
            throw new DomainException("Only a recurring campaign has runs.");
        }
        return new Campaign(name, parent.DepartmentId, parent.Purpose, parent.CreatedBy, now)
        {
            Settings = (parent.Settings with { ScheduleKind = ScheduleKind.Now }).Normalized(),
            ParentCampaignId = parent.Id,
            FiringAt = firingAt,
        };
    }

    /// <summary>A Manager approved what they saw: an approved draft whose settings change needs approving again.</summary>
    public void WithdrawApproval(DateTime now)
    {
        Require(CampaignStatus.Draft, new DomainTerm("lose its approval"));
        ClearApproval();
        UpdatedAt = now;
    }

    /// <summary>
    /// Issue 14: the audience the Manager approved, as fingerprint, size and cost. Recorded with the
    /// approval; <see cref="ReturnForApproval"/> is what a launch does when they no longer hold.
    /// </summary>
    public void BindApproval(string audienceFingerprint, int recipients, decimal cost)
    {
        if (ApprovedAt is null)
        {
            throw new DomainException("Only an approved campaign records what was approved.");
        }
        ApprovedAudience = audienceFingerprint;
        ApprovedRecipients = recipients;
        ApprovedCost = cost;
    }

    /// <summary>
    /// A Scheduled campaign whose audience changed after approval goes back to Draft, needing
    /// approval again (issue 14: an approval covers the rules and size the Manager saw).
    /// </summary>
    public void ReturnForApproval(DateTime now)
    {
        Require(CampaignStatus.Scheduled, new DomainTerm("return for approval"));
        ClearApproval();
        RequiresApproval = true;
        Move(CampaignStatus.Draft, now);
    }

    /// <summary>"s{segment}v{version}" and "x{excluded}v{version}" in id order: equal only for the same rules.</summary>
    public static string AudienceFingerprint(int segmentId, int segmentVersion, IEnumerable<(int Id, int Version)> excluded) =>
        string.Join(';', new[] { $"s{segmentId}v{segmentVersion}" }.Concat(excluded.OrderBy(e => e.Id).Select(e => $"x{e.Id}v{e.Version}")));

    private void ClearApproval()
    {
        ApprovedBy = null;
        ApprovedAt = null;
        ApprovedAudience = null;
        ApprovedRecipients = null;
        ApprovedCost = null;
    }

    public void Schedule(DateTime at, DateTime now)
    {
        Require(CampaignStatus.Draft, new DomainTerm("be scheduled"));
        if (Settings.SegmentId is null || string.IsNullOrWhiteSpace(Settings.Body))
        {
            throw new DomainException("A campaign needs an audience and a message before it can be scheduled.");
        }
        Settings.Validate();
        if (RequiresApproval && ApprovedAt is null)
        {
            throw new DomainException("This campaign needs a Manager's approval before it can be scheduled.");
        }
        ScheduledAt = at < now ? now : at;
        Move(CampaignStatus.Scheduled, now);
    }

    /// <summary>A Manager approves a campaign that needs it; the author cannot approve their own.</summary>
    public void Approve(string manager, DateTime now)
    {
        Require(CampaignStatus.Draft, new DomainTerm("be approved"));
        if (string.Equals(manager, CreatedBy, StringComparison.OrdinalIgnoreCase))
        {
            throw new DomainException("A campaign is approved by a Manager other than its author.");
        }
        ApprovedBy = manager;
        ApprovedAt = now;
        UpdatedAt = now;
    }

    /// <summary>True when <paramref name="localMinute"/> (minutes after local midnight) falls inside quiet hours.</summary>
    public bool IsQuiet(int localMinute) => Settings.IsQuiet(localMinute);

    public void Start(DateTime now)
    {
        Require(CampaignStatus.Scheduled, new DomainTerm("start sending"));
        StartedAt = now;
        Move(CampaignStatus.Sending, now);
    }

    public void Pause(DateTime now)
    {
        Require(CampaignStatus.Sending, new DomainTerm("be paused"));
        Move(CampaignStatus.Paused, now);
    }

    public void Resume(DateTime now)
    {
        Require(CampaignStatus.Paused, new DomainTerm("be resumed"));
        Move(CampaignStatus.Sending, now);
    }

    public void Complete(DateTime now)
    {
        Require(CampaignStatus.Sending, new DomainTerm("be completed"));
        FinishedAt = now;
        Move(CampaignStatus.Completed, now);
    }

    public void Cancel(DateTime now)
    {
        if (Status is CampaignStatus.Completed or CampaignStatus.Cancelled or CampaignStatus.Failed)
        {
            throw new DomainException("A {0} campaign cannot be cancelled.", Status);
        }
        FinishedAt = now;
        Move(CampaignStatus.Cancelled, now);
    }

    public void Fail(string reason, DateTime now)
    {
        if (Status is not (CampaignStatus.Scheduled or CampaignStatus.Sending or CampaignStatus.Paused))
        {
            throw new DomainException("A {0} campaign cannot fail.", Status);
        }
        FailureReason = reason;
        FinishedAt = now;
        Move(CampaignStatus.Failed, now);
    }

    private void Require(CampaignStatus expected, DomainTerm action)
    {
        if (Status != expected)
        {
            throw new DomainException("Only a {0} campaign can {1}; this one is {2}.", expected, action, Status);
        }
    }

    private void Move(CampaignStatus to, DateTime now)
    {
        Status = to;
        UpdatedAt = now;
    }
}
