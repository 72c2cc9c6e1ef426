using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Portal.Domain.Campaigns;
using Portal.Domain.Clients;
using Portal.Domain.Messages;
using Portal.Domain.Providers;
using Portal.Domain.Segments;
using Portal.Infrastructure;
using Portal.Infrastructure.Campaigns;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Sending;
using Portal.Infrastructure.Smpp.Simulator;
using Portal.Tests.Support;

namespace Portal.Tests.Infrastructure.Sending;

/// <summary>
/// The real pipeline around one database: a host built by AddPortalInfrastructure (senders,
/// receipts, sweeper) on the chosen bus, and an SMSC simulator over loopback TCP as the provider.
/// Queues are unique per harness; hosts can be started, stopped and started again (crash drills).
/// </summary>
internal sealed class DispatchHarness : IAsyncDisposable
{
    private readonly bool _rabbit;
    private readonly string _queues = "pipeline-test-" + Guid.NewGuid().ToString("N")[..10];
    private readonly string _root = Path.Combine(Path.GetTempPath(), "portal-dispatch-" + Guid.NewGuid().ToString("N")[..10]);
    private readonly Dictionary<string, string?> _settings;

    private DispatchHarness(TestDatabase database, SmscSimulator smsc, bool rabbit, Dictionary<string, string?> settings)
    {
        Database = database;
        Smsc = smsc;
        _rabbit = rabbit;
        _settings = settings;
    }

    public TestDatabase Database { get; }
    public SmscSimulator Smsc { get; }
    public IHost? Host { get; private set; }
    public TimeProvider? Clock { get; set; }
    public int ProviderId { get; private set; }
    /// <summary>Set before <see cref="StartAsync"/>: every log line (Debug and up, formatted, with exceptions) lands in <see cref="Logs"/>.</summary>
    public bool CaptureLogs { get; set; }
    public System.Collections.Concurrent.ConcurrentQueue<string> Logs { get; } = new();
    /// <summary>Extra registrations after the app's own (issue 22: an in-memory span exporter).</summary>
    public Action<IServiceCollection>? TestServices { get; set; }
    /// <summary>The queues' common prefix: "{prefix}.chunks", ".receipts", ".inbound".</summary>
    public string QueuePrefix => _queues;

    public IServiceProvider Services => (Host ?? throw new InvalidOperationException("Start the host first.")).Services;

    public static async Task<DispatchHarness> CreateAsync(DatabaseProvider provider, bool rabbit,
        Action<SmscSimulatorOptions>? smsc = null, Dictionary<string, string?>? settings = null)
    {
        var database = await TestDatabase.CreateAsync(provider);
        var options = new SmscSimulatorOptions { KeepMessages = true, ReceiptDelay = TimeSpan.FromMilliseconds(5), Seed = 7 };
        smsc?.Invoke(options);
        var simulator = new SmscSimulator(options);
        var endpoint = await simulator.StartAsync();
        var harness = new DispatchHarness(database, simulator, rabbit, settings ?? []);
        await using var db = database.CreateContext();
        var row = new SmsProvider("Test SMSC", ProviderKind.Smpp,
            new Portal.Infrastructure.Providers.ProviderSettings { Host = "127.0.0.1", Port = endpoint.Port, SystemId = "test", Password = "x", Binds = 2 }.ToJson())
        { DefaultPartPrice = 0.35m };
        db.Providers.Add(row);
        await db.SaveChangesAsync();
        harness.ProviderId = row.Id;
        return harness;
    }

    public async Task StartAsync()
    {
        Host = BuildHost();
        await Host.StartAsync();
    }

    /// <summary>
    /// Another node on the same database, queues and SMSC (issue 17: a node killed mid-escalation):
    /// its own host, services and in-memory state; the caller stops and disposes it.
    /// </summary>
    public async Task<IHost> StartNodeAsync()
    {
        var node = BuildHost();
        await node.StartAsync();
        return node;
    }

