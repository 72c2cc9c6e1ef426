namespace Portal.Identity;

/// <summary>The <c>Identity</c> configuration section.</summary>
public sealed class IdentitySettings
{
    public const string Section = "Identity";

    /// <summary>
    /// How often open sessions (cookies and Blazor circuits) are re-checked against the user
    /// store. Issue 2: a disabled user loses access within a minute.
    /// </summary>
    public TimeSpan RevalidationInterval { get; set; } = TimeSpan.FromSeconds(30);
}
