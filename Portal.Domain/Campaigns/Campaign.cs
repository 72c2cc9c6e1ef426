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
    public int? TemplateId { get; set; }
    /// <summary>Alphanumeric up to 11 characters, or a number.</summary>
    public string? SenderId { get; set; }
    public CampaignStatus Status { get; private set; } = CampaignStatus.Draft;
    public DateTime? ScheduledAt { get; private set; }
    public DateTime? StartedAt { get; private set; }
    public DateTime? FinishedAt { get; private set; }
    public string? FailureReason { get; private set; }
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

    public void Schedule(DateTime at, DateTime now)
    {
        Require(CampaignStatus.Draft, "schedule");
        if (SegmentId is null || TemplateId is null)
        {
            throw new DomainException("A campaign needs an audience and a message before it can be scheduled.");
        }
        ScheduledAt = at < now ? now : at;
        Move(CampaignStatus.Scheduled, now);
    }

    public void Start(DateTime now)
    {
        Require(CampaignStatus.Scheduled, "start");
        StartedAt = now;
        Move(CampaignStatus.Sending, now);
    }

    public void Pause(DateTime now)
    {
        Require(CampaignStatus.Sending, "pause");
        Move(CampaignStatus.Paused, now);
    }

    public void Resume(DateTime now)
    {
        Require(CampaignStatus.Paused, "resume");
        Move(CampaignStatus.Sending, now);
    }

    public void Complete(DateTime now)
    {
        Require(CampaignStatus.Sending, "complete");
        FinishedAt = now;
        Move(CampaignStatus.Completed, now);
    }

    public void Cancel(DateTime now)
    {
        if (Status is CampaignStatus.Completed or CampaignStatus.Cancelled or CampaignStatus.Failed)
        {
            throw new DomainException($"A {Status} campaign cannot be cancelled.");
        }
        FinishedAt = now;
        Move(CampaignStatus.Cancelled, now);
    }

    public void Fail(string reason, DateTime now)
    {
        if (Status is not (CampaignStatus.Scheduled or CampaignStatus.Sending or CampaignStatus.Paused))
        {
            throw new DomainException($"A {Status} campaign cannot fail.");
        }
        FailureReason = reason;
        FinishedAt = now;
        Move(CampaignStatus.Failed, now);
    }

    private void Require(CampaignStatus expected, string action)
    {
        if (Status != expected)
        {
            throw new DomainException($"Only a {expected} campaign can {action}; this one is {Status}.");
        }
    }

    private void Move(CampaignStatus to, DateTime now)
    {
        Status = to;
        UpdatedAt = now;
    }
}
