using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Portal.Domain.Access;
using Portal.Infrastructure.Persistence;

namespace Portal.Infrastructure.Identity;

/// <summary>
/// The <see cref="DepartmentScope"/> of a signed-in user. The department is read from the user's row
/// each time, not from a claim, so moving someone to another department takes effect at once.
/// </summary>
public sealed class DepartmentScopes(IDbContextFactory<PortalDbContext> contexts)
{
    public async Task<DepartmentScope> ForAsync(ClaimsPrincipal user, CancellationToken ct)
    {
        if (user.IsInRole(Roles.Administrator))
        {
            return DepartmentScope.Everything;
        }
        var id = user.FindFirstValue(ClaimTypes.NameIdentifier);
        if (id is null)
        {
            return DepartmentScope.Of(null);
        }
        await using var db = await contexts.CreateDbContextAsync(ct);
        var department = await db.Users.AsNoTracking().Where(u => u.Id == id).Select(u => u.DepartmentId).FirstOrDefaultAsync(ct);
        return DepartmentScope.Of(department);
    }
}
