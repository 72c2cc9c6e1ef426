using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Portal.Infrastructure.Audit;
using Portal.Infrastructure.Messaging;
using Portal.Infrastructure.Providers;
using Portal.Infrastructure.Sending;
using Portal.Infrastructure.Persistence;
using Portal.Tests.Support;

namespace Portal.Tests.Infrastructure.Providers;

/// <summary>The provider registry over one real database, with its own Data Protection key ring.</summary>
internal sealed class ProviderHarness : IAsyncDisposable
{
    private readonly DirectoryInfo _keys = Directory.CreateTempSubdirectory("portal-provider-keys-");
    private InProcessMessageBus? _bus;
    private ProviderConnections? _connections;

    private ProviderHarness(TestDatabase database)
    {
        Database = database;
        Protection = DataProtectionProvider.Create(_keys, b => b.SetApplicationName("Portal"));
        Secrets = new ProviderSecrets(Protection);
        Audit = new AuditLog(database.Factory, TimeProvider.System);
        Store = new ProviderStore(database.Factory, Secrets, Audit, Version);
        Import = new PriceListImport(database.Factory, Audit, TimeProvider.System, Version);
    }

    public TestDatabase Database { get; }
    /// <summary>The key ring's protection provider (wrap it to watch decryptions).</summary>
    public IDataProtectionProvider Protection { get; }
    public ProviderSecrets Secrets { get; }
    public AuditLog Audit { get; }
    public ProviderRegistryVersion Version { get; } = new();
    public ProviderStore Store { get; }
    public PriceListImport Import { get; }
    public ProviderHealthBoard Health { get; } = new(TimeProvider.System) { Threshold = 3, CoolDown = TimeSpan.FromMinutes(1) };

    public static System.Security.Claims.ClaimsPrincipal Admin { get; } =
        new(new System.Security.Claims.ClaimsIdentity([new(System.Security.Claims.ClaimTypes.Name, "admin@test.local")], "test"));

    public static async Task<ProviderHarness> CreateAsync(DatabaseProvider provider) => new(await TestDatabase.CreateAsync(provider));

    /// <summary>A router with real SMPP connections (receipts go to an in-process bus nobody reads).</summary>
    /// <param name="secrets">How it decrypts the stored secrets; <see cref="Secrets"/> when null.</param>
    public LeastCostMessageRouter Router(ProviderSecrets? secrets = null)
    {
        _bus ??= new InProcessMessageBus(new MessagingOptions(), NullLogger<InProcessMessageBus>.Instance);
        _connections ??= new ProviderConnections(new ReceiptForwarder(_bus, Options.Create(new SendingOptions()), NullLogger<ReceiptForwarder>.Instance), NullLoggerFactory.Instance);
        return new LeastCostMessageRouter(Database.Factory, _connections, secrets ?? Secrets, Health, Version, TimeProvider.System, NullLogger<LeastCostMessageRouter>.Instance);
    }

    /// <summary>The connections of the routers <see cref="Router"/> made (null before the first).</summary>
    public ProviderConnections? Connections => _connections;

    private readonly List<ProviderConnections> _nodes = [];

    /// <summary>
    /// A router as another node has it: its own connections and circuit breakers, the same database
    /// (issue 12: circuits shared across nodes).
    /// </summary>
    public LeastCostMessageRouter NodeRouter(ProviderHealthBoard health)
    {
        _bus ??= new InProcessMessageBus(new MessagingOptions(), NullLogger<InProcessMessageBus>.Instance);
        var connections = new ProviderConnections(new ReceiptForwarder(_bus, Options.Create(new SendingOptions()), NullLogger<ReceiptForwarder>.Instance), NullLoggerFactory.Instance);
        _nodes.Add(connections);
        return new LeastCostMessageRouter(Database.Factory, connections, Secrets, health, new ProviderRegistryVersion(), TimeProvider.System, NullLogger<LeastCostMessageRouter>.Instance);
    }

    public static ProviderDraft Smpp(string name, int port, string systemId, string password, decimal price) => new()
    {
        Name = name, Host = "127.0.0.1", Port = port, SystemId = systemId, Password = password, DefaultPartPrice = price, Binds = 1, WindowSize = 10,
    };

    public async ValueTask DisposeAsync()
    {
        if (_connections is not null) await _connections.DisposeAsync();
        foreach (var node in _nodes) await node.DisposeAsync();
        if (_bus is not null) await _bus.DisposeAsync();
        await Database.DisposeAsync();
        _keys.Delete(recursive: true);
    }
}
