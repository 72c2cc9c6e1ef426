using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Domain.Access;
using Portal.Infrastructure.Audit;
using Portal.Infrastructure.Persistence;

namespace Portal.Infrastructure.Bi;

/// <summary>What to export.</summary>
public sealed record BiExportRequest(string Dataset, BiFormat Format, BiFilter Filter, bool Bom = false);

/// <summary>
/// Runs exports: from the export page into a file the user then downloads, or for a scheduled
/// definition into the share (atomic rename + manifest) or by HTTP PUT. Every export is a row of
/// <see cref="BiExport"/> and an audit entry; an export with personal columns is audited as such.
/// </summary>
public sealed class BiExporter(
    IDbContextFactory<PortalDbContext> contexts, BiReader reader, AuditLog audit, IOptions<BiOptions> options,
    IHostEnvironment environment, TimeProvider time, IHttpClientFactory httpClients, ILogger<BiExporter> logger)
{
    public const string AuditAction = "bi.export";
    public const string AuditPersonalAction = "bi.export.personal";

    /// <summary>Writes a dataset to <paramref name="output"/>. Returns the rows written.</summary>
    public async Task<long> WriteAsync(Stream output, BiExportRequest request, bool personal, IProgress<long>? progress, CancellationToken ct)
    {
        var dataset = BiDatasets.Find(request.Dataset) ?? throw new ArgumentException("Unknown dataset.", nameof(request));
        var rows = reader.ReadRowsAsync(dataset, request.Filter, personal, ct: ct);
        return await BiWriter.WriteAsync(output, request.Format, dataset.Columns(personal), rows,
            new BiWriteOptions(request.Bom, options.Value.ParquetRowGroup), progress, ct);
    }

    /// <summary>The export page: personal columns only for a role with personal data.</summary>
    public async Task<BiExport> ExportForUserAsync(ClaimsPrincipal user, BiExportRequest request, IProgress<long>? progress, CancellationToken ct)
    {
        var dataset = BiDatasets.Find(request.Dataset) ?? throw new ArgumentException("Unknown dataset.", nameof(request));
        var personal = dataset.HasPersonalColumns && Roles.SeesPersonalData(user.Claims.Where(c => c.Type == ClaimTypes.Role).Select(c => c.Value));
        var export = new BiExport(dataset.Name, request.Format, request.Filter, personal, user.Identity?.Name ?? "?", Now);
        // Recorded whatever happens next: a cancelled export is history too.
        await using (var db = await contexts.CreateDbContextAsync(CancellationToken.None))
        {
            db.BiExports.Add(export);
            await db.SaveChangesAsync(CancellationToken.None);
        }
        var folder = ExportFolder;
        Directory.CreateDirectory(folder);
        var file = Path.Combine(folder, $"export-{export.Id}.{BiFormats.Extension(request.Format)}");
        long rows = 0;
        var counting = new Progress(progress, n => rows = n);
        try
        {
            await using (var stream = new FileStream(file, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
            {
                rows = await WriteAsync(stream, request with { Dataset = dataset.Name }, personal, counting, ct);
            }
            var (bytes, sha) = await HashAsync(file, CancellationToken.None);
            export.Succeed(rows, bytes, sha, Path.GetFileName(file), Now);
        }
        catch (Exception e)
        {
            TryDelete(file);
            var cancelled = e is OperationCanceledException;
            export.Fail(cancelled ? BiExportStatus.Cancelled : BiExportStatus.Failed, rows, cancelled ? "Cancelled by the user." : e.GetType().Name, Now);
            if (!cancelled) logger.LogError(e, "Export {ExportId} of {Dataset} failed", export.Id, dataset.Name);
        }
        await SaveAsync(export);
        await audit.WriteAsync(user, personal ? AuditPersonalAction : AuditAction, nameof(BiExport), export.Id.ToString(CultureInfo.InvariantCulture),
            Describe(export), CancellationToken.None);
        return export;
    }

    /// <summary>The file of a finished UI export, if it is still there.</summary>
    public string? FileOf(BiExport export) =>
        export.Status == BiExportStatus.Succeeded && export.DefinitionId is null && export.Location is { } name
            && File.Exists(Path.Combine(ExportFolder, name)) ? Path.Combine(ExportFolder, name) : null;

    private string ExportFolder => options.Value.ExportFolderPath(environment.ContentRootPath);

    /// <summary>
    /// One firing of a scheduled definition: the last <see cref="BiExportDefinition.PeriodDays"/> whole
    /// UTC days, never personal data (nobody is looking: no one to audit a read for), retried on failure.
    /// With <paramref name="firingAt"/> (a cron firing) it runs once across nodes: null when another
    /// node already runs that firing. Without it ("run now") it always runs.
    /// </summary>
    public async Task<BiExport?> RunDefinitionAsync(int definitionId, DateTime? firingAt, CancellationToken ct)
    {
        BiExportDefinition definition;
        await using (var db = await contexts.CreateDbContextAsync(ct))
        {
            definition = await db.BiExportDefinitions.AsNoTracking().FirstAsync(d => d.Id == definitionId, ct);
        }
        // Whole seconds: every node computes the same cron time, the key must not carry sub-second noise.
        var firing = firingAt is { } f ? new DateTime(f.Ticks - f.Ticks % TimeSpan.TicksPerSecond, DateTimeKind.Utc) : (DateTime?)null;
        var today = (firing ?? Now).Date;
        var filter = new BiFilter(today.AddDays(-definition.PeriodDays), today, definition.DepartmentId, definition.CampaignId);
        BiExport? last = null;
        for (var attempt = 1; attempt <= options.Value.ScheduledAttempts; attempt++)
        {
            last = await RunOnceAsync(definition, filter, attempt, firing, ct);
            if (last is null)
            {
                logger.LogInformation("Scheduled export {Definition}: the firing at {Firing:o} is run by another node", definition.Id, firing);
                return null;
            }
            if (last.Status == BiExportStatus.Succeeded || ct.IsCancellationRequested || attempt == options.Value.ScheduledAttempts) break;
            await Task.Delay(TimeSpan.FromSeconds(Math.Min(60, 2 << attempt)), time, ct);
        }
        return last;
    }

    private async Task<BiExport?> RunOnceAsync(BiExportDefinition definition, BiFilter filter, int attempt, DateTime? firing, CancellationToken ct)
    {
        var export = new BiExport(definition.Dataset, definition.Format, filter, false, "schedule:" + definition.Name, Now, definition.Id, attempt, firing);
        await using (var db = await contexts.CreateDbContextAsync(ct))
        {
            db.BiExports.Add(export);
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException e) when (firing is not null && e.IsUniqueViolation())
            {
                return null;
            }
        }
        var dataset = BiDatasets.Find(definition.Dataset)!;
        var name = $"{definition.Dataset}-{filter.From:yyyyMMdd}-{filter.To:yyyyMMdd}.{BiFormats.Extension(definition.Format)}";
        long rows = 0;
        var temp = Path.Combine(Path.GetTempPath(), $"portal-bi-{Guid.NewGuid():N}.tmp");
        try
        {
            await using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
            {
                rows = await WriteAsync(stream, new BiExportRequest(dataset.Name, definition.Format, filter), false, null, ct);
            }
            var (bytes, sha) = await HashAsync(temp, ct);
            var manifest = JsonSerializer.Serialize(new
            {
                dataset = dataset.Name,
                schemaVersion = dataset.SchemaVersion,
                format = definition.Format.ToString().ToLowerInvariant(),
                file = name,
                rows,
                bytes,
                sha256 = sha,
                from = filter.From,
                to = filter.To,
                createdAt = Now,
                columns = dataset.Columns(false).Select(c => new { name = c.Name, type = c.Type.ToString().ToLowerInvariant() }),
            }, new JsonSerializerOptions { WriteIndented = true });
            var location = definition.Target == BiTargetKind.Folder
                ? await DeliverToFolderAsync(definition.Destination, name, temp, manifest, ct)
                : await DeliverByPutAsync(definition.Destination, name, temp, definition.Format, manifest, ct);
            export.Succeed(rows, bytes, sha, location, Now);
        }
        catch (Exception e)
        {
            var cancelled = e is OperationCanceledException && ct.IsCancellationRequested;
            export.Fail(cancelled ? BiExportStatus.Cancelled : BiExportStatus.Failed, rows, cancelled ? "Cancelled." : $"{e.GetType().Name}: {e.Message}", Now);
            logger.LogWarning(e, "Scheduled export {Definition} attempt {Attempt} failed", definition.Id, attempt);
        }
        finally
        {
            TryDelete(temp);
        }
        await SaveAsync(export);
        await audit.WriteForUserAsync(null, "schedule", AuditAction, nameof(BiExport), export.Id.ToString(CultureInfo.InvariantCulture), Describe(export), CancellationToken.None);
        return export;
    }

    /// <summary>
    /// The share sees either no file or the whole file: it is copied to "name.tmp" in the target
    /// folder and renamed (atomic within one file system), the manifest last, so a reader that waits
    /// for the manifest never reads half a file.
    /// </summary>
    private async Task<string> DeliverToFolderAsync(string destination, string name, string temp, string manifest, CancellationToken ct)
    {
        var root = Path.GetFullPath(Path.Combine(environment.ContentRootPath, options.Value.ScheduledRoot));
        var folder = Path.GetFullPath(Path.Combine(root, destination));
        if (Path.IsPathRooted(destination) || !(folder + Path.DirectorySeparatorChar).StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new InvalidOperationException("The folder is outside Bi:ScheduledRoot.");
        }
        Directory.CreateDirectory(folder);
        var target = Path.Combine(folder, name);
        File.Copy(temp, target + ".tmp", overwrite: true);
        File.Move(target + ".tmp", target, overwrite: true);
        await File.WriteAllTextAsync(target + ".manifest.json.tmp", manifest, ct);
        File.Move(target + ".manifest.json.tmp", target + ".manifest.json", overwrite: true);
        return target;
    }

    private async Task<string> DeliverByPutAsync(string url, string name, string temp, BiFormat format, string manifest, CancellationToken ct)
    {
        var client = httpClients.CreateClient(nameof(BiExporter));
        var target = new Uri(new Uri(url.EndsWith('/') ? url : url + "/"), Uri.EscapeDataString(name));
        await using (var file = File.OpenRead(temp))
        {
            using var content = new StreamContent(file);
            content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(BiFormats.ContentType(format));
            using var response = await client.PutAsync(target, content, ct);
            response.EnsureSuccessStatusCode();
        }
        using var m = new StringContent(manifest, System.Text.Encoding.UTF8, "application/json");
        using var r2 = await client.PutAsync(new Uri(target + ".manifest.json"), m, ct);
        r2.EnsureSuccessStatusCode();
        return target.GetLeftPart(UriPartial.Path);
    }

    private static string Describe(BiExport e) => string.Create(CultureInfo.InvariantCulture,
        $"dataset={e.Dataset} format={e.Format} from={e.From:yyyy-MM-dd} to={e.To:yyyy-MM-dd} department={e.DepartmentId} campaign={e.CampaignId} personal={e.Personal} status={e.Status} rows={e.Rows}");

    private async Task SaveAsync(BiExport export)
    {
        await using var db = await contexts.CreateDbContextAsync(CancellationToken.None);
        db.BiExports.Update(export);
        await db.SaveChangesAsync(CancellationToken.None);
    }

    private static async Task<(long Bytes, string Sha)> HashAsync(string file, CancellationToken ct)
    {
        await using var s = File.OpenRead(file);
        var hash = await SHA256.HashDataAsync(s, ct);
        return (s.Length, Convert.ToHexStringLower(hash));
    }

    private static void TryDelete(string file)
    {
        try { File.Delete(file); } catch (IOException) { }
    }

    private DateTime Now => time.GetUtcNow().UtcDateTime;

    private sealed class Progress(IProgress<long>? inner, Action<long> seen) : IProgress<long>
    {
        public void Report(long value)
        {
            seen(value);
            inner?.Report(value);
        }
    }
}
