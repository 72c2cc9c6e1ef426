using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Portal.Domain.Audit;
using Portal.Infrastructure.Persistence;

namespace Portal.Infrastructure.Audit;

/// <summary>
/// Appends to the audit trail in its own short-lived context, so an audit entry is written even
/// when the caller's unit of work is later rolled back (reads of personal data included).
/// </summary>
public sealed class AuditLog(IDbContextFactory<PortalDbContext> contexts, TimeProvider clock)
{
    public async Task WriteAsync(ClaimsPrincipal? actor, string action, string? entityType = null, string? entityId = null, string? details = null, CancellationToken ct = default)
    {
        var userId = actor?.FindFirstValue(ClaimTypes.NameIdentifier);
        var userName = actor?.Identity?.Name;
        await WriteForUserAsync(userId, userName, action, entityType, entityId, details, ct);
    }

    /// <summary>For actions before a principal exists (sign-in attempts): the typed user name.</summary>
    public async Task WriteForUserAsync(string? userId, string? userName, string action, string? entityType = null, string? entityId = null, string? details = null, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        db.AuditEntries.Add(new AuditEntry(clock.GetUtcNow().UtcDateTime, userId, userName, action, entityType, entityId, details));
        await db.SaveChangesAsync(ct);
    }
}
