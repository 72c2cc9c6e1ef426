using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Services;
using Portal.Components.Pages.Admin;
using Portal.Domain.Integrations;
using Portal.Infrastructure.Audit;
using Portal.Infrastructure.Integrations;
using Portal.Infrastructure.Persistence;
using Portal.Tests.Api;
using Portal.Tests.Support;

namespace Portal.Tests.Components;

public class ApiKeysPageTests
{
    private sealed class Contexts(TestDatabase database) : IDbContextFactory<PortalDbContext>
    {
        public PortalDbContext CreateDbContext() => database.CreateContext();
    }

    [Fact]
    public async Task Page_ListsKeysWithPrefixAndScopes_NeverTheSecret()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        var contexts = new Contexts(database);
        var keys = new ApiKeyService(contexts, new AuditLog(contexts, TimeProvider.System), TimeProvider.System);
        var (active, fullKey) = await keys.CreateAsync(ApiTestHost.Admin, "CRM production", [ApiScopes.ClientsWrite, ApiScopes.EventsWrite], 600, CancellationToken.None);
        var (revoked, _) = await keys.CreateAsync(ApiTestHost.Admin, "Old shop", [ApiScopes.EventsWrite], 60, CancellationToken.None);
        await keys.RevokeAsync(ApiTestHost.Admin, revoked.Id, CancellationToken.None);

        await using var ctx = new BunitContext();
        ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        ctx.Services.AddMudServices(o => o.PopoverOptions.CheckForPopoverProvider = false);
        ctx.Services.AddLocalization();
        ctx.Services.AddSingleton(keys);
        ctx.AddAuthorization().SetAuthorized(PortalAppFactory.AdminEmail);

        var page = ctx.Render<ApiKeys>();

        page.WaitForAssertion(() => Assert.Contains("CRM production", page.Markup));
        Assert.Contains($"pk_{active.Prefix}_", page.Markup);
        Assert.Contains(ApiScopes.EventsWrite, page.Markup);
        Assert.DoesNotContain(fullKey.Split('_')[2], page.Markup);
        Assert.Single(page.FindAll($"[data-testid=revoke-{active.Prefix}]"));
        Assert.Empty(page.FindAll($"[data-testid=revoke-{revoked.Prefix}]"));
        Assert.Contains("Revoked", page.Markup);
    }
}
