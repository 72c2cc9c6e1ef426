using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Domain.Access;
using Portal.Domain.Audit;
using Portal.Infrastructure.Persistence;
using Portal.Tests.Support;

namespace Portal.Tests.Web;

/// <summary>Issue 14: the auditor filters the audit log by date and exports it as formula-safe CSV; the export is audited.</summary>
public class AuditExportTests : IAsyncLifetime
{
    private readonly PortalAppFactory _app = new(demoClients: 0);

    public async Task InitializeAsync() => await _app.StartAsync();

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task Export_HonoursTheDateFilter_DefusesFormulas_AndIsForAuditorsOnly()
    {
        await using (var scope = _app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
            db.AuditEntries.AddRange(
                new AuditEntry(new DateTime(2026, 3, 1, 23, 59, 0, DateTimeKind.Utc), null, "=HYPERLINK(\"http://x\")", "test.in-range", details: " =1+1"),
                new AuditEntry(new DateTime(2026, 3, 2, 0, 0, 0, DateTimeKind.Utc), null, "@SUM(A1)", "test.in-range", details: "－2"),
                new AuditEntry(new DateTime(2026, 3, 3, 0, 0, 0, DateTimeKind.Utc), null, "late", "test.out-of-range"),
                new AuditEntry(new DateTime(2026, 2, 28, 23, 59, 59, DateTimeKind.Utc), null, "early", "test.out-of-range"));
            await db.SaveChangesAsync();
        }
        var (auditor, password) = await _app.CreateUserAsync(Roles.Auditor);
        var client = _app.CreateBrowserlikeClient();
        await PortalAppFactory.PostLoginAsync(client, auditor, password);

        var response = await client.GetAsync("/audit/export.csv?from=2026-03-01&to=2026-03-02");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType!.MediaType);
        var lines = (await response.Content.ReadAsStringAsync()).TrimStart('\uFEFF').Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.TrimEnd('\r')).ToList();
        Assert.StartsWith("id,at_utc,", lines[0]);
        Assert.Equal(3, lines.Count);
        Assert.DoesNotContain(lines, l => l.Contains("out-of-range"));
        Assert.Contains(lines, l => l.Contains(",\"'=HYPERLINK(\"\"http://x\"\")\",test.in-range,") && l.Contains(",' =1+1,"));
        Assert.Contains(lines, l => l.Contains(",'@SUM(A1),") && l.Contains(",'－2,"));
        Assert.All(lines.Skip(1), l => Assert.Matches(",[0-9a-f]{64}$", l));

        await using (var scope = _app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
            Assert.True(await db.AuditEntries.AnyAsync(a => a.Action == AuditActions.AuditExported && a.UserName == auditor && a.Details == "from=2026-03-01&to=2026-03-02"));
        }

        var (manager, managerPassword) = await _app.CreateUserAsync(Roles.CampaignManager);
        var other = _app.CreateBrowserlikeClient();
        await PortalAppFactory.PostLoginAsync(other, manager, managerPassword);
        var denied = await other.GetAsync("/audit/export.csv");
        Assert.Equal(HttpStatusCode.Redirect, denied.StatusCode);
        Assert.Contains("AccessDenied", denied.Headers.Location!.ToString());
    }
}
