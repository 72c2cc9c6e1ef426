using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MudBlazor.Services;
using Portal.Domain.Access;
using Portal.Infrastructure.Dashboard;
using Portal.Infrastructure.Sending;
using DashboardPage = Portal.Components.Pages.Dashboard.Dashboard;

namespace Portal.Tests.Components;

/// <summary>Issue 14 (ASVS V16.5.1): a page that cannot read its data says so in words, never with the exception's text.</summary>
public class GenericErrorTextTests
{
    private sealed class FailingQueries : IDashboardQueries
    {
        public Task<DashboardSnapshot> ReadAsync(DateTime dayStartUtc, CancellationToken ct = default) =>
            throw new InvalidOperationException("Npgsql: password authentication failed for user \"portal_secret\" at db-7.internal");
    }

    [Fact]
    public async Task Dashboard_ThatCannotRead_ShowsAGenericMessage()
    {
        await using var ctx = new BunitContext();
        ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        ctx.Services.AddMudServices(o => o.PopoverOptions.CheckForPopoverProvider = false);
        ctx.Services.AddLocalization();
        ctx.Services.AddSingleton<IDashboardQueries>(new FailingQueries());
        ctx.Services.AddSingleton(TimeProvider.System);
        ctx.Services.AddSingleton(Options.Create(new SendingOptions()));
        ctx.AddAuthorization().SetAuthorized("manager@portal.local").SetRoles(Roles.Manager);

        var page = ctx.Render<DashboardPage>();

        page.WaitForAssertion(() => Assert.Contains("could not be read", page.Find("[data-testid=dashboard-error]").TextContent), TimeSpan.FromSeconds(10));
        Assert.DoesNotContain("portal_secret", page.Markup);
        Assert.DoesNotContain("db-7", page.Markup);
    }
}
