namespace Portal.Domain.Audit;

/// <summary>
/// Who did what, when. Append-only. Reads and exports of personal data are recorded too
/// (152-FZ art. 19, GDPR art. 30). Details never contain phone numbers or names.
/// </summary>
public sealed class AuditEntry
{
    private AuditEntry() { }

    public AuditEntry(DateTime at, string? userId, string? userName, string action, string? entityType = null, string? entityId = null, string? details = null)
    {
        At = at;
        UserId = userId;
        UserName = userName;
        Action = action;
        EntityType = entityType;
        EntityId = entityId;
        Details = details;
    }

    public long Id { get; private set; }
    public DateTime At { get; private set; }
    public string? UserId { get; private set; }
    public string? UserName { get; private set; }
    /// <summary>A dotted verb from <see cref="AuditActions"/>.</summary>
    public string Action { get; private set; } = "";
    public string? EntityType { get; private set; }
    public string? EntityId { get; private set; }
    public string? Details { get; private set; }

    /// <summary>
    /// Position in the hash chain, set by the database's insert trigger (issue 14), never by code:
    /// the chain order is the commit order across all nodes.
    /// </summary>
    public long? ChainSeq { get; private set; }
    /// <summary>The previous entry's <see cref="Hash"/> (empty for the first), set by the trigger.</summary>
    public string? PrevHash { get; private set; }
    /// <summary>SHA-256 (hex) of <see cref="PrevHash"/> and this entry's content, set by the trigger.</summary>
    public string? Hash { get; private set; }
}

public static class AuditActions
{
    public const string DeadLettersReplayed = "queue.dead-letters-replayed";
    public const string SignIn = "auth.sign-in";
    public const string SignInFailed = "auth.sign-in-failed";
    public const string LockedOut = "auth.locked-out";
    public const string SignOut = "auth.sign-out";
    public const string UserCreated = "user.created";
    public const string UserUpdated = "user.updated";
    public const string UserDisabled = "user.disabled";
    public const string UserEnabled = "user.enabled";
    public const string PersonalDataRead = "personal-data.read";
    public const string PersonalDataExported = "personal-data.exported";
    public const string ClientErased = "client.erased";
    public const string ClientOptedOut = "client.opted-out";
    public const string ClientOptedIn = "client.opted-in";
    public const string AutoReplyRuleSaved = "auto-reply.saved";
    public const string ClientsImported = "clients.imported";
    public const string ApiKeyCreated = "api-key.created";
    public const string ApiKeyRevoked = "api-key.revoked";
    public const string ApiKeyMessagingChanged = "api-key.messaging-changed";
    /// <summary>Text of a message as sent, read on the client card (issue 19).</summary>
    public const string MessageTextViewed = "message.text-viewed";
    public const string SyncSourceCreated = "sync-source.created";
    public const string SyncSourceChanged = "sync-source.changed";
    public const string SyncSourceDeleted = "sync-source.deleted";
    public const string CampaignScheduled = "campaign.scheduled";
    /// <summary>Issue 18: a user entered or left their training sandbox.</summary>
    public const string SandboxEntered = "sandbox.entered";
    public const string SandboxLeft = "sandbox.left";
    /// <summary>Issue 18: a trainer reset a trainee's sandbox (their sandbox rows deleted, synthetic clients made again).</summary>
    public const string SandboxReset = "sandbox.reset";
    public const string SandboxCampaignSent = "sandbox.campaign-sent";
    public const string CampaignApproved = "campaign.approved";
    public const string CampaignLaunched = "campaign.launched";
    public const string CampaignPaused = "campaign.paused";
    public const string CampaignResumed = "campaign.resumed";
    public const string CampaignCancelled = "campaign.cancelled";
    public const string CampaignTestSent = "campaign.test-sent";
    /// <summary>Issue 14: the audience's rules, size or cost changed after approval; the campaign went back to Draft.</summary>
    public const string CampaignLaunchRefused = "campaign.launch-refused";
    /// <summary>Issue 14: a template's name or text changed (who, which template, which version).</summary>
    public const string TemplateSaved = "template.saved";
    /// <summary>Issue 14: an id-based read or change of another department's item was refused.</summary>
    public const string AccessRefused = "access.refused";
    public const string ProviderCreated = "provider.created";
    public const string ProviderChanged = "provider.changed";
    public const string PriceListImported = "provider.price-list-imported";
    public const string RouteLookup = "provider.route-lookup";
    public const string AuditExported = "audit.exported";
    public const string AuditPurged = "audit.purged";
    public const string RetentionRun = "retention.run";
    /// <summary>Issue 17: staff directory and alerts.</summary>
    public const string EmployeeSaved = "staff.employee-saved";
    public const string EmployeesImported = "staff.employees-imported";
    public const string GroupSaved = "staff.group-saved";
    public const string ChainSaved = "staff.chain-saved";
    public const string ChainDeleted = "staff.chain-deleted";
    public const string RosterSaved = "staff.roster-saved";
    public const string AlertRaised = "alert.raised";
    public const string AlertAcknowledged = "alert.acknowledged";
    public const string AlertEscalated = "alert.escalated";
    public const string AlertExhausted = "alert.exhausted";
    public const string AlertClosed = "alert.closed";
}
