using System.ComponentModel.DataAnnotations;

namespace Portal.Infrastructure.Bi;

/// <summary>Configuration section "Bi" (issue 16).</summary>
public sealed class BiOptions
{
    public const string Section = "Bi";

    /// <summary>
    /// Base64 key (at least 32 bytes) of the pseudonymous client key. Empty: one is generated on first
    /// use and kept in the database encrypted with Data Protection, so every node derives the same keys.
    /// Changing it changes every client_key in later exports.
    /// </summary>
    public string? PseudonymKey { get; set; }

    /// <summary>ISO 4217 currency of message costs (price lists are in one currency).</summary>
    [Required, RegularExpression("^[A-Z]{3}$")]
    public string Currency { get; set; } = "RUB";

    /// <summary>Where UI exports are written until downloaded (relative to the content root).</summary>
    public string ExportFolder { get; set; } = "App_Data/exports";

    /// <summary>Days a UI export's file waits for its download before the retention job removes it.</summary>
    [Range(1, 365)]
    public int ExportFileDays { get; set; } = 7;

    /// <summary>Hours a UI export with personal columns (phones, names, texts) is kept; an erasure removes them at once.</summary>
    [Range(1, 720)]
    public int PersonalExportHours { get; set; } = 24;

    public string ExportFolderPath(string contentRoot) => Path.GetFullPath(Path.Combine(contentRoot, ExportFolder));

    /// <summary>
    /// The mounted share scheduled exports write into; a definition's folder is a path under it
    /// (never outside: ".." and absolute paths are refused).
    /// </summary>
    public string ScheduledRoot { get; set; } = "App_Data/bi-share";

    /// <summary>Attempts of a failed scheduled run before it is left failed (shown on the page).</summary>
    [Range(1, 10)]
    public int ScheduledAttempts { get; set; } = 3;

    /// <summary>
    /// Rows per Parquet row group: bounds the writer's memory (two groups at a time: one filled while
    /// the one before is encoded). 25,000 keeps a 1.9 M-row export under 300 MB of working set, the
    /// host included (100,000 took 476-492 MB), and was no slower (docs/BENCHMARKS.md, issue 16).
    /// </summary>
    [Range(1_000, 1_000_000)]
    public int ParquetRowGroup { get; set; } = 25_000;

    /// <summary>Largest page of the read API.</summary>
    [Range(100, 100_000)]
    public int MaxPageSize { get; set; } = 10_000;
}
