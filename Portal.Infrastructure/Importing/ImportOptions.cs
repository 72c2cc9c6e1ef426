using Microsoft.Extensions.Options;

namespace Portal.Infrastructure.Importing;

/// <summary>
/// Configuration section "Import" (issue 14): how big a hostile file may get before it is refused.
/// One unclosed quote, a file without line breaks or a zip bomb must cost a row error, not the
/// node's memory (and with it the senders running on it).
/// </summary>
public sealed class ImportOptions
{
    public const string Section = "Import";

    /// <summary>Largest upload accepted by the import page (bytes). 1.9 M clients as CSV are about 250 MB.</summary>
    public long MaxUploadBytes { get; set; } = 300L * 1024 * 1024;

    /// <summary>Longest field (characters); the longest client field Portal stores is 2,000.</summary>
    public int MaxFieldChars { get; set; } = 10_000;

    /// <summary>Longest row (characters, all fields and delimiters).</summary>
    public int MaxRowChars { get; set; } = 100_000;

    /// <summary>XLSX: the most its parts may unpack to in all (bytes).</summary>
    public long MaxXlsxUncompressedBytes { get; set; } = 2L * 1024 * 1024 * 1024;

    /// <summary>XLSX: the highest unpacked/packed ratio of any part over 1 MiB. Real sheets stay well under 30.</summary>
    public int MaxXlsxCompressionRatio { get; set; } = 100;

    public static ImportOptions Default { get; } = new();
}

internal sealed class ImportOptionsValidator : IValidateOptions<ImportOptions>
{
    public ValidateOptionsResult Validate(string? name, ImportOptions o)
    {
        var failures = new List<string>();
        if (o.MaxUploadBytes < 1024) failures.Add("Import:MaxUploadBytes must be at least 1024.");
        if (o.MaxFieldChars < 100) failures.Add("Import:MaxFieldChars must be at least 100.");
        if (o.MaxRowChars < o.MaxFieldChars) failures.Add("Import:MaxRowChars must be at least Import:MaxFieldChars.");
        if (o.MaxXlsxUncompressedBytes < 1024 * 1024) failures.Add("Import:MaxXlsxUncompressedBytes must be at least 1 MiB.");
        if (o.MaxXlsxCompressionRatio < 2) failures.Add("Import:MaxXlsxCompressionRatio must be at least 2.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