    private IHost BuildHost()
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            EnvironmentName = "Testing",
            ContentRootPath = Directory.CreateDirectory(_root).FullName,
        });
        var config = new Dictionary<string, string?>
        {
            ["Database:Provider"] = Database.Provider.ToString(),
            ["Database:ConnectionString"] = Database.ConnectionString,
            ["Messaging:Transport"] = _rabbit ? "RabbitMq" : "InProcess",
            ["Messaging:RabbitMq:Uri"] = _rabbit ? TestEnvironment.RabbitMq : null,
            ["Messaging:RetryDelay"] = "00:00:00.200",
            ["Messaging:ShutdownTimeout"] = "00:00:05",
            ["Scheduling:Enabled"] = "false",
            // No background dashboard reads beside a test's own (DashboardQueriesTests test the warmer).
            ["Dashboard:WarmEvery"] = "00:00:00",
            ["Sending:EmbeddedSimulator"] = "false",
            ["Sending:ChunkQueue"] = _queues + ".chunks",
            ["Sending:ReceiptQueue"] = _queues + ".receipts",
            ["Sending:InboundQueue"] = _queues + ".inbound",
            ["Sending:PriorityQueue"] = _queues + ".priority",
            ["Sending:SweepInterval"] = "00:00:00.500",
            // Short enough for the kill test to take over stranded messages quickly, long enough that a
            // live sender's batch on a loaded CI machine is not taken for stranded (re-chunked, re-sent).
            ["Sending:InFlightGrace"] = "00:00:05",
            ["Sending:ReceiptRetryDelay"] = "00:00:00.200",
            ["DataProtection:KeysPath"] = Path.Combine(_root, "keys"),
        };
        foreach (var (key, value) in _settings) config[key] = value;
        builder.Configuration.AddInMemoryCollection(config);
        builder.Logging.ClearProviders();
        if (CaptureLogs)
        {
            builder.Logging.SetMinimumLevel(LogLevel.Debug);
            builder.Logging.AddProvider(new CapturingLoggerProvider(Logs));
        }
        builder.AddPortalInfrastructure();
        TestServices?.Invoke(builder.Services);
        if (Clock is not null) builder.Services.AddSingleton(Clock);
        return builder.Build();
    }

    /// <summary>Graceful stop, or with <paramref name="kill"/> a stop whose handlers are cancelled at once (work in flight is not recorded).</summary>
    public async Task StopAsync(bool kill = false)
    {
        if (Host is null) return;
        using var cts = new CancellationTokenSource();
        if (kill) await cts.CancelAsync();
        try
        {
            await Host.StopAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
        }
        Host.Dispose();
        Host = null;
    }

    public T Get<T>() where T : notnull => Services.GetRequiredService<T>();

    /// <summary>Clients +7900xxxxxxx numbered from 1; <paramref name="shape"/> adjusts each before insert.</summary>
    public async Task SeedClientsAsync(int count, Action<Client, int>? shape = null)
    {
        var at = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        for (var start = 0; start < count; start += 2000)
        {
            await using var db = Database.CreateContext();
            for (var i = start; i < Math.Min(count, start + 2000); i++)
            {
                var client = new Client(PhoneNumber.Parse($"+7900{i + 1:D7}"), "Client" + i, null, at);
                client.SetConsent(ConsentPurpose.Advertising, true, at, "test", null);
                shape?.Invoke(client, i);
                db.Clients.Add(client);
            }
            await db.SaveChangesAsync();
        }
    }

    /// <summary>A Scheduled campaign to everyone (launch it with <see cref="CampaignLauncher"/>).</summary>
    public async Task<int> CreateCampaignAsync(Func<CampaignSettings, CampaignSettings>? settings = null, string body = "Hello {{ client.first_name }}, your offer is ready.", MessagePurpose purpose = MessagePurpose.Service, bool schedule = true, Action<Campaign>? shape = null)
    {
        await using var db = Database.CreateContext();
        var now = (Clock ?? TimeProvider.System).GetUtcNow().UtcDateTime;
        var segment = new Segment("Everyone " + Guid.NewGuid().ToString("N")[..6], null, SegmentRuleJson.Serialize(SegmentRule.Everyone()), "test", now);
        db.Segments.Add(segment);
        await db.SaveChangesAsync();
        var defaults = new CampaignSettings { SegmentId = segment.Id, Body = body, SenderId = "Portal", QuietHoursEnabled = false };
        var campaign = new Campaign("Test campaign", null, purpose, "author", now, settings?.Invoke(defaults) ?? defaults);
        shape?.Invoke(campaign);
        if (schedule) campaign.Schedule(now, now);
        db.Campaigns.Add(campaign);
        await db.SaveChangesAsync();
        return campaign.Id;
    }

    public async Task<Dictionary<MessageStatus, int>> CountsAsync(int campaignId)
    {
        await using var db = Database.CreateContext();
        return await db.Messages.Where(m => m.CampaignId == campaignId).GroupBy(m => m.Status)
            .Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count);
    }

    public async Task<CampaignStatus> CampaignStatusAsync(int campaignId)
    {
        await using var db = Database.CreateContext();
        return await db.Campaigns.Where(c => c.Id == campaignId).Select(c => c.Status).SingleAsync();
    }

    /// <summary>Polls until <paramref name="done"/> or fails with the last counts.</summary>
    public async Task WaitUntilAsync(int campaignId, Func<Dictionary<MessageStatus, int>, bool> done, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        Dictionary<MessageStatus, int> counts;
        do
        {
            counts = await CountsAsync(campaignId);
            if (done(counts)) return;
            await Task.Delay(200);
        }
        while (DateTime.UtcNow < deadline);
        Assert.Fail("Timed out; counts: " + string.Join(", ", counts.Select(c => $"{c.Key}={c.Value}")));
    }

    public async Task WaitForCampaignAsync(int campaignId, CampaignStatus status, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (await CampaignStatusAsync(campaignId) != status)
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"Campaign {campaignId} is {await CampaignStatusAsync(campaignId)}, expected {status}.");
            await Task.Delay(100);
        }
    }

    public static bool AllFinal(Dictionary<MessageStatus, int> counts) =>
        counts.Keys.All(s => s is not (MessageStatus.Queued or MessageStatus.Deferred or MessageStatus.Submitting or MessageStatus.Submitted));

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await Smsc.DisposeAsync();
        await Database.DisposeAsync();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>Keeps every formatted log line (issue 14: tests scan them for personal data).</summary>
internal sealed class CapturingLoggerProvider(System.Collections.Concurrent.ConcurrentQueue<string> lines) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, lines);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, System.Collections.Concurrent.ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {exception}");
    }
}
