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

    public Campaign(string name, int? departmentId, MessagePurpose purpose, string createdBy, DateTime at)
    {
        Rename(name);
        DepartmentId = departmentId;
        Purpose = purpose;
        CreatedBy = createdBy;
        CreatedAt = UpdatedAt = at;
    }

    public int Id { get; private set; }
    public string Name { get; private set; } = "";
    public int? DepartmentId { get; private set; }
    public MessagePurpose Purpose { get; private set; }
    public int? SegmentId { get; set; }
    /// <summary>Segments whose members are taken out of the audience.</summary>
    public List<int> ExcludedSegmentIds { get; set; } = [];
    public int? TemplateId { get; set; }
    /// <summary>The Liquid text this campaign sends, copied from the template when the campaign is written.</summary>
    public string Body { get; set; } = "";
    /// <summary>Alphanumeric up to 11 characters, or a number (see <see cref="CampaignRules.ValidateSenderId"/>).</summary>
    public string? SenderId { get; set; }
    /// <summary>A named provider, or null to let routing choose the cheapest healthy one.</summary>
    public int? ProviderId { get; set; }
    public ScheduleKind ScheduleKind { get; set; }
    /// <summary>Quartz cron expression for <see cref="ScheduleKind.Recurring"/>.</summary>
    public string? Cron { get; set; }
    public DateTime? RecurrenceEndsAt { get; set; }
    /// <summary>For a run of a recurring campaign: the campaign that fired it.</summary>
    public int? ParentCampaignId { get; set; }
    /// <summary>
    /// For a run of a recurring campaign: the firing (UTC) it was made for. Unique with the parent,
    /// so every scheduling node may fire the same trigger and the database lets one run through.
    /// </summary>
    public DateTime? FiringAt { get; set; }
    public bool QuietHoursEnabled { get; set; } = true;
    /// <summary>Quiet hours in the client's local time, minutes after midnight; the window may cross midnight.</summary>
    public int QuietFromMinute { get; set; } = CampaignRules.DefaultQuietFromMinute;
    public int QuietToMinute { get; set; } = CampaignRules.DefaultQuietToMinute;
    /// <summary>Messages per second for this campaign; null means as fast as the route allows.</summary>
    public int? SpeedLimit { get; set; }
    /// <summary>How long a message may wait (quiet hours, throttling) before it expires unsent.</summary>
    public int ValidityHours { get; set; } = CampaignRules.DefaultValidityHours;
    /// <summary>Share of the audience held back (not sent) to measure uplift, 0..50.</summary>
    public int ControlGroupPercent { get; set; }
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
    /// <summary>The goal's event types (issue 15); None means the campaign has no goal.</summary>
    public GoalEventTypes GoalEvents { get; private set; }
    public decimal? GoalMinAmount { get; private set; }
    public int AttributionWindowHours { get; private set; } = CampaignGoal.DefaultWindowHours;
    public CampaignStatus Status { get; private set; } = CampaignStatus.Draft;
    public DateTime? ScheduledAt { get; private set; }
    public DateTime? StartedAt { get; private set; }
    public DateTime? FinishedAt { get; private set; }
    public string? FailureReason { get; private set; }
    /// <summary>The trainee whose training sandbox holds this row; null for real data (issue 18, <see cref="Portal.Domain.Sandbox.SandboxPartition"/>).</summary>
    public string? SandboxOwnerId { get; private set; }

    /// <summary>Places a new row in a trainee's sandbox (never moves real data there: only before it is saved).</summary>
    public void PlaceInSandbox(string ownerId)
    {
        if (Id != 0)
        {
            throw new DomainException("Only a new row can be placed in a sandbox.");
        }
        SandboxOwnerId = Portal.Domain.Sandbox.SandboxPartition.Owner(ownerId);
    }

    public string CreatedBy { get; private set; } = "";
    public DateTime CreatedAt { get; private set; }
    public DateTime UpdatedAt { get; private set; }

    public void Rename(string name)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Length > 200)
        {
            throw new DomainException("A campaign name is 1 to 200 characters.");
        }
        Name = name.Trim();
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

    /// <summary>
    /// The launch time a draft of <see cref="ScheduleKind.At"/> keeps until it is scheduled (UTC);
    /// null for "now" and recurring drafts. <see cref="Schedule"/> then takes it as its time.
    /// </summary>
    public void PlanLaunch(DateTime? atUtc, DateTime now)
    {
        Require(CampaignStatus.Draft, new DomainTerm("change its launch time"));
        ScheduledAt = atUtc;
        UpdatedAt = now;
    }

    /// <summary>What clients should do afterwards, measured against the control group; null for none.</summary>
    public CampaignGoal? Goal => GoalEvents == GoalEventTypes.None ? null : new CampaignGoal(GoalEvents, GoalMinAmount, AttributionWindowHours);

    /// <summary>
    /// Names (or clears) the goal. Only before sending: conversions are attributed as events arrive,
    /// and a goal changed afterwards would silently mix two rules in one campaign's figures.
    /// </summary>
    public void SetGoal(CampaignGoal? goal, DateTime now)
    {
        if (Status is not (CampaignStatus.Draft or CampaignStatus.Scheduled))
        {
            throw new DomainException("A campaign's goal is set before it starts sending.");
        }
        GoalEvents = goal?.Events ?? GoalEventTypes.None;
        GoalMinAmount = goal?.MinAmount;
        AttributionWindowHours = goal?.WindowHours ?? CampaignGoal.DefaultWindowHours;
        UpdatedAt = now;
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
        if (SegmentId is null || string.IsNullOrWhiteSpace(Body))
        {
            throw new DomainException("A campaign needs an audience and a message before it can be scheduled.");
        }
        ValidateSettings();
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

    /// <summary>Checks the settings together; throws with the first rule broken.</summary>
    public void ValidateSettings()
    {
        CampaignRules.ValidateSenderId(SenderId);
        if (ControlGroupPercent is < 0 or > CampaignRules.MaxControlGroupPercent)
        {
            throw new DomainException("The control group is 0 to 50 % of the audience.");
        }
        if (QuietFromMinute is < 0 or >= 1440 || QuietToMinute is < 0 or >= 1440)
        {
            throw new DomainException("Quiet hours are times of day between 00:00 and 23:59.");
        }
        if (SpeedLimit is <= 0)
        {
            throw new DomainException("A speed limit is at least one message per second.");
        }
        if (ValidityHours is < 1 or > CampaignRules.MaxValidityHours)
        {
            throw new DomainException("Validity is 1 to 72 hours.");
        }
        if (ScheduleKind == ScheduleKind.Recurring && string.IsNullOrWhiteSpace(Cron))
        {
            throw new DomainException("A recurring campaign needs a schedule (cron expression).");
        }
        if (SegmentId is int id && ExcludedSegmentIds.Contains(id))
        {
            throw new DomainException("A segment cannot be both the audience and an exclusion.");
        }
    }

    /// <summary>True when <paramref name="localMinute"/> (minutes after local midnight) falls inside quiet hours.</summary>
    public bool IsQuiet(int localMinute)
    {
        if (!QuietHoursEnabled || QuietFromMinute == QuietToMinute) return false;
        return QuietFromMinute < QuietToMinute
            ? localMinute >= QuietFromMinute && localMinute < QuietToMinute
            : localMinute >= QuietFromMinute || localMinute < QuietToMinute;
    }

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
