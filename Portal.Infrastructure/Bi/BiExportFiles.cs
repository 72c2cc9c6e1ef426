using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Infrastructure.Persistence;

namespace Portal.Infrastructure.Bi;

/// <summary>
/// The files of UI exports wait in the export folder for their download, never for ever (issue 16;
/// storage limitation of 152-FZ art. 5 and GDPR art. 5(1)(e)): every file goes after
/// <see cref="BiOptions.ExportFileDays"/>, one with personal columns after
/// <see cref="BiOptions.PersonalExportHours"/>, and an erasure removes every personal file still
/// there (which clients a file holds is not indexed; a personal export is easy to make again).
/// The export's history row stays; its file is gone and the page offers no download.
/// Scheduled exports never hold personal data: the client in them is a keyed pseudonym.
/// </summary>
public sealed class BiExportFiles(
    IDbContextFactory<PortalDbContext> contexts, IOptions<BiOptions> options, IHostEnvironment environment, TimeProvider time,
    ILogger<BiExportFiles> logger)
{
    /// <summary>Removes the files past their time; with <paramref name="everyPersonal"/> every personal one too. Returns the files removed.</summary>
    public async Task<int> PurgeAsync(bool everyPersonal, CancellationToken ct)
    {
        var o = options.Value;
        var now = time.GetUtcNow().UtcDateTime;
        var before = now.AddDays(-o.ExportFileDays);
        var personalBefore = everyPersonal ? DateTime.MaxValue : now.AddHours(-o.PersonalExportHours);
        await using var db = await contexts.CreateDbContextAsync(ct);
        // UI exports are a few a day per analyst: the candidates fit in memory whatever the base size.
        var due = await db.BiExports.AsNoTracking()
            .Where(e => e.DefinitionId == null && e.Location != null && (e.StartedAt < before || (e.Personal && e.StartedAt < personalBefore)))
            .Select(e => new { e.Id, e.Location })
            .ToListAsync(ct);
        var folder = o.ExportFolderPath(environment.ContentRootPath);
        var removed = 0;
        foreach (var e in due)
        {
            var file = Path.Combine(folder, Path.GetFileName(e.Location!));
            try
            {
                if (File.Exists(file))
                {
                    File.Delete(file);
                    removed++;
                }
            }
            catch (IOException x)
            {
                // Kept in the list: the next run tries again.
                logger.LogWarning(x, "Export {ExportId}: its file could not be removed", e.Id);
                continue;
            }
            await db.BiExports.Where(x => x.Id == e.Id).ExecuteUpdateAsync(s => s.SetProperty(x => x.Location, (string?)null), ct);
        }
        return removed;
    }
}
