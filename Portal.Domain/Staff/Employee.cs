using Portal.Domain.Alerts;
using Portal.Domain.Clients;
using Portal.Domain.Common;

namespace Portal.Domain.Staff;

/// <summary>
/// One of the company's own staff (issue 17): a recipient of alerts, kept apart from clients (no
/// consent, no opt-out, no campaigns). Name, phone and e-mail are personal data: masked for roles
/// without the permission, like a client's.
/// </summary>
public sealed class Employee
{
    private Employee() { }

    public Employee(string fullName, PhoneNumber phone, DateTime createdAt)
    {
        Rename(fullName);
        Phone = phone.Value;
        CreatedAt = createdAt;
        UpdatedAt = createdAt;
    }

    public int Id { get; private set; }
    public string FullName { get; private set; } = "";
    /// <summary>E.164: alerts go here and replies from it are matched to the person's open alerts.</summary>
    public string Phone { get; private set; } = "";
    public string? Email { get; private set; }
    public string? Department { get; private set; }
    public string? Position { get; private set; }
    public string? Location { get; private set; }
    /// <summary>IANA id; informational alerts respect quiet hours here (empty: Moscow, as for clients).</summary>
    public string? TimeZone { get; private set; }
    public bool Active { get; private set; } = true;
    public DateTime CreatedAt { get; private set; }
    public DateTime UpdatedAt { get; private set; }

    public void Update(string fullName, PhoneNumber phone, string? email, string? department, string? position, string? location, string? timeZone, bool active, DateTime at)
    {
        Rename(fullName);
        Phone = phone.Value;
        Email = Clean(email, 200);
        if (Email is not null && !Email.Contains('@', StringComparison.Ordinal)) throw new DomainException("The e-mail address is not valid.");
        Department = Clean(department, 100);
        Position = Clean(position, 100);
        Location = Clean(location, 100);
        TimeZone = Clean(timeZone, 64);
        Active = active;
        UpdatedAt = at;
    }

    private void Rename(string fullName)
    {
        FullName = TypedName.Within(fullName, 200) ?? throw new DomainException("A name is 1 to 200 characters.");
    }

    private static string? Clean(string? value, int max)
    {
        var v = value?.Trim();
        if (string.IsNullOrEmpty(v)) return null;
        if (v.Length > max) throw new DomainException("A field is at most {0} characters.", max);
        return v;
    }
}

/// <summary>How a group finds its members.</summary>
public enum GroupRule
{
    /// <summary>The members listed in <see cref="EmployeeGroupMember"/>.</summary>
    Static = 0,
    Department = 1,
    Location = 2,
    Position = 3,
}

/// <summary>A group of employees to alert: a static list or everyone active with a department, location or position.</summary>
public sealed class EmployeeGroup
{
    private EmployeeGroup() { }

    public EmployeeGroup(string name, GroupRule rule, string? ruleValue)
    {
        Change(name, rule, ruleValue);
    }

    public int Id { get; private set; }
    public string Name { get; private set; } = "";
    public GroupRule Rule { get; private set; }
    /// <summary>The department, location or position the rule matches (exactly, case as stored); null for static groups.</summary>
    public string? RuleValue { get; private set; }

    public void Change(string name, GroupRule rule, string? ruleValue)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Trim().Length > 100) throw new DomainException("A group's name is 1 to 100 characters.");
        if (rule != GroupRule.Static && string.IsNullOrWhiteSpace(ruleValue)) throw new DomainException("A rule group needs the value to match.");
        Name = name.Trim();
        Rule = rule;
        RuleValue = rule == GroupRule.Static ? null : ruleValue!.Trim();
    }
}

public sealed class EmployeeGroupMember
{
    private EmployeeGroupMember() { }

    public EmployeeGroupMember(int groupId, int employeeId)
    {
        GroupId = groupId;
        EmployeeId = employeeId;
    }

    public int GroupId { get; private set; }
    public int EmployeeId { get; private set; }
}

/// <summary>Who is alerted, one level after another, while an alarm stays unconfirmed.</summary>
public sealed class EscalationChain
{
    private readonly List<EscalationLevel> _levels = [];

    private EscalationChain() { }

    public EscalationChain(string name)
    {
        Rename(name);
    }

    public int Id { get; private set; }
    public string Name { get; private set; } = "";
    public IReadOnlyList<EscalationLevel> Levels => _levels;

    public void Rename(string name)
    {
        Name = TypedName.Within(name, 100) ?? throw new DomainException("A chain's name is 1 to 100 characters.");
    }

