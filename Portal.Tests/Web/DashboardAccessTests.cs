using System.Net;
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
        var (email, password) = await _app.CreateUserAsync(role);
        var client = _app.CreateBrowserlikeClient();
        await PortalAppFactory.PostLoginAsync(client, email, password);

        var response = await client.GetAsync("/dashboard");

        if (allowed)
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var html = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
            Assert.Contains("Live dashboard", html);
            // The first render already carries the database's figures.
            Assert.Contains("data-testid=\"today-sent\"", html);
            Assert.Contains("href=\"dashboard\"", html);
        }
        else
        {
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.Contains("/Account/AccessDenied", response.Headers.Location!.ToString());
            var home = await client.GetStringAsync("/");
            Assert.DoesNotContain("href=\"dashboard\"", home);
        }
    }
}
