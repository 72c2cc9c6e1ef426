namespace Portal.Domain.Access;

/// <summary>The roles of DESIGN.md. Names are stored in the database: never rename one.</summary>
public static class Roles
{
    public const string Administrator = nameof(Administrator);
    public const string CampaignManager = nameof(CampaignManager);
    public const string Manager = nameof(Manager);
    public const string Analyst = nameof(Analyst);
    public const string Trainer = nameof(Trainer);
    public const string Auditor = nameof(Auditor);
    /// <summary>Issue 17: may raise and close employee alerts (on-call leads, security officers).</summary>
    public const string AlertInitiator = nameof(AlertInitiator);

    public static IReadOnlyList<string> All { get; } =
        [Administrator, CampaignManager, Manager, Analyst, Trainer, Auditor, AlertInitiator];

    /// <summary>Roles that may see phone numbers and names unmasked (152-FZ / GDPR: need to know).</summary>
    public static IReadOnlyList<string> WithPersonalData { get; } = [Administrator, CampaignManager];

    public static bool SeesPersonalData(IEnumerable<string> roles) => roles.Any(WithPersonalData.Contains);
}