    /// <summary>Appends a level; levels are numbered from 1 in the order they are added.</summary>
    public EscalationLevel AddLevel(IEnumerable<int> employeeIds, IEnumerable<int> groupIds, TimeSpan timeout,
        RequiredAcks required = RequiredAcks.One, int requiredCount = 1, int repeats = 0, TimeSpan? repeatInterval = null, IEnumerable<int>? rosterIds = null)
    {
        if (_levels.Count >= EscalationLevel.MaxLevels) throw new DomainException("A chain has at most {0} levels.", EscalationLevel.MaxLevels);
        var level = new EscalationLevel(_levels.Count + 1, employeeIds, groupIds, rosterIds ?? [], timeout, required, requiredCount, repeats, repeatInterval);
        _levels.Add(level);
        return level;
    }
}

/// <summary>
/// One level of a chain: the people and groups alerted, how many confirmations it needs (one, all,
/// or N in each group; people named one by one and those on duty in its rosters count as one group), how often the unconfirmed are
/// re-sent before the level gives up, and how long it waits. Timeline of a level: the first SMS;
/// then, while unconfirmed, <see cref="Repeats"/> re-sends to those who have not confirmed, each
/// <see cref="RepeatIntervalSeconds"/> after the previous; then <see cref="TimeoutSeconds"/> after
/// the last send the next level is alerted (or the chain is exhausted).
/// </summary>
public sealed class EscalationLevel
{
    public const int MaxLevels = 20;
    public const int MaxRepeats = 10;

    private EscalationLevel() { }

    internal EscalationLevel(int number, IEnumerable<int> employeeIds, IEnumerable<int> groupIds, IEnumerable<int> rosterIds, TimeSpan timeout,
        RequiredAcks required, int requiredCount, int repeats, TimeSpan? repeatInterval)
    {
        var people = employeeIds.Distinct().ToList();
        var groups = groupIds.Distinct().ToList();
        var rosters = rosterIds.Distinct().ToList();
        if (people.Count == 0 && groups.Count == 0 && rosters.Count == 0) throw new DomainException("A level names at least one person, group or on-call roster.");
        if (timeout < TimeSpan.FromSeconds(1) || timeout > TimeSpan.FromDays(1)) throw new DomainException("A level's timeout is 1 second to 24 hours.");
        if (required == RequiredAcks.Count && (requiredCount < 1 || requiredCount > 1000)) throw new DomainException("Ask for 1 to 1000 confirmations per group.");
        if (repeats < 0 || repeats > MaxRepeats) throw new DomainException("A level repeats 0 to {0} times.", MaxRepeats);
        var interval = repeatInterval ?? timeout;
        if (repeats > 0 && (interval < TimeSpan.FromSeconds(1) || interval > TimeSpan.FromDays(1))) throw new DomainException("The repeat interval is 1 second to 24 hours.");
        Number = number;
        EmployeeIds = string.Join(' ', people);
        GroupIds = string.Join(' ', groups);
        RosterIds = string.Join(' ', rosters);
        TimeoutSeconds = (int)timeout.TotalSeconds;
        Required = required;
        RequiredCount = required == RequiredAcks.Count ? requiredCount : 1;
        Repeats = repeats;
        RepeatIntervalSeconds = repeats > 0 ? (int)interval.TotalSeconds : 0;
    }

    public int Id { get; private set; }
    public int ChainId { get; private set; }
    /// <summary>1, 2, 3 ...</summary>
    public int Number { get; private set; }
    /// <summary>Space-separated employee ids (a level names a handful, never thousands).</summary>
    public string EmployeeIds { get; private set; } = "";
    public string GroupIds { get; private set; } = "";
    /// <summary>On-call rosters: whoever is on duty when the level is alerted (counted with the people named one by one).</summary>
    public string RosterIds { get; private set; } = "";
    public int TimeoutSeconds { get; private set; }
    /// <summary>Confirmations this level needs, in each of its groups.</summary>
    public RequiredAcks Required { get; private set; }
    /// <summary>N for <see cref="RequiredAcks.Count"/> (per group); 1 otherwise.</summary>
    public int RequiredCount { get; private set; } = 1;
    /// <summary>Re-sends to the unconfirmed before the level's timeout runs (0: none).</summary>
    public int Repeats { get; private set; }
    public int RepeatIntervalSeconds { get; private set; }

    public IReadOnlyList<int> Employees => Ids(EmployeeIds);
    public IReadOnlyList<int> Groups => Ids(GroupIds);
    public IReadOnlyList<int> Rosters => Ids(RosterIds);

    /// <summary>How long to wait after a send at this level, <paramref name="repeatsDone"/> re-sends in: the repeat interval while repeats remain, else the timeout.</summary>
    public TimeSpan WaitAfterSend(int repeatsDone) =>
        TimeSpan.FromSeconds(repeatsDone < Repeats ? RepeatIntervalSeconds : TimeoutSeconds);

    internal static IReadOnlyList<int> Ids(string value) =>
        value.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(s => int.Parse(s, System.Globalization.CultureInfo.InvariantCulture)).ToList();
}
