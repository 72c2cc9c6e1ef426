using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Domain.Access;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Seeding;
using Portal.Tests.Support;

namespace Portal.Tests.Web;

/// <summary>Analytics through the real host, on the embedded default's demo history (issue 15).</summary>
public class AnalyticsAccessTests : IAsyncLifetime
{
    private readonly PortalAppFactory _app = new(demoClients: 300);

    public async Task InitializeAsync()
    {
        _app.Settings["Sending:EmbeddedSimulator"] = "false";
        _app.Settings["Seed:DemoHistory"] = "true";
        await _app.StartAsync();
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private async Task<int> FirstDemoCampaignAsync()
    {
        await using var scope = _app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        return await db.Campaigns.Where(c => c.Name == DemoHistory.Campaigns[0].Name).Select(c => c.Id).SingleAsync();
    }

    [Theory]
    [InlineData(Roles.Analyst, true)]
    [InlineData(Roles.Manager, true)]
    [InlineData(Roles.CampaignManager, true)]
    [InlineData(Roles.Auditor, false)]
    [InlineData(Roles.Trainer, false)]
    public async Task AnalyticsPage_IsServedToAnalystsManagersAndCampaignManagers(string role, bool allowed)
    {
        var html = await _app.OpenPageAsAsync(role, "analytics", allowed);
        if (!allowed) return;
        Assert.Contains("data-testid=\"report-table\"", html);
    }

    private async Task<(HttpClient Client, string Html)> OpenAsAsync(string role, string path)
    {
        var (email, password) = await _app.CreateUserAsync(role);
        var client = _app.CreateBrowserlikeClient();
        await PortalAppFactory.PostLoginAsync(client, email, password);
        var response = await client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (client, WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync()));
    }

    [Fact]
    public async Task Analyst_ReadsADemoCampaignsResults_AndDownloadsTheTable_WithoutPhones()
    {
        var id = await FirstDemoCampaignAsync();
        var (client, html) = await OpenAsAsync(Roles.Analyst, $"/analytics/campaigns/{id}");
        Assert.Contains("data-testid=\"tile-uplift\"", html);
        Assert.Contains("Attribution: last touch", html);
        // A phone, not "+79" anywhere: the page carries base64 state (antiforgery, Blazor markers) that can hold it.
        Assert.DoesNotMatch(@"\+7\d{10}", html);

        var csv = await client.GetAsync($"/analytics/campaigns/{id}/results.csv?by=gender");
        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        Assert.Equal("text/csv", csv.Content.Headers.ContentType!.MediaType);
        var text = await csv.Content.ReadAsStringAsync();
        var lines = text.TrimStart('\uFEFF').Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("Group,Recipients,", lines[0]);
        Assert.StartsWith("All recipients", lines[1]); // 300 demo clients: the total itself is flagged small (" *")
        Assert.True(lines.Length >= 3, text);
        Assert.DoesNotMatch(@"\+7\d{10}", text);
    }

    [Fact]
    public async Task CampaignManagerOfAnotherDepartment_SeesNoResults_AndGetsNoCsv()
    {
        var id = await FirstDemoCampaignAsync();
        var (client, html) = await OpenAsAsync(Roles.CampaignManager, $"/analytics/campaigns/{id}");
        Assert.Contains("data-testid=\"results-load-error\"", html);
        Assert.DoesNotContain("data-testid=\"tile-uplift\"", html);

        var csv = await client.GetAsync($"/analytics/campaigns/{id}/results.csv");
        Assert.Equal(HttpStatusCode.NotFound, csv.StatusCode);
    }
}
