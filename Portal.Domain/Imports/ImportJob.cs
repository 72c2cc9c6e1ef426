using Portal.Domain.Common;

namespace Portal.Domain.Imports;

public enum ImportStatus
{
    Pending = 0,
    Running = 1,
    Completed = 2,
    /// <summary>Nothing was applied: an all-or-nothing import met a bad row, or the import crashed.</summary>
    Failed = 3,
    /// <summary>Nothing was applied: stopped by the user.</summary>
    Cancelled = 4,
}

public enum ImportMode
{
    /// <summary>Any bad row rejects the whole file.</summary>
    AllOrNothing = 1,
    /// <summary>Bad rows are reported and skipped; the valid rows are applied.</summary>
    ValidRowsOnly = 2,
}

public enum ImportMatch
{
    /// <summary>Upsert by the CRM's id; phone may change.</summary>
    ExternalId = 1,
    /// <summary>Upsert by phone number.</summary>
    Phone = 2,
}

/// <summary>One file import: what was asked, how far it got, what it did. Applied in one transaction or not at all.</summary>
public sealed class ImportJob
{
    private ImportJob() { }

    public ImportJob(string fileName, ImportMode mode, ImportMatch match, string mappingJson, string createdBy, DateTime at)
    {
        FileName = fileName.Length > 255 ? fileName[..255] : fileName;
        Mode = mode;
        Match = match;
        MappingJson = mappingJson;
        CreatedBy = createdBy;
        CreatedAt = at;
    }

    public int Id { get; private set; }
    public string FileName { get; private set; } = "";
    public ImportMode Mode { get; private set; }
    public ImportMatch Match { get; private set; }
    public string MappingJson { get; private set; } = "{}";
    public ImportStatus Status { get; private set; }
    public int TotalRows { get; private set; }
    public int Inserted { get; private set; }
    public int Updated { get; private set; }
    public int Rejected { get; private set; }
    public string? Error { get; private set; }
    public string CreatedBy { get; private set; } = "";
    public DateTime CreatedAt { get; private set; }
    public DateTime? StartedAt { get; private set; }
    public DateTime? FinishedAt { get; private set; }

    public void Start(DateTime at)
    {
        if (Status != ImportStatus.Pending)
        {
            throw new DomainException("Only a pending import can start; this one is {0}.", Status);
        }
        Status = ImportStatus.Running;
        StartedAt = at;
    }

    public void Complete(int total, int inserted, int updated, int rejected, DateTime at)
    {
        EnsureRunning();
        (TotalRows, Inserted, Updated, Rejected) = (total, inserted, updated, rejected);
        Status = ImportStatus.Completed;
        FinishedAt = at;
    }

    /// <summary>Nothing was applied.</summary>
    public void Fail(int total, int rejected, string error, DateTime at)
    {
        EnsureRunning();
        (TotalRows, Rejected, Inserted, Updated) = (total, rejected, 0, 0);
        Error = error.Length > 1000 ? error[..1000] : error;
        Status = ImportStatus.Failed;
        FinishedAt = at;
    }

    public void Cancel(DateTime at)
    {
        EnsureRunning();
        (Inserted, Updated) = (0, 0);
        Status = ImportStatus.Cancelled;
        FinishedAt = at;
    }

    private void EnsureRunning()
    {
        if (Status != ImportStatus.Running)
        {
            throw new DomainException("This import is {0}, not running.", Status);
        }
    }
}

/// <summary>Why one row of an import was rejected. The cell's value is not kept: it may be personal data.</summary>
public sealed class ImportRowError
{
    private ImportRowError() { }

    public ImportRowError(int importJobId, int row, string? column, string reason)
    {
        ImportJobId = importJobId;
        Row = row;
        Column = column;
        Reason = reason.Length > 500 ? reason[..500] : reason;
    }

    public long Id { get; private set; }
    public int ImportJobId { get; private set; }
    /// <summary>1-based data row number as a spreadsheet shows it (the header is row 1).</summary>
    public int Row { get; private set; }
    public string? Column { get; private set; }
    public string Reason { get; private set; } = "";
}
