using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Domain.Providers;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Smpp.Simulator;

namespace Portal.Infrastructure.Sending;

/// <summary>
/// The embedded default: the SMSC simulator on a free loopback port, and a provider row
/// "Built-in SMSC simulator" pointing at it, so a fresh install delivers campaigns (with receipts)
/// without any configuration. Only in Development or a declared demo (issue 14, see
/// <see cref="SendingOptions.EmbeddedSimulator"/> and <see cref="CheckProductionAsync"/>).
/// The shared row does not hold this node's port (issue 13: every node rewrote it with its own, so
/// one node stopping took the route of all): it names <see cref="Host"/>, and each node's
/// <see cref="Providers.ProviderConnections"/> connects that to its own simulator's <see cref="Endpoint"/>.
/// </summary>
public sealed class EmbeddedSmsc(
    IDbContextFactory<PortalDbContext> contexts,
    Providers.ProviderRegistryVersion registry,
    IOptions<SendingOptions> options,
    IOptions<SmscOptions> smsc,
    IHostEnvironment environment,
    SandboxReplies sandboxReplies,
    ILoggerFactory loggers) : IHostedService, IAsyncDisposable, Providers.IEmbeddedSmsc
{
    public const string ProviderName = Providers.EmbeddedSmscRow.ProviderName;

    /// <summary>The host name in the shared row: "this node's own embedded simulator".</summary>
    public const string Host = Providers.EmbeddedSmscRow.Host;

    private SmscSimulator? _simulator;

    /// <summary>Whether this node runs the simulator; throws when asked to outside Development without a demo.</summary>
    public static bool Runs(SendingOptions o, SmscOptions smsc, IHostEnvironment environment)
    {
        var trusted = environment.IsDevelopment() || smsc.Demo;
        if (o.EmbeddedSimulator == true && !trusted)
        {
            throw new InvalidOperationException(
                $"Sending:EmbeddedSimulator=true in the {environment.EnvironmentName} environment: the simulator 'delivers' every message it is given. " +
                "Set Smsc:Demo=true if this installation is a demo, or remove Sending:EmbeddedSimulator.");
        }
        return o.Enabled && (o.EmbeddedSimulator ?? trusted);
    }

    /// <summary>
    /// At start, outside Development and unless a demo: the simulator's provider row must not be
    /// what routes real campaigns. The only enabled provider: Portal refuses to start. Enabled next
    /// to real providers (left from a demo): it is disabled, with a warning.
    /// </summary>
    public static async Task CheckProductionAsync(PortalDbContext db, SmscOptions smsc, IHostEnvironment environment, ILogger logger, CancellationToken ct)
    {
        if (environment.IsDevelopment() || smsc.Demo) return;
        var simulator = await db.Providers.FirstOrDefaultAsync(p => p.Name == ProviderName && p.Enabled, ct);
        if (simulator is null) return;
        if (!await db.Providers.AnyAsync(p => p.Enabled && p.Id != simulator.Id, ct))
        {
            throw new InvalidOperationException(
                $"The only enabled SMS provider is '{ProviderName}' in the {environment.EnvironmentName} environment: campaigns would go nowhere " +
                "while reported as delivered. Set Smsc:Demo=true for a demo installation, or enable a real provider and disable this one.");
        }
        simulator.Enabled = false;
        await db.SaveChangesAsync(ct);
        logger.LogWarning("Provider '{Provider}' disabled: the SMSC simulator is not for the {Environment} environment (Smsc:Demo is not set)",
            ProviderName, environment.EnvironmentName);
    }

    /// <summary>This node's simulator, once started; null on a node without one.</summary>
    public System.Net.IPEndPoint? Endpoint { get; private set; }

    /// <summary>
    /// The running simulator itself (null when it does not run here), so <c>bench alarm</c> can play an
    /// employee answering an alert (a mobile-originated deliver_sm) on the node's own SMSC.
    /// </summary>
    public SmscSimulator? Simulator => _simulator;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        if (!Runs(o, smsc.Value, environment)) return;
        var logger = loggers.CreateLogger<EmbeddedSmsc>();
        _simulator = new SmscSimulator(new SmscSimulatorOptions
        {
            Credentials = { ["portal"] = "portal" },
            // A realistic mix so the campaign page shows error reasons too.
            Outcomes = new ReceiptOutcomeMix(Delivered: 96, Undeliverable: 2, Expired: 1, Rejected: 1),
            ReceiptDelay = TimeSpan.FromMilliseconds(200),
            // Issue 18: replies and STOPs for the training sandbox's synthetic phones only.
            AutoReply = sandboxReplies.Answer,
            ReplyDelay = TimeSpan.FromSeconds(1),
        }, loggers.CreateLogger<SmscSimulator>());
        var simulator = _simulator;
        // Started off the caller's synchronization context: its loops must not be tied to a test's or host's context.
        var endpoint = await Task.Run(() => simulator.StartAsync(cancellationToken), cancellationToken);
        Endpoint = endpoint;
        var settings = new Providers.ProviderSettings { Host = Host, Port = 2775, SystemId = "portal", Password = "portal", Binds = 2 }.ToJson();
        try
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            var row = await db.Providers.FirstOrDefaultAsync(p => p.Name == ProviderName, cancellationToken);
            if (row is null)
            {
                db.Providers.Add(new SmsProvider(ProviderName, ProviderKind.Smpp, settings) { DefaultPartPrice = o.EmbeddedPartPrice });
            }
            else if (row.SettingsJson != settings)
            {
                // Once, from a row written by an older version with a node's port in it.
                row.SettingsJson = settings;
            }
            await db.SaveChangesAsync(cancellationToken);
            registry.Bump();
            logger.LogInformation("Embedded SMSC simulator listening on {Endpoint}", endpoint);
        }
        catch (Exception e) when (e is DbUpdateException or InvalidOperationException or System.Data.Common.DbException)
        {
            // An unmigrated database (MigrateOnStart off): the simulator runs, the row comes next start.
            logger.LogWarning("Embedded SMSC simulator started but its provider row could not be written: {Error}", e.Message);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        var simulator = Interlocked.Exchange(ref _simulator, null);
        if (simulator is null) return;
        try
        {
            // Bounded: a shutdown must never hang on the demo SMSC.
            await Task.Run(async () => await simulator.DisposeAsync()).WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (TimeoutException)
        {
            loggers.CreateLogger<EmbeddedSmsc>().LogWarning("Embedded SMSC simulator did not stop within 5 s");
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync(default);
}

/// <summary>Configuration section "Smsc".</summary>
public sealed class SmscOptions
{
    public const string Section = "Smsc";

    /// <summary>This installation is a demo: the built-in simulator may run and route outside Development.</summary>
    public bool Demo { get; set; }
}
