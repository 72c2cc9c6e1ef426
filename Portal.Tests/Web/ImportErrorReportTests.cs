using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Domain.Access;
using Portal.Domain.Audit;
using Portal.Domain.Imports;
using Portal.Infrastructure.Importing;
using Portal.Infrastructure.Persistence;
using Portal.Tests.Support;

namespace Portal.Tests.Web;

/// <summary>The downloadable error report of an import: only for roles with personal data, formula-safe, audited.</summary>
public class ImportErrorReportTests : IAsyncLifetime
{
    private readonly PortalAppFactory _app = new(demoClients: 0);

    public async Task InitializeAsync() => await _app.StartAsync();

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task ErrorReport_IsACsvOfRowsAndReasons_ForPersonalDataRolesOnly()
    {
        var path = Path.GetTempFileName();
        await File.WriteAllTextAsync(path, "external_id,phone,=cmd|' /C calc'!A0\nC1,12345,x\nC2,+79161234567,y\n");
        var importer = _app.Services.GetRequiredService<ClientImporter>();
        var mapping = new ClientField?[] { ClientField.ExternalId, ClientField.Phone, null };
        var request = new ImportRequest(path, "crm.csv", mapping, ImportMode.ValidRowsOnly, ImportMatch.ExternalId, "tester") { UnknownColumns = new HashSet<int> { 2 } };
        var job = await importer.RunAsync(await importer.CreateJobAsync(request, default), request, null, default);
        Assert.Equal((1, 1), (job.Inserted, job.Rejected));

        var (manager, managerPassword) = await _app.CreateUserAsync(Roles.CampaignManager);
        var client = _app.CreateBrowserlikeClient();
        await PortalAppFactory.PostLoginAsync(client, manager, managerPassword);
        var response = await client.GetAsync($"/clients/import/{job.Id}/errors.csv");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType!.MediaType);
        var lines = (await response.Content.ReadAsStringAsync()).TrimStart('\uFEFF').Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("row,column,reason", lines[0].TrimEnd('\r'));
        Assert.Contains(lines, l => l.StartsWith("1,'=cmd|' /C calc'!A0,Unknown column"));
        Assert.Contains(lines, l => l.StartsWith("2,phone,'12345' is not a valid phone number."));

        await using (var scope = _app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
            Assert.True(await db.AuditEntries.AnyAsync(a => a.Action == AuditActions.PersonalDataExported && a.EntityId == job.Id.ToString() && a.UserName == manager));
        }

        var (analyst, analystPassword) = await _app.CreateUserAsync(Roles.Analyst);
        var other = _app.CreateBrowserlikeClient();
        await PortalAppFactory.PostLoginAsync(other, analyst, analystPassword);
        var denied = await other.GetAsync($"/clients/import/{job.Id}/errors.csv");
        Assert.Equal(HttpStatusCode.Redirect, denied.StatusCode);
        Assert.Contains("AccessDenied", denied.Headers.Location!.ToString());
    }
}
