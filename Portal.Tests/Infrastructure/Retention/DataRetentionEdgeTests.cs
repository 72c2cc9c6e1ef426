using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Portal.Domain.Audit;
using Portal.Domain.Clients;
using Portal.Domain.Messages;
using Portal.Infrastructure;
using Portal.Infrastructure.Bi;
using Portal.Infrastructure.Messaging;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Retention;
using Portal.Infrastructure.Sending;
using Portal.Tests.Support;

namespace Portal.Tests.Infrastructure.Retention;

/// <summary>
/// Issue 21: a retention run that fails part-way keeps the counts it reached and says where it
/// stopped (report row and audit entry), and the nightly job runs through the real Quartz wiring.
/// </summary>
public sealed class DataRetentionEdgeTests
{
    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task ARunThatFailsPartWay_KeepsTheCountsSoFar_AndReportsTheFailure(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var now = DateTime.UtcNow;
        await using (var db = database.CreateContext())
        {
            var client = new Client(PhoneNumber.Parse("+79160000555"), "Anna", null, now.AddDays(-800));
            db.Clients.Add(client);
            await db.SaveChangesAsync();
            for (var i = 0; i < 3; i++) db.Messages.Add(new Message(null, client.Id, "+79160000001", now.AddDays(-400)) { Status = MessageStatus.Delivered });
            await db.SaveChangesAsync();
        }
        // The dead-letter step names a queue the bus refuses (reserved by RabbitMQ): the run stops there, after the message numbers were blanked.
        var sending = new SendingOptions { InboundQueue = "amq.reserved" };
        var bus = new InProcessMessageBus(new MessagingOptions(), NullLogger<InProcessMessageBus>.Instance);
        var exportFiles = new BiExportFiles(database.Factory, Options.Create(new BiOptions()),
            new Microsoft.Extensions.Hosting.Internal.HostingEnvironment { ContentRootPath = Path.GetTempPath() }, TimeProvider.System, NullLogger<BiExportFiles>.Instance);
        var retention = new DataRetention(database.Factory, bus, Options.Create(sending), exportFiles,
            Options.Create(new RetentionOptions { BatchSize = 2 }), TimeProvider.System, NullLogger<DataRetention>.Instance);

        var run = await retention.RunAsync(default);

        Assert.False(run.Succeeded);
        Assert.StartsWith("ArgumentException: ", run.Error);
        Assert.Equal(3, run.MessagePhones);
        await using var read = database.CreateContext();
        var stored = await read.RetentionRuns.SingleAsync();
        Assert.Equal((false, 3L), (stored.Succeeded, stored.MessagePhones));
        Assert.NotNull(stored.FinishedAt);
        var audit = await read.AuditEntries.SingleAsync(a => a.Action == AuditActions.RetentionRun);
        Assert.EndsWith(" failed", audit.Details);
        Assert.Equal(0, await read.Messages.CountAsync(m => m.Phone == "+79160000001"));
    }

    [Fact]
    public async Task TheNightlyJob_FiresThroughTheScheduler_AndStoresAReport()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        var root = Directory.CreateTempSubdirectory("portal-host-").FullName;
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = root, EnvironmentName = "Test" });
        builder.Configuration["Database:Provider"] = "Sqlite";
        builder.Configuration["Database:ConnectionString"] = database.ConnectionString;
        builder.Configuration["Retention:Cron"] = "* * * * * ?";
        builder.AddPortalInfrastructure();
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            var runs = 0;
            while (runs == 0 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
                await using var read = database.CreateContext();
                runs = await read.RetentionRuns.CountAsync(r => r.Succeeded);
            }
            Assert.True(runs > 0, "the every-second retention trigger did not fire within 60 s");
        }
        finally
        {
            await host.StopAsync();
            Directory.Delete(root, recursive: true);
        }
    }
}
