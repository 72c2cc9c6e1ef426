using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Domain.Messages;
using Portal.Infrastructure.Campaigns;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Providers;
using Portal.Infrastructure.Sending;
using Portal.Tests.Infrastructure.Sending;

namespace Portal.Tests.Infrastructure.Cluster;

/// <summary>Issue 13: a second node's built-in simulator starting and stopping does not take the first node's route.</summary>
public sealed class EmbeddedSmscSharingTests
{
    [Fact]
    public async Task SecondNodesSimulator_StartsAndStops_FirstNodeStillSendsThroughItsOwn()
    {
        await using var h = await DispatchHarness.CreateAsync(DatabaseProvider.Sqlite, rabbit: false, settings: new()
        {
            ["Sending:EmbeddedSimulator"] = "true",
            // Outside Development the simulator runs only in a declared demo (issue 14).
            ["Smsc:Demo"] = "true",
        });
        await h.SeedClientsAsync(40);
        await h.StartAsync();

        // Node B: its own simulator on its own port, writing to the same provider row, then stopping.
        var other = new EmbeddedSmsc(h.Get<IDbContextFactory<PortalDbContext>>(), h.Get<ProviderRegistryVersion>(),
            h.Get<IOptions<SendingOptions>>(), h.Get<IOptions<SmscOptions>>(), h.Get<Microsoft.Extensions.Hosting.IHostEnvironment>(), h.Get<SandboxReplies>(), h.Get<ILoggerFactory>());
        await other.StartAsync(default);
        Assert.NotEqual(h.Get<EmbeddedSmsc>().Endpoint!.Port, other.Endpoint!.Port);
        await other.StopAsync(default);

        int embeddedId;
        await using (var db = h.Database.CreateContext())
        {
            var row = await db.Providers.SingleAsync(p => p.Name == EmbeddedSmsc.ProviderName);
            Assert.DoesNotContain(other.Endpoint.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), row.SettingsJson);
            embeddedId = row.Id;
        }
        var campaignId = await h.CreateCampaignAsync(s => s with { ProviderId = embeddedId });
        await h.Get<CampaignLauncher>().LaunchAsync(campaignId, default);
        await h.WaitUntilAsync(campaignId, c => DispatchHarness.AllFinal(c) && c.Values.Sum() == 40, TimeSpan.FromSeconds(90));
        var counts = await h.CountsAsync(campaignId);
        Assert.True(counts.GetValueOrDefault(MessageStatus.Delivered) >= 30, "sent through node A's own simulator");
    }
}
