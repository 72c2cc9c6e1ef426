using Portal.Domain.Audit;

namespace Portal.Components.Pages.Audit;

/// <summary>
/// What the audit log shows for an action: the stored code (<c>auth.sign-in</c>) stays as it is, for
/// the export, the hash chain and anyone filtering by it; the page shows a phrase, translated like
/// every other text (issue 20, item 11). A code without a phrase is shown as stored.
/// </summary>
public static class AuditActionNames
{
    /// <summary>Code to English phrase (the resource key of its translation).</summary>
    public static readonly IReadOnlyDictionary<string, string> Phrases = new Dictionary<string, string>
    {
        ["auth.sign-in"] = "Signed in",
        ["auth.sign-in-failed"] = "Sign-in failed",
        ["auth.locked-out"] = "Account locked out",
        ["auth.sign-out"] = "Signed out",
        ["auth.mfa-enabled"] = "Two-factor sign-in turned on",
        ["auth.recovery-codes-renewed"] = "Recovery codes renewed",
        ["auth.recovery-code-used"] = "Recovery code used",
        ["auth.password-changed"] = "Password changed",
        ["user.created"] = "User created",
        ["user.updated"] = "User changed",
        ["user.disabled"] = "User disabled",
        ["user.enabled"] = "User enabled",
        ["personal-data.read"] = "Personal data viewed",
        ["personal-data.exported"] = "Personal data exported",
        ["client.erased"] = "Client's personal data erased",
        ["client.opted-out"] = "Client opted out",
        ["client.opted-in"] = "Client opted back in",
        ["auto-reply.saved"] = "Auto-reply rule saved",
        ["clients.imported"] = "Clients imported",
        ["api-key.created"] = "API key created",
        ["api-key.revoked"] = "API key revoked",
        ["api-key.messaging-changed"] = "API key's messaging settings changed",
        ["message.text-viewed"] = "Message text viewed",
        ["sync-source.created"] = "Sync source created",
        ["sync-source.changed"] = "Sync source changed",
        ["sync-source.deleted"] = "Sync source deleted",
        ["campaign.scheduled"] = "Campaign scheduled",
        ["campaign.draft-saved"] = "Campaign draft saved",
        ["sandbox.entered"] = "Training sandbox entered",
        ["sandbox.left"] = "Training sandbox left",
        ["sandbox.reset"] = "Training sandbox reset",
        ["sandbox.campaign-sent"] = "Sandbox campaign sent",
        ["campaign.approved"] = "Campaign approved",
        ["campaign.launched"] = "Campaign launched",
        ["campaign.paused"] = "Campaign paused",
        ["campaign.resumed"] = "Campaign resumed",
        ["campaign.cancelled"] = "Campaign cancelled",
        ["campaign.test-sent"] = "Test message sent",
        ["campaign.launch-refused"] = "Campaign launch refused",
        ["template.saved"] = "Template saved",
        ["access.refused"] = "Access refused",
        ["provider.created"] = "Provider added",
        ["provider.changed"] = "Provider changed",
        ["provider.price-list-imported"] = "Price list imported",
        ["provider.route-lookup"] = "Route looked up",
        ["audit.exported"] = "Audit log exported",
        ["audit.purged"] = "Old audit entries purged",
        ["retention.run"] = "Retention clean-up run",
        ["staff.employee-saved"] = "Employee saved",
        ["staff.employees-imported"] = "Employees imported",
        ["staff.group-saved"] = "Staff group saved",
        ["staff.chain-saved"] = "Escalation chain saved",
        ["staff.chain-deleted"] = "Escalation chain deleted",
        ["staff.roster-saved"] = "On-call roster saved",
        ["alert.raised"] = "Alert raised",
        ["alert.acknowledged"] = "Alert acknowledged",
        ["alert.escalated"] = "Alert escalated",
        ["alert.exhausted"] = "Alert escalation exhausted",
        ["alert.closed"] = "Alert closed",
        ["queue.dead-letters-replayed"] = "Dead letters replayed",
        ["bi.export"] = "BI export written",
        ["bi.export.personal"] = "BI export with personal data written",
        ["bi.reconcile"] = "BI figures reconciled",
    };

    /// <summary>Every code the filter offers: the <see cref="AuditActions"/> constants and the few defined next to their feature.</summary>
    public static IReadOnlyList<string> Codes { get; } = typeof(AuditActions).GetFields()
        .Select(f => (string)f.GetValue(null)!).Concat(Phrases.Keys).Distinct().Order().ToArray();

    /// <summary>The kind of object an entry is about (a type name when stored) to an English noun.</summary>
    public static readonly IReadOnlyDictionary<string, string> Objects = new Dictionary<string, string>
    {
        ["Alert"] = "Alert",
        ["AuditEntry"] = "Audit log",
        ["EscalationChain"] = "Escalation chain",
        ["Client"] = "Client",
        ["Employee"] = "Employee",
        ["EmployeeGroup"] = "Staff group",
        ["RetentionRun"] = "Retention clean-up",
        ["OnCallRoster"] = "On-call roster",
        ["Campaign"] = "Campaign",
        ["ImportJob"] = "Import",
        ["Message"] = "Message",
        ["MessageTemplate"] = "Template",
        ["Phone"] = "Phone",
        ["Queue"] = "Queue",
        ["Segment"] = "Audience",
        ["SmsProvider"] = "Provider",
        ["User"] = "User",
        ["ApiKey"] = "API key",
        ["AutoReplyRule"] = "Auto-reply rule",
        ["BiExport"] = "BI export",
        ["BiExportDefinition"] = "BI export definition",
        ["InboundMessage"] = "Incoming message",
        ["SyncSource"] = "Sync source",
    };

    public static string? EnglishObject(string? type) => type is null ? null : Objects.TryGetValue(type, out var noun) ? noun : type;

    public static string English(string code) => Phrases.TryGetValue(code, out var phrase) ? phrase : code;
}
