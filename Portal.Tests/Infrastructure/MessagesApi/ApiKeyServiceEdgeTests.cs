using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Portal.Infrastructure.Audit;
using Portal.Infrastructure.Integrations;
using Portal.Infrastructure.MessagesApi;
using Portal.Infrastructure.Persistence;
using Portal.Tests.Support;

namespace Portal.Tests.Infrastructure.MessagesApi;

/// <summary>Issue 21: a key deleted (or never there) is a "not found", never a crash, and changes nothing.</summary>
public sealed class ApiKeyServiceEdgeTests
{
    private static readonly System.Security.Claims.ClaimsPrincipal Admin =
        new(new System.Security.Claims.ClaimsIdentity([new(System.Security.Claims.ClaimTypes.Name, "admin@test.local")], "test"));

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task AnUnknownKey_IsNotFound_ForEveryChange(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var keys = new ApiKeyService(database.Factory, new AuditLog(database.Factory, TimeProvider.System), TimeProvider.System);
        var secrets = new CallbackSecrets(new EphemeralDataProtectionProvider());
        var (existing, _) = await keys.CreateAsync(Admin, "CRM", [Portal.Domain.Integrations.ApiScopes.MessagesSend], 60, default);
        var missing = existing.Id + 1000;

        Assert.Null(await keys.ConfigureSendingAsync(Admin, missing, new ApiKeySendSettings(60, 10, "https://crm.example/cb", true), secrets, null, default));
        Assert.False(await keys.RevokeAsync(Admin, missing, default));

        await using var db = database.CreateContext();
        var key = await db.ApiKeys.SingleAsync();
        Assert.Equal((existing.Id, null, null, null), (key.Id, key.RevokedAt, key.CallbackUrl, key.DailyQuota));
        // Only the creation was audited.
        Assert.Equal(1, await db.AuditEntries.CountAsync());
    }
}
