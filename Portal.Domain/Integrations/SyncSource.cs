using System.Text.Json;
using Portal.Domain.Common;

namespace Portal.Domain.Integrations;

public enum SyncSourceKind
{
    /// <summary>A PostgreSQL database and a SQL query.</summary>
    Postgres = 1,
    /// <summary>An HTTP endpoint returning a JSON array.</summary>
    HttpJson = 2,
}

public enum SyncTarget
{
    Clients = 1,
    Events = 2,
    /// <summary>The staff directory (issue 17): an HR or directory database's people, matched on the phone.</summary>
    Employees = 3,
}

/// <summary>
/// Another system Portal pulls clients or events from on a schedule, incrementally: only rows
/// whose watermark column is past the last value seen.
/// </summary>
public sealed class SyncSource
{
    private SyncSource() { }

    public SyncSource(string name, SyncSourceKind kind, SyncTarget target, string location, string query, string watermarkColumn, string cron, string mappingJson)
    {
        Name = TypedName.Within(name, 100) ?? throw new DomainException("A source's name is 1 to 100 characters.");
        Kind = kind;
        Target = target;
        Location = location;
        Query = query;
        WatermarkColumn = watermarkColumn;
        Cron = cron;
        MappingJson = mappingJson;
    }

    public int Id { get; private set; }
    public string Name { get; private set; } = "";

    public void Rename(string name)
    {
        Name = TypedName.Within(name, 100) ?? throw new DomainException("A source's name is 1 to 100 characters.");
    }
    public SyncSourceKind Kind { get; private set; }
    public SyncTarget Target { get; private set; }
    /// <summary>Connection string (encrypted at rest) or URL.</summary>
    public string Location { get; set; } = "";
    /// <summary>SQL with a <c>@watermark</c> parameter, or unused for HTTP.</summary>
    public string Query { get; set; } = "";
    public string WatermarkColumn { get; set; } = "";
    /// <summary>The last watermark value applied, as invariant text.</summary>
    public string? Watermark { get; set; }
    /// <summary>Quartz cron expression.</summary>
    public string Cron { get; set; } = "";
    /// <summary>Source column → Portal field.</summary>
    public string MappingJson { get; set; } = "{}";
    public bool Enabled { get; set; } = true;

    public const int DefaultOverlapMinutes = 5;
    public const int MaxOverlapMinutes = 24 * 60;

    /// <summary>
    /// Issue 20: each run re-reads the rows of the last this-many minutes before the watermark, so a
    /// row committed late with an older timestamp is still picked up. Safe because applying a row
    /// twice changes nothing: clients are upserted by external id, events deduplicated by their
    /// event id (an event source without a mapped event id reads no overlap). Only a date-time
    /// watermark is moved back; a numeric one is used as it is.
    /// </summary>
    public int OverlapMinutes { get; private set; } = DefaultOverlapMinutes;

    /// <exception cref="DomainException">Outside 0 to <see cref="MaxOverlapMinutes"/>.</exception>
    public void SetOverlap(int minutes)
    {
        if (minutes is < 0 or > MaxOverlapMinutes)
        {
            throw new DomainException("The overlap is 0 to {0} minutes.", MaxOverlapMinutes);
        }
        OverlapMinutes = minutes;
    }
}

/// <summary>One run of a <see cref="SyncSource"/>.</summary>
public sealed class SyncRun
{
    private SyncRun() { }

    public SyncRun(int sourceId, DateTime startedAt)
    {
        SourceId = sourceId;
        StartedAt = startedAt;
    }

    public long Id { get; private set; }
    public int SourceId { get; private set; }
    public DateTime StartedAt { get; private set; }
    public DateTime? FinishedAt { get; private set; }
    public int RowsRead { get; private set; }
    public int Upserted { get; private set; }
    public int Rejected { get; private set; }
    public bool Succeeded { get; private set; }
    public string? Error { get; private set; }

    /// <summary>
    /// Issue 20: the first <see cref="MaxRowErrors"/> rejected rows, as a JSON array of
    /// <see cref="SyncRowError"/>. A column of the run rather than a table of its own: they are
    /// written and read with the run, only ever whole, and go when the run goes.
    /// </summary>
    public string? RowErrorsJson { get; private set; }

    public const int MaxRowErrors = 50;

    /// <param name="rowErrors">Reasons that describe the problem, never the cell's value; kept only for a run that succeeded (a failed one applied nothing).</param>
    public void Finish(int read, int upserted, int rejected, string? error, DateTime at, IReadOnlyList<SyncRowError>? rowErrors = null)
    {
        (RowsRead, Upserted, Rejected, FinishedAt) = (read, upserted, rejected, at);
        Error = error is { Length: > 1000 } ? error[..1000] : error;
        Succeeded = error is null;
        RowErrorsJson = Succeeded && rowErrors is { Count: > 0 }
            ? JsonSerializer.Serialize(rowErrors.Take(MaxRowErrors).Select(e => e.Capped()))
            : null;
    }

    public IReadOnlyList<SyncRowError> RowErrors() =>
        RowErrorsJson is null ? [] : JsonSerializer.Deserialize<List<SyncRowError>>(RowErrorsJson) ?? [];
}

/// <summary>A rejected row of a sync run: its 1-based position among the run's rows, the column (null: the whole row) and why.</summary>
public sealed record SyncRowError(int Row, string? Column, string Reason)
{
    public const int MaxColumnLength = 100;
    public const int MaxReasonLength = 300;

    /// <summary>Bounded, so <see cref="SyncRun.MaxRowErrors"/> of them stay a few kilobytes.</summary>
    public SyncRowError Capped() => this with
    {
        Column = Column is { Length: > MaxColumnLength } ? Column[..MaxColumnLength] : Column,
        Reason = Reason.Length > MaxReasonLength ? Reason[..MaxReasonLength] : Reason,
    };
}
