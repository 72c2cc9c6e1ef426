using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Portal.Domain.Access;

namespace Portal.Identity;

/// <summary>Authorization policies; pages use these names, never role lists of their own.</summary>
public static class Policies
{
    public const string Administration = nameof(Administration);
    public const string AuditTrail = nameof(AuditTrail);
    public const string PersonalData = nameof(PersonalData);
    public const string Audiences = nameof(Audiences);
    public const string Campaigns = nameof(Campaigns);
    public const string Dashboard = nameof(Dashboard);
    public const string Clients = nameof(Clients);
    public const string Analytics = nameof(Analytics);
    public const string BiExports = nameof(BiExports);
    public const string Finance = nameof(Finance);
    public const string Training = nameof(Training);
    public const string AlertsView = nameof(AlertsView);
    public const string AlertsRaise = nameof(AlertsRaise);
    public const string StaffDirectory = nameof(StaffDirectory);

    public static void Configure(AuthorizationOptions options)
    {
        options.AddPolicy(Administration, p => p.RequireRole(Roles.Administrator));
        options.AddPolicy(AuditTrail, p => p.RequireRole(Roles.Administrator, Roles.Auditor));
        options.AddPolicy(PersonalData, p => p.RequireRole([.. Roles.WithPersonalData]));
        options.AddPolicy(Audiences, p => p.RequireRole(Roles.Administrator, Roles.CampaignManager, Roles.Manager, Roles.Analyst));
        options.AddPolicy(Campaigns, p => p.RequireRole(Roles.Administrator, Roles.CampaignManager, Roles.Manager));
        // Issue 14: the client base is browsed by those who build audiences and run campaigns (the masked
        // ones through masks). A Trainer teaches the product on demo data and an Auditor reads the audit
        // log: neither needs a client's record, so neither browses the base (need to know, 152-FZ art. 19).
        options.AddPolicy(Clients, p => p.RequireRole(Roles.Administrator, Roles.CampaignManager, Roles.Manager, Roles.Analyst));
        // Issue 8: the live dashboard is for Managers and above.
        options.AddPolicy(Dashboard, p => p.RequireRole(Roles.Administrator, Roles.Manager));
        // Issue 15: campaign results and the across-campaigns report, read-only for Analysts and Managers.
        options.AddPolicy(Analytics, p => p.RequireRole(Roles.Administrator, Roles.CampaignManager, Roles.Manager, Roles.Analyst));
        // Issue 16: exports for the BI system and finance's cost reports and reconciliation.
        options.AddPolicy(BiExports, p => p.RequireRole(Roles.Administrator, Roles.Manager, Roles.Analyst));
        options.AddPolicy(Finance, p => p.RequireRole(Roles.Administrator, Roles.Manager, Roles.Analyst));
        // Issue 18: tours, their assignment and the progress report are the Trainer's (and an Administrator's).
        options.AddPolicy(Training, p => p.RequireRole(Roles.Administrator, Roles.Trainer));
        // Issue 17: alert initiators raise and close alerts, Managers see all alerts, Administrators
        // manage the staff directory and escalation chains.
        options.AddPolicy(AlertsView, p => p.RequireRole(Roles.Administrator, Roles.Manager, Roles.AlertInitiator));
        options.AddPolicy(AlertsRaise, p => p.RequireRole(Roles.Administrator, Roles.AlertInitiator));
        options.AddPolicy(StaffDirectory, p => p.RequireRole(Roles.Administrator));
    }

    /// <summary>Whether pages show this user phones and names unmasked (the rule behind <see cref="PersonalData"/>).</summary>
    public static bool SeesPersonalData(this ClaimsPrincipal user) => Roles.WithPersonalData.Any(user.IsInRole);
}
