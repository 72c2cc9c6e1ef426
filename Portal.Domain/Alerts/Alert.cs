using Portal.Domain.Common;

namespace Portal.Domain.Alerts;

public enum AlertKind
{
    /// <summary>Normal priority, respects quiet hours in each employee's time zone.</summary>
    Informational = 0,
    /// <summary>Now, on the priority lane, ignoring quiet hours; escalates while unconfirmed.</summary>
    Alarm = 1,
}

public enum AlertState
{
    Open = 0,
    /// <summary>The required confirmations arrived.</summary>
    Acknowledged = 1,
    /// <summary>Closed by hand.</summary>
    Closed = 2,
    /// <summary>The chain ran out without enough confirmations; the initiator was told.</summary>
    Exhausted = 3,
}

public enum RequiredAcks
{
    One = 0,
    All = 1,
    /// <summary><see cref="Alert.RequiredCount"/> confirmations.</summary>
    Count = 2,
}

/// <summary>
/// An alert to staff (issue 17). The escalation state (<see cref="CurrentLevel"/>,
/// <see cref="NextEscalationAt"/>) lives here in the database, never only in a timer: any node's
/// escalation loop picks up an alert whose deadline passed and claims it by
/// <see cref="Version"/> (UPDATE ... WHERE Version = v), so each level is raised once.
/// </summary>
public sealed class Alert
{
    public const int MaxTextLength = 640;

    private Alert() { }

    public Alert(AlertKind kind, string text, string code, RequiredAcks required, int requiredCount, int? chainId, string groupIds,
        string initiator, DateTime createdAt)
    {
        if (string.IsNullOrWhiteSpace(text) || text.Length > MaxTextLength) throw new DomainException("An alert's text is 1 to {0} characters.", MaxTextLength);
        if (required == RequiredAcks.Count && requiredCount < 1) throw new DomainException("Ask for at least one confirmation.");
        if (string.IsNullOrWhiteSpace(initiator)) throw new DomainException("An alert needs its initiator.");
        Kind = kind;
        Text = text.Trim();
        Code = code;
        Required = required;
        RequiredCount = required == RequiredAcks.Count ? requiredCount : required == RequiredAcks.One ? 1 : 0;
        ChainId = chainId;
        GroupIds = groupIds;
        Initiator = initiator.Length > 256 ? initiator[..256] : initiator;
        CreatedAt = createdAt;
        CurrentLevel = 1;
    }

    public long Id { get; private set; }
    public AlertKind Kind { get; private set; }
    /// <summary>The text sent (the confirmation hint is appended when it is sent).</summary>
    public string Text { get; private set; } = "";
    /// <summary>Short numeric code a reply quotes to confirm this alert when the person has several open.</summary>
    public string Code { get; private set; } = "";
    public RequiredAcks Required { get; private set; }
    public int RequiredCount { get; private set; }
    public int? ChainId { get; private set; }
    /// <summary>Groups alerted (alerts without a chain), space-separated ids.</summary>
    public string GroupIds { get; private set; } = "";
    public AlertState State { get; private set; }
    public int CurrentLevel { get; private set; }
    /// <summary>Re-sends done at <see cref="CurrentLevel"/> (the level's repeats); back to 0 when the chain moves on.</summary>
    public int Repeats { get; private set; }
    public DateTime? NextEscalationAt { get; private set; }
    /// <summary>User name, or "api:&lt;key id&gt;".</summary>
    public string Initiator { get; private set; } = "";
    public int? ApiKeyId { get; private set; }
    /// <summary>The caller's Idempotency-Key; unique per key, so a retry never pages twice.</summary>
    public string? IdempotencyKey { get; private set; }
    public DateTime CreatedAt { get; private set; }
    public DateTime? ClosedAt { get; private set; }
    /// <summary>Why it closed, shown to the initiator ("acknowledged", "chain exhausted", a user's note).</summary>
    public string? Outcome { get; private set; }
    /// <summary>Alarm SMS go as flash SMS (class 0) through providers that support it.</summary>
    public bool Flash { get; set; }
    /// <summary>Optimistic claim token for escalation across nodes.</summary>
    public int Version { get; private set; }

