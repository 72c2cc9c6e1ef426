using System.ComponentModel.DataAnnotations;

namespace Portal.Identity;

/// <summary>The <c>Identity</c> configuration section.</summary>
public sealed class IdentitySettings
{
    public const string Section = "Identity";

    /// <summary>
    /// How often open sessions (cookies and Blazor circuits) are re-checked against the user
    /// store. Issue 2: a disabled user loses access within a minute.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "3650.00:00:00", ErrorMessage = "{0} must be a positive time span.")]
    public TimeSpan RevalidationInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A session unused this long ends (sliding: each request renews it).</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "3650.00:00:00", ErrorMessage = "{0} must be a positive time span.")]
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromHours(10);

    /// <summary>
    /// Issue 14 (ASVS V7.3.2): however active, a session ends this long after the password was
    /// entered. Cookies and open Blazor circuits are both checked.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "3650.00:00:00", ErrorMessage = "{0} must be a positive time span.")]
    public TimeSpan AbsoluteSessionLifetime { get; set; } = TimeSpan.FromHours(12);

    /// <summary>The issuer shown in the user's authenticator app next to their email.</summary>
    [Required]
    public string AuthenticatorIssuer { get; set; } = "Portal";
}
