using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Domain.Access;
using Portal.Domain.Audit;
using Portal.Identity;
using Portal.Infrastructure.Identity;
using Portal.Infrastructure.Persistence;
using Portal.Tests.Support;

namespace Portal.Tests.Web;

/// <summary>
/// Issue 14: the test-send target is the user's own phone, set by an administrator (who vouches for
/// it, so it is stored verified); a bad number is refused; the audit entry names it masked.
/// </summary>
public class UserPhoneTests
{
    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Administrator_SetsAUsersPhone_StoredNormalizedAndVerified_AuditedMasked_ABadNumberIsRefused(DatabaseProvider provider)
    {
        await using var app = new PortalAppFactory(provider, demoClients: 0);
        app.Settings["Sending:EmbeddedSimulator"] = "false";
        await app.StartAsync();
        var (email, _) = await app.CreateUserAsync(Roles.Manager);
        await using var scope = app.Services.CreateAsyncScope();
        var accounts = scope.ServiceProvider.GetRequiredService<UserAccounts>();
        var userId = (await scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>().FindByEmailAsync(email))!.Id;
        var admin = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, "admin-id"), new Claim(ClaimTypes.Name, PortalAppFactory.AdminEmail),
            new Claim(ClaimTypes.Role, Roles.Administrator)], "test"));

        var bad = await accounts.UpdateAsync(admin, userId, new UserEdit(email, "Manager", null, [Roles.Manager], "12345"));
        var good = await accounts.UpdateAsync(admin, userId, new UserEdit(email, "Manager", null, [Roles.Manager], "8 (916) 555-44-33"));

        Assert.False(bad.Succeeded);
        Assert.True(good.Succeeded, string.Join("; ", good.Errors));
        var contexts = app.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        await using var db = await contexts.CreateDbContextAsync();
        var user = await db.Users.AsNoTracking().SingleAsync(u => u.Id == userId);
        Assert.Equal(("+79165554433", true), (user.PhoneNumber, user.PhoneNumberConfirmed));
        var entry = await db.AuditEntries.AsNoTracking().Where(a => a.Action == AuditActions.UserUpdated && a.EntityId == userId).SingleAsync();
        Assert.Contains("verified phone=+7916*****33", entry.Details);
        Assert.DoesNotContain("5554433", entry.Details);
        Assert.Equal("+79165554433", (await accounts.ListAsync(default)).Single(u => u.Id == userId).Phone);
    }
}
