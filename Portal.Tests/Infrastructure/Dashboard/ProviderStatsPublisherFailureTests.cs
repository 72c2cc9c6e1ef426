using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Portal.Infrastructure.Dashboard;
using Portal.Infrastructure.Messaging;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Providers;
using Portal.Infrastructure.Sending;
using Portal.Tests.Infrastructure.Sending;

namespace Portal.Tests.Infrastructure.Dashboard;

/// <summary>The statistics publisher with its database gone: it warns and tries again next tick instead of stopping.</summary>
public class ProviderStatsPublisherFailureTests
{
    private sealed class UnreachableDatabase : IDbContextFactory<PortalDbContext>
    {
        public int Attempts;

        public PortalDbContext CreateDbContext()
        {
            Interlocked.Increment(ref Attempts);
            throw new InvalidOperationException("database down");
        }
    }

    [Fact]
    public async Task DatabaseDown_EachTickWarnsAndTriesAgain()
    {
        await using var bus = new InProcessMessageBus(new MessagingOptions(), NullLogger<InProcessMessageBus>.Instance);
        await using var connections = new ProviderConnections(new ReceiptForwarder(bus, Options.Create(new SendingOptions()), NullLogger<ReceiptForwarder>.Instance), NullLoggerFactory.Instance);
        var database = new UnreachableDatabase();
        var lines = new ConcurrentQueue<string>();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(new CapturingLoggerProvider(lines)));
        var publisher = new ProviderStatsPublisher(connections, database, Options.Create(new DashboardOptions { PublishInterval = TimeSpan.FromMilliseconds(20) }),
            TimeProvider.System, loggers.CreateLogger<ProviderStatsPublisher>());

        await publisher.StartAsync(default);
        try
        {
            // Cleanup is due on the first tick only; with the database down it stays due, so every tick tries.
            await Portal.Tests.Infrastructure.Smpp.SmppConnectorTests.WaitUntilAsync(() => Volatile.Read(ref database.Attempts) >= 2, 10_000);
        }
        finally
        {
            await publisher.StopAsync(default);
        }

        Assert.Contains(lines, l => l.StartsWith("Warning") && l.Contains("Provider statistics not published") && l.Contains("database down"));
    }
}
