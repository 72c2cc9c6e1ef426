using Microsoft.EntityFrameworkCore;
using Portal.Identity;
using Portal.Infrastructure.Bi;
using Portal.Infrastructure.Persistence;

namespace Portal.Hosting;

internal static class BiEndpoints
{
    /// <summary>
    /// Downloads a finished export: its own requester, or an Administrator; an export with personal
    /// data only by someone who may see personal data. Streamed from the file, never read into memory.
    /// </summary>
    public static void MapBiEndpoints(this WebApplication app)
    {
        app.MapGet("/bi/exports/{id:long}/download", async (long id, HttpContext context, IDbContextFactory<PortalDbContext> contexts, BiExporter exporter, CancellationToken ct) =>
        {
            await using var db = await contexts.CreateDbContextAsync(ct);
            var export = await db.BiExports.AsNoTracking().FirstOrDefaultAsync(e => e.Id == id, ct);
            var user = context.User;
            if (export is null || exporter.FileOf(export) is not { } file
                || !(string.Equals(export.RequestedBy, user.Identity?.Name, StringComparison.OrdinalIgnoreCase) || user.IsInRole(Portal.Domain.Access.Roles.Administrator))
                || (export.Personal && !user.SeesPersonalData()))
            {
                return Results.NotFound();
            }
            return Results.File(file, BiFormats.ContentType(export.Format), $"{export.Dataset}-{export.Id}.{BiFormats.Extension(export.Format)}", enableRangeProcessing: true);
        }).RequireAuthorization(Policies.BiExports);
    }
}
