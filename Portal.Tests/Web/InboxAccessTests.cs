using Portal.Domain.Access;
using Portal.Tests.Support;

namespace Portal.Tests.Web;

/// <summary>The inbox through the real host: the roles that see campaigns (issue 7, item 5).</summary>
public class InboxAccessTests : IAsyncLifetime
{
    private readonly PortalAppFactory _app = new(demoClients: 0);

    public async Task InitializeAsync()
    {
        // As in DashboardAccessTests: the embedded SMSC is not needed for access rules.
        _app.Settings["Sending:EmbeddedSimulator"] = "false";
        await _app.StartAsync();
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Theory]
    [InlineData(Roles.Administrator, true)]
    [InlineData(Roles.CampaignManager, true)]
    [InlineData(Roles.Manager, true)]
    [InlineData(Roles.Analyst, false)]
    [InlineData(Roles.Auditor, false)]
    public async Task Inbox_IsServedToCampaignRoles_Only(string role, bool allowed)
    {
        var html = await _app.OpenPageAsAsync(role, "inbox", allowed);
        if (allowed) Assert.Contains("data-testid=\"inbox-table\"", html);
    }
}
