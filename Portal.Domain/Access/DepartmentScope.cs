namespace Portal.Domain.Access;

/// <summary>
/// Whose audiences (saved segments, static lists) a user works with (issue 5): administrators all of
/// them; everyone else their own department's plus the shared ones, which belong to no department.
/// </summary>
public sealed record DepartmentScope(bool All, int? DepartmentId)
{
    public static DepartmentScope Everything { get; } = new(true, null);

    /// <summary>A user of <paramref name="departmentId"/> (null: a user without a department sees the shared ones only).</summary>
    public static DepartmentScope Of(int? departmentId) => new(false, departmentId);

    public bool Allows(int? ownerDepartmentId) => All || ownerDepartmentId is null || ownerDepartmentId == DepartmentId;

    /// <summary>What something new belongs to: the user's department (an administrator without one makes shared ones).</summary>
    public int? NewItemsDepartment => DepartmentId;
}