    public void FromApi(int apiKeyId, string? idempotencyKey)
    {
        ApiKeyId = apiKeyId;
        IdempotencyKey = idempotencyKey;
    }

    /// <summary>The chain moved on to <paramref name="level"/>; null deadline: nothing after it.</summary>
    public void MoveToLevel(int level, DateTime? nextAt)
    {
        if (State != AlertState.Open) throw new DomainException("Only an open alert escalates.");
        if (level <= CurrentLevel) throw new DomainException("Escalation only moves forward.");
        CurrentLevel = level;
        Repeats = 0;
        NextEscalationAt = nextAt;
    }

    /// <summary>The current level was sent again to those who have not confirmed; next step at <paramref name="nextAt"/>.</summary>
    public void Repeat(DateTime nextAt)
    {
        if (State != AlertState.Open) throw new DomainException("Only an open alert escalates.");
        Repeats++;
        NextEscalationAt = nextAt;
    }

    public void ScheduleEscalation(DateTime? at) => NextEscalationAt = State == AlertState.Open ? at : null;

    public void Close(AlertState state, string outcome, DateTime at)
    {
        if (state == AlertState.Open) throw new DomainException("Closing needs a final state.");
        if (State != AlertState.Open) return;
        State = state;
        Outcome = outcome.Length > 200 ? outcome[..200] : outcome;
        ClosedAt = at;
        NextEscalationAt = null;
    }
}

/// <summary>One person alerted, for counting confirmations: the group they were reached through (null: named one by one).</summary>
public readonly record struct AckVote(int EmployeeId, int? GroupId, bool Acked);

/// <summary>
/// "One, all, or N per group" (issue 17): every group of a level (people named one by one form one
/// more group) needs its share of confirmations. A person counts once, in the group they were first
/// reached through; N larger than a group asks for all of that group.
/// </summary>
public static class AckRule
{
    public static bool IsSatisfied(RequiredAcks required, int requiredCount, IEnumerable<AckVote> votes)
    {
        var people = votes.GroupBy(v => v.EmployeeId)
            .Select(g => new { GroupId = g.First().GroupId, Acked = g.Any(v => v.Acked) })
            .ToList();
        if (people.Count == 0) return false;
        return people.GroupBy(p => p.GroupId).All(group =>
        {
            int size = group.Count(), acked = group.Count(p => p.Acked);
            return required switch
            {
                RequiredAcks.All => acked == size,
                RequiredAcks.Count => acked >= Math.Min(Math.Max(1, requiredCount), size),
                _ => acked >= 1,
            };
        });
    }
}

/// <summary>One employee alerted at one level: the message sent and the confirmation.</summary>
public sealed class AlertRecipient
{
    private AlertRecipient() { }

    public AlertRecipient(long alertId, int employeeId, int level, string phone, DateTime sendAfter, int? groupId = null, int round = 0)
    {
        AlertId = alertId;
        EmployeeId = employeeId;
        Level = level;
        Phone = phone;
        SendAfter = sendAfter;
        GroupId = groupId;
        Round = round;
    }

    public long Id { get; private set; }
    public long AlertId { get; private set; }
    public int EmployeeId { get; private set; }
    public int Level { get; private set; }
    /// <summary>The group the person was reached through (null: named one by one); confirmations are counted per group.</summary>
    public int? GroupId { get; private set; }
    /// <summary>0 for the level's first SMS, 1.. for its repeats to those who had not confirmed.</summary>
    public int Round { get; private set; }
    /// <summary>The number alerted (the employee's may change later); replies are matched on it.</summary>
    public string Phone { get; private set; } = "";
    /// <summary>Not sent before this (quiet hours for informational alerts); the loop sends it when due.</summary>
    public DateTime SendAfter { get; private set; }
    /// <summary>The SMS (a priority-lane message); null until sent. Delivery comes from its receipts.</summary>
    public long? MessageId { get; set; }
    public DateTime? AckedAt { get; private set; }
    public long? AckInboundId { get; private set; }

    public void Acknowledge(DateTime at, long? inboundId)
    {
        if (AckedAt is not null) return;
        AckedAt = at;
        AckInboundId = inboundId;
    }
}
