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
    public async Task Analyst_ComparesInAndOutOfASavedAudience_PhoneAudienceRefused()
    {
        // Issue 15 item 3: the breakdown by any saved audience, as the page's CSV (the same cells it shows).
        var id = await FirstDemoCampaignAsync();
        int byRegion, byPhone;
        await using (var scope = _app.Services.CreateAsyncScope())
        {
            var segments = scope.ServiceProvider.GetRequiredService<Portal.Infrastructure.Segments.SegmentStore>();
            Portal.Domain.Segments.SegmentRule Rule(string criterion, Portal.Domain.Segments.RuleOperator op, System.Text.Json.Nodes.JsonNode value) =>
                new() { Root = new Portal.Domain.Segments.RuleGroup { Children = [new Portal.Domain.Segments.RuleCondition { Criterion = criterion, Operator = op, Value = value }] } };
            (byRegion, _) = await segments.SaveAsync(null, "Moscow", Rule(Portal.Domain.Segments.Criteria.Region, Portal.Domain.Segments.RuleOperator.In, new System.Text.Json.Nodes.JsonArray("MOW")), null, "lead@portal.local", default);
            (byPhone, _) = await segments.SaveAsync(null, "Phones", Rule(Portal.Domain.Segments.Criteria.PhonePrefix, Portal.Domain.Segments.RuleOperator.StartsWith, System.Text.Json.Nodes.JsonValue.Create("+7900")!), null, "lead@portal.local", default);
        }
        var (client, html) = await OpenAsAsync(Roles.Analyst, $"/analytics/campaigns/{id}?by=audience&audience={byRegion}");
        Assert.Contains("Inside the audience", html);
        Assert.Contains("Outside the audience", html);

        var csv = await client.GetAsync($"/analytics/campaigns/{id}/results.csv?by=audience&audience={byRegion}");
        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        var lines = (await csv.Content.ReadAsStringAsync()).TrimStart('\uFEFF').Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, lines.Length);
        Assert.StartsWith("Inside the audience", lines[2]);
        Assert.StartsWith("Outside the audience", lines[3]);
        // The second column, quoted when its thousands separator is a comma.
        long Recipients(string line) => long.Parse(new string(System.Text.RegularExpressions.Regex.Match(line, "^(?:\"[^\"]*\"|[^,]*),(\"[^\"]*\"|[^,]*)").Groups[1].Value.Where(char.IsDigit).ToArray()), System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(Recipients(lines[1]), Recipients(lines[2]) + Recipients(lines[3]));

        // The analyst sees no personal data: an audience by phone would single clients out.
        var refused = await client.GetAsync($"/analytics/campaigns/{id}/results.csv?by=audience&audience={byPhone}");
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("Phone conditions need the personal-data permission.", await refused.Content.ReadAsStringAsync());
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
