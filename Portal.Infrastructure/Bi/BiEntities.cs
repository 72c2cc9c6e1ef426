using Portal.Domain.Common;

namespace Portal.Infrastructure.Bi;

/// <summary>A secret of the BI feature (the pseudonym key), encrypted with Data Protection.</summary>
public sealed class BiSecret
{
    private BiSecret() { }

    public BiSecret(string name, string protectedValue)
    {
        Name = name;
        ProtectedValue = protectedValue;
    }

    public string Name { get; private set; } = "";
    public string ProtectedValue { get; private set; } = "";
}

public enum BiExportStatus
{
    Running = 0,
    Succeeded = 1,
    Failed = 2,
    Cancelled = 3,
}

/// <summary>
/// One export: from the UI (who, when, what, rows) or a run of a scheduled <see cref="BiExportDefinition"/>.
/// The same facts go to the audit log; this table is the history the export page lists.
/// </summary>
public sealed class BiExport
{
    private BiExport() { }

    public BiExport(string dataset, BiFormat format, BiFilter filter, bool personal, string requestedBy, DateTime at, int? definitionId = null, int attempt = 1,
        DateTime? firingAt = null)
    {
        FiringAt = firingAt;
        Dataset = dataset;
        Format = format;
        From = filter.From;
        To = filter.To;
        DepartmentId = filter.DepartmentId;
        CampaignId = filter.CampaignId;
        Personal = personal;
        RequestedBy = requestedBy;
        StartedAt = at;
        DefinitionId = definitionId;
        Attempt = attempt;
    }

    public long Id { get; private set; }
    public int? DefinitionId { get; private set; }
    public int Attempt { get; private set; }
    /// <summary>
    /// The cron time (whole seconds, UTC) of the scheduled firing this run belongs to; null for a
    /// UI export or "run now". Unique per definition and attempt: on several nodes a firing runs once.
    /// </summary>
    public DateTime? FiringAt { get; private set; }
    public string Dataset { get; private set; } = "";
    public BiFormat Format { get; private set; }
    public DateTime? From { get; private set; }
    public DateTime? To { get; private set; }
    public int? DepartmentId { get; private set; }
    public int? CampaignId { get; private set; }
    public bool Personal { get; private set; }
    public string RequestedBy { get; private set; } = "";
    public DateTime StartedAt { get; private set; }
    public DateTime? FinishedAt { get; private set; }
    public BiExportStatus Status { get; private set; }
    public long Rows { get; private set; }
    public long Bytes { get; private set; }
    public string? Sha256 { get; private set; }
    /// <summary>The file under the export folder (UI) or where it was delivered (scheduled).</summary>
    public string? Location { get; private set; }
    public string? Error { get; private set; }

    public BiFilter Filter => new(From, To, DepartmentId, CampaignId);

    public void Succeed(long rows, long bytes, string sha256, string location, DateTime at)
    {
        if (Status != BiExportStatus.Running) throw new DomainException("The export has already finished.");
        (Status, Rows, Bytes, Sha256, Location, FinishedAt) = (BiExportStatus.Succeeded, rows, bytes, sha256, location, at);
    }

    public void Fail(BiExportStatus status, long rows, string error, DateTime at)
    {
        if (Status != BiExportStatus.Running) throw new DomainException("The export has already finished.");
        if (status is not (BiExportStatus.Failed or BiExportStatus.Cancelled)) throw new DomainException("A failure is Failed or Cancelled.");
        (Status, Rows, Error, FinishedAt) = (status, rows, error.Length > 1000 ? error[..1000] : error, at);
    }
}

public enum BiTargetKind
{
    Folder = 0,
    HttpPut = 1,
}

/// <summary>A scheduled export: a dataset, a format, a cron and where it goes.</summary>
public sealed class BiExportDefinition
{
    private BiExportDefinition() { }

    public BiExportDefinition(string name, string dataset, BiFormat format, string cron, BiTargetKind target, string destination,
        int periodDays, int? departmentId, int? campaignId, string createdBy, DateTime at)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Length > 200) throw new DomainException("A name is 1 to 200 characters.");
        if (BiDatasets.Find(dataset) is null) throw new DomainException("Unknown dataset.");
        if (string.IsNullOrWhiteSpace(cron) || !Quartz.CronExpression.TryParse(cron.Trim(), out var parsed) || parsed is null) throw new DomainException("The schedule is not a valid cron expression.");
        if (periodDays is < 1 or > 366) throw new DomainException("The period is 1 to 366 days.");
        if (target == BiTargetKind.HttpPut && !(Uri.TryCreate(destination, UriKind.Absolute, out var u) && u.Scheme is "http" or "https"))
        {
            throw new DomainException("The target is an http(s) URL.");
        }
        if (target == BiTargetKind.Folder && string.IsNullOrWhiteSpace(destination)) throw new DomainException("Choose a folder.");
        Name = name.Trim();
        Dataset = BiDatasets.Find(dataset)!.Name;
        Format = format;
        Cron = cron.Trim();
        Target = target;
        Destination = destination.Trim();
        PeriodDays = periodDays;
        DepartmentId = departmentId;
        CampaignId = campaignId;
        CreatedBy = createdBy;
        CreatedAt = at;
        Enabled = true;
    }

    public int Id { get; private set; }
    public string Name { get; private set; } = "";
    public string Dataset { get; private set; } = "";
    public BiFormat Format { get; private set; }
    /// <summary>Quartz cron (seconds first), e.g. "0 0 2 * * ?" for 02:00 every night.</summary>
    public string Cron { get; private set; } = "";
    public BiTargetKind Target { get; private set; }
    /// <summary>A folder (relative to Bi:ScheduledRoot) or an http(s) URL.</summary>
    public string Destination { get; private set; } = "";
    /// <summary>Each run exports the last N whole UTC days.</summary>
    public int PeriodDays { get; private set; }
    public int? DepartmentId { get; private set; }
    public int? CampaignId { get; private set; }
    public string CreatedBy { get; private set; } = "";
    public DateTime CreatedAt { get; private set; }
    public bool Enabled { get; set; }
}
