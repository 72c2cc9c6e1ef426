namespace Portal.Domain.Retention;

/// <summary>
/// One run of the retention job (issue 14, 152-FZ art. 5 part 7 and art. 21 part 4): what it
/// removed or blanked and up to when, kept as the report administrators and auditors read.
/// Counts only, never the data itself.
/// </summary>
public sealed class RetentionRun
{
    private RetentionRun() { }

    public RetentionRun(DateTime startedAt) => StartedAt = startedAt;

    public long Id { get; private set; }
    public DateTime StartedAt { get; private set; }
    public DateTime? FinishedAt { get; private set; }
    public bool Succeeded { get; private set; }
    /// <summary>What stopped the run (the counts before it are still true), without personal data.</summary>
    public string? Error { get; private set; }
    /// <summary>Messages whose phone number was blanked (older than the message retention).</summary>
    public long MessagePhones { get; set; }
    /// <summary>Replies whose sender and text were blanked.</summary>
    public long InboundTexts { get; set; }
    /// <summary>Import row errors deleted.</summary>
    public long ImportErrors { get; set; }
    /// <summary>Sync run errors blanked.</summary>
    public long SyncErrors { get; set; }
    /// <summary>Dead letters deleted from the message bus.</summary>
    public long DeadLetters { get; set; }
    /// <summary>Audit entries deleted after their legal period.</summary>
    public long AuditEntries { get; set; }
    /// <summary>UI export files removed from the export folder (past their days, personal ones past their hours).</summary>
    public long ExportFiles { get; set; }

    public void Finish(DateTime at, string? error)
    {
        FinishedAt = at;
        Succeeded = error is null;
        Error = error is { Length: > 1000 } ? error[..1000] : error;
    }
}
