using Portal.Domain.Access;
using Portal.Tests.Support;

namespace Portal.Tests.Web;

/// <summary>The live dashboard through the real host: Managers and administrators only (issue 8).</summary>
public class DashboardAccessTests : IAsyncLifetime
{
    private readonly PortalAppFactory _app = new(demoClients: 0);

    public async Task InitializeAsync()
    {
        // No embedded SMSC: its shutdown sometimes hangs the host's disposal (SmscSimulator.StopAsync
        // awaiting its receipt loop, seen in SignInTests too); the page's access rules do not need it.
        _app.Settings["Sending:EmbeddedSimulator"] = "false";
        await _app.StartAsync();
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Theory]
    [InlineData(Roles.Manager, true)]
    [InlineData(Roles.Administrator, true)]
    [InlineData(Roles.CampaignManager, false)]
    [InlineData(Roles.Analyst, false)]
    public async Task Dashboard_IsServedToManagersAndAbove_Only(string role, bool allowed)
    {
        var html = await _app.OpenPageAsAsync(role, "dashboard", allowed);
        if (!allowed) return;
        Assert.Contains("Live dashboard", html);
        // The first render already carries the database's figures.
        Assert.Contains("data-testid=\"today-sent\"", html);
    }
}
