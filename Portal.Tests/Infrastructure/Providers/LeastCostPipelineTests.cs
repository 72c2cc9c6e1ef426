using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Portal.Domain.Campaigns;
using Portal.Domain.Clients;
using Portal.Domain.Messages;
using Portal.Domain.Segments;
using Portal.Infrastructure;
using Portal.Infrastructure.Campaigns;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Providers;
using Portal.Infrastructure.Sending;
using Portal.Infrastructure.Smpp.Simulator;
using Portal.Tests.Support;

namespace Portal.Tests.Infrastructure.Providers;

/// <summary>
/// The lead's one-line switch, tried ahead: the real pipeline (launch, chunks, sender, receipts)
/// with <see cref="LeastCostMessageRouter"/> as its <see cref="IMessageRouter"/> and two SMSC
/// simulators over TCP, passwords encrypted in the registry.
/// </summary>
public sealed class LeastCostPipelineTests
{
    [Fact]
    public async Task Campaign_EachNumberGoesThroughItsCheapestProvider_CostsFromThePriceList()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using var a = new SmscSimulator(new SmscSimulatorOptions { KeepMessages = true, ReceiptDelay = TimeSpan.FromMilliseconds(5), Credentials = { ["alpha"] = "pwA" } });
        await using var b = new SmscSimulator(new SmscSimulatorOptions { KeepMessages = true, ReceiptDelay = TimeSpan.FromMilliseconds(5), Credentials = { ["beta"] = "pwB" } });
        var portA = (await a.StartAsync()).Port;
        var portB = (await b.StartAsync()).Port;
        var (host, root) = Build(database);
        using var _host = host;

