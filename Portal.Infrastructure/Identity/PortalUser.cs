using Microsoft.AspNetCore.Identity;

namespace Portal.Infrastructure.Identity;

/// <summary>An employee who signs in to Portal. Email is the user name.</summary>
public sealed class PortalUser : IdentityUser
{
    public string DisplayName { get; set; } = "";
    public int? DepartmentId { get; set; }
    /// <summary>A disabled user cannot sign in and loses open sessions within a minute.</summary>
    public bool IsDisabled { get; set; }
    public DateTime CreatedAt { get; set; }
    /// <summary>Issue 18: the user works in their training sandbox (synthetic clients, simulator only) until they leave it.</summary>
    public bool SandboxMode { get; set; }
}
