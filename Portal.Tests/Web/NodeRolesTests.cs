using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Portal.Infrastructure.Cluster;
using Portal.Infrastructure.Sending;
using Portal.Tests.Support;
using Quartz;

namespace Portal.Tests.Web;

/// <summary>
/// Issue 13, node roles: the real host started with each <c>Node:Roles</c> runs exactly the
/// hosted services and serves exactly the endpoints of its roles.
/// </summary>
public class NodeRolesTests
{
    [Theory]
    [InlineData(null, true, true, true)]
    [InlineData("web", true, false, false)]
    [InlineData("scheduler", false, true, false)]
    [InlineData("sender", false, false, true)]
    [InlineData("web,scheduler", true, true, false)]
    [InlineData("scheduler, sender", false, true, true)]
    public async Task EachRole_RunsItsServices_AndOnlyThose(string? roles, bool web, bool scheduler, bool sender)
    {
        await using var app = new PortalAppFactory(demoClients: 0);
        if (roles is not null)
        {
            app.Settings[NodeRoles.Key] = roles;
        }
        await app.StartAsync();

        var hosted = app.Services.GetServices<IHostedService>().Select(s => s.GetType().Name).ToList();
        Assert.Equal(sender, hosted.Contains(nameof(SendingService)));
        Assert.Equal(sender, hosted.Contains(nameof(EmbeddedSmsc)));
        Assert.Equal(sender, hosted.Contains("ProviderStatsPublisher"));
        Assert.Equal(scheduler, hosted.Contains("QuartzHostedService"));
        Assert.Equal(scheduler, hosted.Contains("CampaignScheduleLoader"));
        Assert.Equal(scheduler, hosted.Contains("SyncScheduleLoader"));
        Assert.Equal(scheduler, hosted.Contains("AttributionService"));
        Assert.Equal(scheduler, app.Services.GetService<ISchedulerFactory>() is not null);
        // The options every sending component reads agree: a non-sender never consumes or connects.
        Assert.Equal(sender, app.Services.GetRequiredService<IOptions<SendingOptions>>().Value.Enabled);

        var client = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health")).StatusCode);
        var login = await client.GetAsync("/Account/Login");
        Assert.Equal(web ? HttpStatusCode.OK : HttpStatusCode.NotFound, login.StatusCode);
        // The CRM API: refused without a key where it exists, absent elsewhere.
        var api = await client.PostAsync("/api/v1/events", new StringContent("[]", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(web ? HttpStatusCode.Unauthorized : HttpStatusCode.NotFound, api.StatusCode);
    }

    [Theory]
    [InlineData(null, NodeRole.All)]
    [InlineData("", NodeRole.All)]
    [InlineData("Web, Sender", NodeRole.Web | NodeRole.Sender)]
    [InlineData("scheduler", NodeRole.Scheduler)]
    public void Roles_Parse(string? value, NodeRole expected) => Assert.Equal(expected, NodeRoles.Parse(value));

    [Fact]
    public void AnUnknownRole_StopsTheStart_WithTheReason()
    {
        var e = Assert.Throws<OptionsValidationException>(() => NodeRoles.Parse("web,mailer"));
        Assert.Contains("mailer", e.Message);
    }
}
