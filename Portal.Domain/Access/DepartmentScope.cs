using Portal.Domain.Common;

namespace Portal.Domain.Access;

/// <summary>
/// Whose audiences (saved segments, static lists) a user works with (issue 5): administrators all of
/// them; everyone else their own department's plus the shared ones, which belong to no department.
/// </summary>
/// <remarks>
/// Issue 18: the scope also names the partition the user works in. <see cref="SandboxOwnerId"/> is
/// null for real data and the user's own id while they are in their training sandbox; every store
/// that takes a scope reads and writes that partition only (ADR 0015), so the real editors' save
/// paths write sandbox rows in the sandbox and never move a row between partitions.
/// </remarks>
public sealed record DepartmentScope(bool All, int? DepartmentId)
{
    public static DepartmentScope Everything { get; } = new(true, null);

    /// <summary>The trainee whose sandbox this user works in (their own id), or null for real data.</summary>
    public string? SandboxOwnerId { get; init; }

    public bool InSandbox => SandboxOwnerId is not null;

    /// <summary>The same scope inside <paramref name="ownerId"/>'s training sandbox.</summary>
    public DepartmentScope InSandboxOf(string ownerId) => this with { SandboxOwnerId = Sandbox.SandboxPartition.Owner(ownerId) };

    /// <summary>Whether a row of partition <paramref name="rowSandboxOwnerId"/> is this user's to read or change.</summary>
    public bool InPartition(string? rowSandboxOwnerId) => string.Equals(rowSandboxOwnerId, SandboxOwnerId, StringComparison.Ordinal);

    /// <summary>
    /// Throws the clear error for a row of the other partition (a real row from the sandbox, a sandbox
    /// row outside it, or another trainee's).
    /// </summary>
    /// <exception cref="DomainException">The row is not in this user's partition.</exception>
    public void CheckPartition(string? rowSandboxOwnerId)
    {
        if (InPartition(rowSandboxOwnerId)) return;
        throw InSandbox
            ? new DomainException("This item is real data: it cannot be opened or changed from the training sandbox.")
            : new DomainException("This item belongs to a training sandbox: it cannot be opened or changed outside it.");
    }

    /// <summary>A user of <paramref name="departmentId"/> (null: a user without a department sees the shared ones only).</summary>
    public static DepartmentScope Of(int? departmentId) => new(false, departmentId);

    public bool Allows(int? ownerDepartmentId) => All || ownerDepartmentId is null || ownerDepartmentId == DepartmentId;

    /// <summary>What something new belongs to: the user's department (an administrator without one makes shared ones).</summary>
    public int? NewItemsDepartment => DepartmentId;
}