        var store = host.Services.GetRequiredService<ProviderStore>();
        var idA = await store.CreateAsync(ProviderHarness.Admin, ProviderHarness.Smpp("Alpha", portA, "alpha", "pwA", 0.20m), default);
        var idB = await store.CreateAsync(ProviderHarness.Admin, ProviderHarness.Smpp("Beta", portB, "beta", "pwB", 0.30m), default);
        // +79000000100 .. +79000000199 are cheaper through Beta.
        var import = await host.Services.GetRequiredService<PriceListImport>().ImportAsync(ProviderHarness.Admin, idB,
            new StringReader("destination,price,currency,valid_from\n790000001,0.10,RUB,2026-01-01\n"), PriceImportMode.Replace, default);
        Assert.True(import.Applied);
        var campaignId = await SeedAsync(database, 300);
        await host.StartAsync();
        try
        {
            var launch = await host.Services.GetRequiredService<CampaignLauncher>().LaunchAsync(campaignId, default);
            Assert.Equal(300, launch!.Messages);
            var deadline = DateTime.UtcNow.AddMinutes(2);
            List<(int? Provider, MessageStatus Status, decimal Cost)> rows;
            do
            {
                await Task.Delay(200);
                await using var db = database.CreateContext();
                rows = (await db.Messages.Where(m => m.CampaignId == campaignId).Select(m => new { m.ProviderId, m.Status, m.Cost }).ToListAsync())
                    .Select(m => (m.ProviderId, m.Status, m.Cost)).ToList();
            }
            while (rows.Any(r => r.Status is not (MessageStatus.Delivered or MessageStatus.Undeliverable or MessageStatus.Rejected or MessageStatus.Expired))
                   && DateTime.UtcNow < deadline);

            Assert.All(rows, r => Assert.Equal(MessageStatus.Delivered, r.Status));
            Assert.Equal(100, rows.Count(r => r.Provider == idB));
            Assert.Equal(200, rows.Count(r => r.Provider == idA));
            Assert.Equal(100 * 0.10m + 200 * 0.20m, rows.Sum(r => r.Cost));
            Assert.Equal(100, b.Statistics.Accepted);
            Assert.Equal(200, a.Statistics.Accepted);
            Assert.All(b.Messages, m => Assert.StartsWith("790000001", m.To.Value.TrimStart('+')));
        }
        finally
        {
            await host.StopAsync();
            try
            {
                root.Delete(recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }


    [Fact]
    public async Task Campaign_CheapestProviderDown_EverythingGoesThroughTheOther()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        var down = new SmscSimulator(new SmscSimulatorOptions());
        var portDown = (await down.StartAsync()).Port;
        await down.DisposeAsync(); // nothing listens there any more
        await using var b = new SmscSimulator(new SmscSimulatorOptions { KeepMessages = true, ReceiptDelay = TimeSpan.FromMilliseconds(5), Credentials = { ["beta"] = "pwB" } });
        var portB = (await b.StartAsync()).Port;
        var (host, root) = Build(database);
        using var _host = host;
        var store = host.Services.GetRequiredService<ProviderStore>();
        var idA = await store.CreateAsync(ProviderHarness.Admin, ProviderHarness.Smpp("Alpha", portDown, "alpha", "pwA", 0.10m), default);
        var idB = await store.CreateAsync(ProviderHarness.Admin, ProviderHarness.Smpp("Beta", portB, "beta", "pwB", 0.30m), default);
        var campaignId = await SeedAsync(database, 200);
        await host.StartAsync();
        try
        {
            await host.Services.GetRequiredService<CampaignLauncher>().LaunchAsync(campaignId, default);
            var deadline = DateTime.UtcNow.AddMinutes(2);
            List<(int? Provider, MessageStatus Status)> rows;
            do
            {
                await Task.Delay(200);
                await using var db = database.CreateContext();
                rows = (await db.Messages.Where(m => m.CampaignId == campaignId).Select(m => new { m.ProviderId, m.Status }).ToListAsync())
                    .Select(m => (m.ProviderId, m.Status)).ToList();
            }
            while (rows.Any(r => r.Status != MessageStatus.Delivered) && DateTime.UtcNow < deadline);

            Assert.Equal(200, rows.Count(r => r.Status == MessageStatus.Delivered && r.Provider == idB));
            Assert.Equal(200, b.Statistics.Accepted);
            Assert.Equal(Portal.Domain.Providers.CircuitState.Open, host.Services.GetRequiredService<ProviderHealthBoard>().For(idA).State);
        }
        finally
        {
            await host.StopAsync();
            try
            {
                root.Delete(recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static (IHost Host, DirectoryInfo Root) Build(TestDatabase database)
    {
        var root = Directory.CreateTempSubdirectory("portal-lcr-");
        var queues = "lcr-test-" + Guid.NewGuid().ToString("N")[..10];
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Testing", ContentRootPath = root.FullName });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:Provider"] = database.Provider.ToString(),
            ["Database:ConnectionString"] = database.ConnectionString,
            ["Messaging:Transport"] = "InProcess",
            ["Messaging:RetryDelay"] = "00:00:00.200",
            ["Scheduling:Enabled"] = "false",
            ["Sending:EmbeddedSimulator"] = "false",
            ["Sending:ChunkQueue"] = queues + ".chunks",
            ["Sending:ReceiptQueue"] = queues + ".receipts",
            ["Sending:SweepInterval"] = "00:00:00.500",
            // The production grace: a provider that is down makes the first routes wait for its bind
            // (up to 10 s), and a shorter grace would make that live sender look dead to the sweeper.
            ["Sending:InFlightGrace"] = "00:00:30",
            ["Sending:ReceiptRetryDelay"] = "00:00:00.200",
            ["DataProtection:KeysPath"] = Path.Combine(root.FullName, "keys"),
        });
        builder.Logging.ClearProviders();
        builder.AddPortalInfrastructure();
        builder.Services.AddSingleton<IMessageRouter>(sp => sp.GetRequiredService<LeastCostMessageRouter>());
        return (builder.Build(), root);
    }

    private static async Task<int> SeedAsync(TestDatabase database, int count)
    {
        var at = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        await using var db = database.CreateContext();
        for (var i = 0; i < count; i++)
        {
            var client = new Client(PhoneNumber.Parse($"+7900{i + 1:D7}"), "Client" + i, null, at);
            client.SetConsent(ConsentPurpose.Advertising, true, at, "test", null);
            db.Clients.Add(client);
        }
        var now = DateTime.UtcNow;
        var segment = new Segment("Everyone", null, SegmentRuleJson.Serialize(SegmentRule.Everyone()), "test", now);
        db.Segments.Add(segment);
        await db.SaveChangesAsync();
        var campaign = new Campaign("LCR campaign", null, MessagePurpose.Service, "author", now, new CampaignSettings { SegmentId = segment.Id, Body = "Hello {{ client.first_name }}", SenderId = "Portal", QuietHoursEnabled = false });
        campaign.Schedule(now, now);
        db.Campaigns.Add(campaign);
        await db.SaveChangesAsync();
        return campaign.Id;
    }
}
