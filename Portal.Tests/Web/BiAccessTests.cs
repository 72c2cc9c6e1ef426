using System.Net;
using System.Security.Claims;
using Microsoft.Extensions.DependencyInjection;
using Portal.Domain.Access;
using Portal.Infrastructure.Bi;
using Portal.Tests.Support;

namespace Portal.Tests.Web;

/// <summary>Issue 16 through the real host: who opens the export and finance pages, who downloads an export.</summary>
public sealed class BiAccessTests : IAsyncLifetime
{
    private readonly PortalAppFactory _app = new(demoClients: 50);
    private readonly string _folder = Directory.CreateTempSubdirectory("portal-bi-web-").FullName;

    public async Task InitializeAsync()
    {
        _app.Settings["Sending:EmbeddedSimulator"] = "false";
        _app.Settings["Bi:ExportFolder"] = _folder;
        await _app.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        Directory.Delete(_folder, true);
    }

    [Theory]
    [InlineData(Roles.Analyst, true)]
    [InlineData(Roles.Manager, true)]
    [InlineData(Roles.Administrator, true)]
    [InlineData(Roles.CampaignManager, false)]
    [InlineData(Roles.Auditor, false)]
    [InlineData(Roles.Trainer, false)]
    public async Task ExportAndFinancePages_AreForAnalystsManagersAndAdministrators(string role, bool allowed)
    {
        var exports = await _app.OpenPageAsAsync(role, "bi/exports", allowed);
        if (!allowed) return;
        Assert.Contains("data-testid=\"export-history\"", exports);
        var (email, password) = await _app.CreateUserAsync(role);
        var client = _app.CreateBrowserlikeClient();
        await PortalAppFactory.PostLoginAsync(client, email, password);
        var finance = WebUtility.HtmlDecode(await client.GetStringAsync("/bi/finance"));
        Assert.Contains("data-testid=\"cost-table\"", finance);
    }

    [Fact]
    public async Task Download_IsForTheRequesterOnly_AndStreamsTheFile()
    {
        var (email, password) = await _app.CreateUserAsync(Roles.Analyst);
        var exporter = _app.Services.GetRequiredService<BiExporter>();
        var user = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, email), new Claim(ClaimTypes.Role, Roles.Analyst)], "test"));
        var export = await exporter.ExportForUserAsync(user, new BiExportRequest(BiDatasets.Campaigns, BiFormat.Csv, new BiFilter(), Bom: true), null, CancellationToken.None);
        Assert.Equal(BiExportStatus.Succeeded, export.Status);

        var owner = _app.CreateBrowserlikeClient();
        await PortalAppFactory.PostLoginAsync(owner, email, password);
        var response = await owner.GetAsync($"/bi/exports/{export.Id}/download");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF }, bytes[..3]);
        Assert.StartsWith("campaign_id,", System.Text.Encoding.UTF8.GetString(bytes[3..]), StringComparison.Ordinal);

        var (other, otherPassword) = await _app.CreateUserAsync(Roles.Analyst);
        var stranger = _app.CreateBrowserlikeClient();
        await PortalAppFactory.PostLoginAsync(stranger, other, otherPassword);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync($"/bi/exports/{export.Id}/download")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await owner.GetAsync("/bi/exports/999999/download")).StatusCode);
    }
}
