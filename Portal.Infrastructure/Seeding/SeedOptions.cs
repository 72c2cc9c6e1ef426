using System.ComponentModel.DataAnnotations;

namespace Portal.Infrastructure.Seeding;

/// <summary>The <c>Seed</c> configuration section: what a new, empty database is given.</summary>
public sealed class SeedOptions
{
    public const string Section = "Seed";

    /// <summary>Seed departments, one user per role and demo clients into an empty database.</summary>
    public bool DemoData { get; set; } = true;

    [Range(0, 10000000)]
    public int DemoClients { get; set; } = 10_000;

    /// <summary>With the demo data, a few weeks of past campaigns with control groups and a planted effect (issue 15).</summary>
    public bool DemoHistory { get; set; } = true;

    [Required, EmailAddress]
    public string AdminEmail { get; set; } = "admin@portal.local";

    /// <summary>When empty, a random password is generated and printed once.</summary>
    public string? AdminPassword { get; set; }
}
