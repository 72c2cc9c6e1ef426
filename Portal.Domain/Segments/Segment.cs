using Portal.Domain.Common;

namespace Portal.Domain.Segments;

/// <summary>
/// A saved audience: a rule tree stored as versioned JSON. The rule language and its compiler
/// arrive with the audience builder; the row shape is fixed here.
/// </summary>
public sealed class Segment
{
    private Segment() { }

    public Segment(string name, int? departmentId, string rulesJson, string createdBy, DateTime at)
    {
        Rename(name);
        DepartmentId = departmentId;
        RulesJson = rulesJson;
        CreatedBy = createdBy;
        CreatedAt = UpdatedAt = at;
    }

    public int Id { get; private set; }
    public string Name { get; private set; } = "";
    public int? DepartmentId { get; private set; }
    public string RulesJson { get; private set; } = "{}";
    /// <summary>Bumped on every rule change, so a campaign can record which audience it sent to.</summary>
    public int Version { get; private set; } = 1;
    public string CreatedBy { get; private set; } = "";
    public DateTime CreatedAt { get; private set; }
    public DateTime UpdatedAt { get; private set; }
    /// <summary>The trainee whose training sandbox holds this row; null for real data (issue 18, <see cref="Portal.Domain.Sandbox.SandboxPartition"/>).</summary>
    public string? SandboxOwnerId { get; private set; }

    /// <summary>Places a new row in a trainee's sandbox (never moves real data there: only before it is saved).</summary>
    public void PlaceInSandbox(string ownerId) => SandboxOwnerId = Portal.Domain.Sandbox.SandboxPartition.OwnerOfNewRow(Id, ownerId);


    public void Rename(string name)
    {
        Name = TypedName.Within(name, 200) ?? throw new DomainException("A segment name is 1 to 200 characters.");
    }

    public void ChangeRules(string rulesJson, DateTime at)
    {
        RulesJson = rulesJson;
        Version++;
        UpdatedAt = at;
    }
}
