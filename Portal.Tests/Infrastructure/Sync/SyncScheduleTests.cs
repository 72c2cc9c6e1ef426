using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Portal.Infrastructure;
using Portal.Infrastructure.Integrations.Sync;
using Portal.Infrastructure.Persistence;
using Portal.Tests.Support;

namespace Portal.Tests.Infrastructure.Sync;

/// <summary>The real wiring (AddPortalInfrastructure → Quartz in memory) in a started generic host.</summary>
public class SyncScheduleTests
{
    private static async Task<(IHost Host, string ContentRoot)> StartHostAsync(TestDatabase portal)
    {
        var root = Directory.CreateTempSubdirectory("portal-host-").FullName;
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = root, EnvironmentName = "Test" });
        builder.Configuration["Database:Provider"] = portal.Provider.ToString();
        builder.Configuration["Database:ConnectionString"] = portal.ConnectionString;
        builder.Configuration["Sync:AllowedHosts:0"] = "127.0.0.1";
        builder.AddPortalInfrastructure();
        var host = builder.Build();
        await host.StartAsync();
        return (host, root);
    }

    private static async Task<int> WaitForRunsAsync(TestDatabase portal, int sourceId, int atLeast, TimeSpan within)
    {
        var until = DateTime.UtcNow + within;
        int count;
        do
        {
            await Task.Delay(200);
            await using var read = portal.CreateContext();
            count = await read.SyncRuns.CountAsync(r => r.SourceId == sourceId && r.FinishedAt != null);
        } while (count < atLeast && DateTime.UtcNow < until);
        return count;
    }

    [Fact]
    public async Task ACronSource_Fires_AndRunNow_RunsADisabledOne()
    {
        await using var portal = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using var source = await SourceDatabase.CreateAsync();
        await source.ExecAsync(PostgresSyncTests.ClientsTable + "INSERT INTO crm_clients VALUES ('Q1', '+79161112233', 'Анна', NULL, 1, '2026-11-20 10:00:00+00');");
        var (host, root) = await StartHostAsync(portal);
        try
        {
            var catalog = host.Services.GetRequiredService<SyncSourceCatalog>();
            var everySecond = await catalog.CreateAsync(SyncHarness.Admin, PostgresSyncTests.ClientsDraft(source.ConnectionString) with { Cron = "* * * * * ?" }, default);
            Assert.True(await WaitForRunsAsync(portal, everySecond, 2, TimeSpan.FromSeconds(15)) >= 2, "the every-second trigger did not fire twice within 15 s");
            var listed = Assert.Single(await catalog.ListAsync(default));
            Assert.NotNull(listed.NextFire);
            Assert.True(listed.LastRun!.Succeeded, listed.LastRun.Error);
            await using (var read = portal.CreateContext())
            {
                Assert.Equal(1, await read.Clients.CountAsync(c => c.ExternalId == "Q1"));
            }

            // Disabling removes the trigger; "run now" still runs the job.
            await catalog.SetEnabledAsync(SyncHarness.Admin, everySecond, false, default);
            var disabled = await catalog.CreateAsync(SyncHarness.Admin,
                PostgresSyncTests.ClientsDraft(source.ConnectionString, name: "Manual") with { Enabled = false, Cron = "0 0 0 1 1 ? 2099" }, default);
            Assert.Null((await catalog.ListAsync(default)).Single(s => s.Id == disabled).NextFire);
            await catalog.RunNowAsync(disabled, default);
            Assert.Equal(1, await WaitForRunsAsync(portal, disabled, 1, TimeSpan.FromSeconds(10)));

            // Deleting removes the job and the history.
            Assert.True(await catalog.DeleteAsync(SyncHarness.Admin, everySecond, default));
            await using (var read = portal.CreateContext())
            {
                Assert.Equal(0, await read.SyncRuns.CountAsync(r => r.SourceId == everySecond));
            }
        }
        finally
        {
            await host.StopAsync();
            host.Dispose();
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task Sources_AreRescheduledFromTheDatabase_AtStart()
    {
        await using var portal = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using var source = await SourceDatabase.CreateAsync();
        await source.ExecAsync(PostgresSyncTests.ClientsTable);
        int id;
        var (first, root) = await StartHostAsync(portal);
        try
        {
            id = await first.Services.GetRequiredService<SyncSourceCatalog>().CreateAsync(SyncHarness.Admin,
                PostgresSyncTests.ClientsDraft(source.ConnectionString) with { Cron = "0 0 3 * * ?" }, default);
        }
        finally
        {
            await first.StopAsync();
            first.Dispose();
        }

        // A second host over the same database and key ring: its in-memory scheduler starts empty and is rebuilt.
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = root, EnvironmentName = "Test" });
        builder.Configuration["Database:Provider"] = portal.Provider.ToString();
        builder.Configuration["Database:ConnectionString"] = portal.ConnectionString;
        builder.AddPortalInfrastructure();
        using var second = builder.Build();
        await second.StartAsync();
        try
        {
            var row = Assert.Single(await second.Services.GetRequiredService<SyncSourceCatalog>().ListAsync(default));
            Assert.Equal(id, row.Id);
            Assert.Equal(3, row.NextFire!.Value.UtcDateTime.Hour);
            Assert.EndsWith("/" + source.Name, row.Where); // decrypted with the persisted key ring
        }
        finally
        {
            await second.StopAsync();
            Directory.Delete(root, recursive: true);
        }
    }
}
