using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Portal.Domain.Access;
using Portal.Infrastructure.Persistence;

namespace Portal.Infrastructure.Identity;

/// <summary>
/// The <see cref="DepartmentScope"/> of a signed-in user. The department is read from the user's row
/// each time, not from a claim, so moving someone to another department takes effect at once.
/// Issue 18: the one place that decides the partition too. A user in sandbox mode
/// (<see cref="PortalUser.SandboxMode"/>, read from the same row) gets a scope inside their own
/// sandbox, so every store that takes the scope reads and writes sandbox rows only (ADR 0015).
/// </summary>
public sealed class DepartmentScopes(IDbContextFactory<PortalDbContext> contexts)
{
    public async Task<DepartmentScope> ForAsync(ClaimsPrincipal user, CancellationToken ct)
    {
        var id = user.FindFirstValue(ClaimTypes.NameIdentifier);
        if (id is null)
        {
            return user.IsInRole(Roles.Administrator) ? DepartmentScope.Everything : DepartmentScope.Of(null);
        }
        await using var db = await contexts.CreateDbContextAsync(ct);
        var row = await db.Users.AsNoTracking().Where(u => u.Id == id).Select(u => new { u.DepartmentId, u.SandboxMode }).FirstOrDefaultAsync(ct);
        var scope = user.IsInRole(Roles.Administrator) ? DepartmentScope.Everything : DepartmentScope.Of(row?.DepartmentId);
        return row is { SandboxMode: true } ? scope.InSandboxOf(id) : scope;
    }
}
