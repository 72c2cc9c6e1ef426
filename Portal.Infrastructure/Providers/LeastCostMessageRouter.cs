using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Portal.Domain.Campaigns;
using Portal.Domain.Clients;
using Portal.Domain.Messages;
using Portal.Domain.Providers;
using Portal.Infrastructure.Persistence;

namespace Portal.Infrastructure.Providers;

/// <summary>
/// One <see cref="CircuitBreaker"/> per provider on this node, plus the circuits other nodes opened
/// (<see cref="ProviderCircuit"/> rows, read by the router): a provider open anywhere is open here.
/// </summary>
public sealed class ProviderHealthBoard(TimeProvider clock)
{
    private readonly ConcurrentDictionary<int, CircuitBreaker> _breakers = new();
    private volatile IReadOnlyDictionary<int, DateTimeOffset> _openElsewhere = new Dictionary<int, DateTimeOffset>();

    public int Threshold { get; init; } = 5;
    public TimeSpan CoolDown { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How often a router reads the circuits other nodes opened.</summary>
    public TimeSpan ShareRefresh { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Replaced as a whole by the router's read: provider → until when another node keeps it open.</summary>
    internal void SetOpenElsewhere(IReadOnlyDictionary<int, DateTimeOffset> open) => _openElsewhere = open;

    /// <summary>Whether another node's open circuit keeps <paramref name="providerId"/> out now, and until when.</summary>
    public DateTimeOffset? OpenElsewhereUntil(int providerId) =>
        _openElsewhere.TryGetValue(providerId, out var until) && until > clock.GetUtcNow() ? until : null;

    public CircuitBreaker For(int providerId) => _breakers.GetOrAdd(providerId, _ => new CircuitBreaker(clock, Threshold, CoolDown));

    /// <summary>Every provider this node has a breaker for, with its state (issue 22: the circuit gauge).</summary>
    public IEnumerable<(int ProviderId, CircuitState State)> States() => _breakers.Select(b => (b.Key, b.Value.State));

    public ProviderHealth HealthOf(int providerId)
    {
        var local = _breakers.TryGetValue(providerId, out var b) ? new ProviderHealth(b.State, b.OpenUntil) : ProviderHealth.Healthy;
        if (OpenElsewhereUntil(providerId) is not { } until) return local;
        return local.State == CircuitState.Open && local.OpenUntil >= until ? local : new ProviderHealth(CircuitState.Open, until);
    }
}

/// <summary>
/// Least-cost routing with failover (issue 7), behind the same <see cref="IMessageRouter"/> as
/// the first router (cheapest enabled provider): <see cref="RoutePlanner"/> over provider rows and prices
/// cached for 10 s (dropped at once when the registry changes), skipping providers whose circuit
/// is open or that cannot be connected to. The returned sender reports every result back
/// (<see cref="ReportResult"/>) and turns a temporary refusal of a single-part message into
/// NotSent, so the pipeline puts it back in the queue and the next try goes to the next provider;
/// uncertain results are never re-sent elsewhere.
/// </summary>
public sealed class LeastCostMessageRouter(
    IDbContextFactory<PortalDbContext> contexts, ProviderConnections connections, ProviderSecrets secrets,
    ProviderHealthBoard health, ProviderRegistryVersion version, TimeProvider clock, ILogger<LeastCostMessageRouter> logger) : IMessageRouter
{
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan AvoidFor = TimeSpan.FromMinutes(5);
    private const int MaxAvoided = 100_000;

    private volatile Snapshot? _snapshot;
    private readonly SemaphoreSlim _loading = new(1, 1);
    // Set by the first RouteAsync: only nodes that send take a share of the caps (the route tool's node does not).
    private volatile bool _routes;
    // Phone -> provider that just refused it temporarily; in memory only, never logged.
    private readonly ConcurrentDictionary<string, (int ProviderId, long Until)> _avoid = new(StringComparer.Ordinal);

    private static readonly TimeSpan NodeAlive = TimeSpan.FromSeconds(30);
    private readonly string _nodeId = NodeIdOf($"{Guid.NewGuid():N}@{Environment.MachineName}");

    private static string NodeIdOf(string id) => id.Length > 64 ? id[..64] : id;

    // The registry boundary: stored rows parsed, secrets decrypted, only when a row or the share changed.
    private readonly ProviderRuntimes _runtimes = new(secrets);

    /// <summary><see cref="Runtime"/> is what the connection gets: password decrypted, speed and binds cut to this node's share; null when it cannot be decrypted here.</summary>
    /// <param name="IsSimulator">The built-in SMSC simulator's row: by its name, or by its host whatever it was renamed to.</param>
    private sealed record ProviderRow(RouteCandidate Candidate, ProviderRuntime? Runtime, bool IsSimulator = false);
    private sealed record Snapshot(IReadOnlyList<ProviderRow> Rows, long LoadedAt, int Version, int LiveNodes);

    /// <summary>Sender nodes that routed in the last 30 s, this one included (as of the last refresh).</summary>
    public int LiveNodes => _snapshot?.LiveNodes ?? 1;

    public ValueTask<RoutedProvider?> RouteAsync(Campaign? campaign, string phone, CancellationToken ct) =>
        RouteCoreAsync(campaign?.Settings.ProviderId, phone, sandbox: campaign?.SandboxOwnerId is not null, ct);

    public ValueTask<RoutedProvider?> RouteToAsync(int? providerId, string phone, CancellationToken ct) => RouteCoreAsync(providerId, phone, sandbox: false, ct);

    /// <param name="sandbox">
    /// A training-sandbox campaign (issue 18): only the built-in simulator is a candidate, whatever
    /// provider the campaign names and however cheap a real one is; with no simulator configured the
    /// message is not routed at all (it waits, it never reaches a real provider).
    /// </param>
    private async ValueTask<RoutedProvider?> RouteCoreAsync(int? providerId, string phone, bool sandbox, CancellationToken ct)
    {
        _routes = true;
        var snapshot = await LoadAsync(ct);
        await RefreshSharedCircuitsAsync(ct);
        var plan = PlanOf(snapshot, phone, providerId, sandbox);
        int? avoid = _avoid.TryGetValue(phone, out var a) && a.Until > Environment.TickCount64 ? a.ProviderId : null;
        foreach (var option in plan.Usable)
        {
            if (option.ProviderId == avoid && plan.Usable.Skip(1).Any()) continue;
            var breaker = health.For(option.ProviderId);
            if (!breaker.TryAcquire()) continue;
            var row = snapshot.Rows.First(r => r.Candidate.Id == option.ProviderId);
            ISmsSender sender;
            try
            {
                if (row.Runtime is null) throw new InvalidDataException("the stored password or callback secret cannot be decrypted on this node");
                sender = await connections.GetAsync(row.Runtime, ct);
                // ProviderConnections hands back a connector that is still trying to bind: down for routing.
                if (sender is SmppSmsSender { Connector.BoundSessions: 0 }) throw new InvalidOperationException("no SMPP bind is up");
            }
            catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
            {
                breaker.Open();
                logger.LogWarning("Provider {Provider} cannot be connected, circuit open until {Until}: {Error}", option.Name, breaker.OpenUntil, e.Message);
                ShareOpen(option.ProviderId, breaker.OpenUntil, "cannot be connected: " + e.Message);
                continue;
            }
            return new RoutedProvider(option.ProviderId, option.Name, option.Price, new ReportingSender(this, option.ProviderId, sender));
        }
        return null;
    }

    /// <summary>
    /// Connects every enabled provider this node can decrypt (a sending node: it counts for the
    /// caps). An unreachable one keeps retrying its binds in the background, as on first use.
    /// </summary>
    public async Task ConnectAllAsync(CancellationToken ct)
    {
        _routes = true;
        var snapshot = await LoadAsync(ct);
        foreach (var row in snapshot.Rows.Where(r => r.Candidate.Enabled && r.Runtime is not null))
        {
            try
            {
                await connections.GetAsync(row.Runtime!, ct);
            }
            catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
            {
                logger.LogWarning("Provider {Provider} cannot be connected: {Error}", row.Candidate.Name, e.Message);
            }
        }
    }

    /// <summary>Count this node among the sender nodes from the next refresh on (RouteAsync does it itself).</summary>
    internal void MarkRouting() => _routes = true;

    /// <summary>The plan for one number, for the "route this number" tool: every provider with its price and reason.</summary>
    public async Task<RoutePlan> PlanAsync(string phone, int? namedProviderId, CancellationToken ct, bool sandbox = false) =>
        PlanOf(await LoadAsync(ct), phone, namedProviderId, sandbox);

    /// <summary>
    /// Feeds a provider's circuit with one send result: accepted and permanent refusals prove it
    /// is alive; temporary refusals and uncertain outcomes count towards opening it.
    /// </summary>
    public SendFailureKind? ReportResult(int providerId, SendResult result)
    {
        var kind = Classify(result);
        var breaker = health.For(providerId);
        var before = breaker.OpenUntil;
        // It answered: "slow down" is not "down" (issue 12), so throttling never opens the circuit.
        if (!result.Throttled && kind is SendFailureKind.Temporary or SendFailureKind.Uncertain) breaker.RecordFailure();
        else breaker.RecordSuccess();
        var after = breaker.OpenUntil;
        if (after is { } until && after != before)
        {
            ShareOpen(providerId, until, string.Create(CultureInfo.InvariantCulture, $"{breaker.Threshold} failures in a row, last {result.ErrorCode ?? result.Status.ToString()}"));
        }
        else if (after is null && before is not null)
        {
            ShareClosed(providerId);
        }
        return kind;
    }

    // ---- the circuit shared across nodes (issue 12 item 5) ----

    private readonly SemaphoreSlim _circuitsLoading = new(1, 1);
    // Far enough back that the first route reads (TickCount64 minus long.MinValue would overflow).
    private long _circuitsReadAt = long.MinValue / 2;
    private readonly Lock _sharingLock = new();
    private Task _sharing = Task.CompletedTask;

    /// <summary>The last write of this node's circuit changes (tests wait on it).</summary>
    internal Task Sharing
    {
        get
        {
            lock (_sharingLock) return _sharing;
        }
    }

    /// <summary>
    /// Reads the circuits other nodes keep open, at most once per <see cref="ProviderHealthBoard.ShareRefresh"/>:
    /// one small statement a second per node, never one per message. A read in progress is not waited
    /// for (the previous answer serves), and a failed read keeps the previous answer.
    /// </summary>
    private async ValueTask RefreshSharedCircuitsAsync(CancellationToken ct)
    {
        if (Environment.TickCount64 - Interlocked.Read(ref _circuitsReadAt) < health.ShareRefresh.TotalMilliseconds) return;
        if (!await _circuitsLoading.WaitAsync(0, ct)) return;
        try
        {
            if (Environment.TickCount64 - Interlocked.Read(ref _circuitsReadAt) < health.ShareRefresh.TotalMilliseconds) return;
            var now = clock.GetUtcNow().UtcDateTime;
            await using var db = await contexts.CreateDbContextAsync(ct);
            var rows = await db.ProviderCircuits.AsNoTracking()
                .Where(c => c.OpenUntil > now && c.NodeId != _nodeId)
                .Select(c => new { c.ProviderId, c.OpenUntil })
                .ToListAsync(ct);
            health.SetOpenElsewhere(rows.ToDictionary(r => r.ProviderId, r => new DateTimeOffset(DateTime.SpecifyKind(r.OpenUntil, DateTimeKind.Utc))));
        }
        catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
        {
            logger.LogWarning("Circuits opened by other nodes not read (retried in a second): {Error}", e.Message);
        }
        finally
        {
            Interlocked.Exchange(ref _circuitsReadAt, Environment.TickCount64);
            _circuitsLoading.Release();
        }
    }

    // Provider -> when this node last wrote its open circuit: failures of messages already in flight
    // re-trip an open breaker, and a window of 100 would otherwise write 20 times in a row.
    private readonly ConcurrentDictionary<int, long> _sharedOpenAt = new();

    private void ShareOpen(int providerId, DateTimeOffset? openUntil, string reason)
    {
        if (openUntil is not { } until) return;
        var tick = Environment.TickCount64;
        if (_sharedOpenAt.TryGetValue(providerId, out var last) && tick - last < health.ShareRefresh.TotalMilliseconds) return;
        _sharedOpenAt[providerId] = tick;
        var now = clock.GetUtcNow().UtcDateTime;
        var text = reason.Length > 200 ? reason[..200] : reason;
        Share(db => db.Database.ExecuteSqlAsync($"""
            INSERT INTO "ProviderCircuits" ("ProviderId", "OpenUntil", "OpenedAt", "NodeId", "Reason")
            VALUES ({providerId}, {until.UtcDateTime}, {now}, {_nodeId}, {text})
            ON CONFLICT ("ProviderId") DO UPDATE SET
                "OpenUntil" = excluded."OpenUntil", "OpenedAt" = excluded."OpenedAt", "NodeId" = excluded."NodeId", "Reason" = excluded."Reason"
            """));
    }

    /// <summary>This node's probe went through: its row goes (another node's later trip stays until its own probe).</summary>
    private void ShareClosed(int providerId)
    {
        _sharedOpenAt.TryRemove(providerId, out _);
        Share(db => db.ProviderCircuits.Where(c => c.ProviderId == providerId && c.NodeId == _nodeId).ExecuteDeleteAsync());
    }

    /// <summary>
    /// Writes one change after the previous one, off the send path (a trip is rare: at most one per
    /// provider per cool-down). A failed write is logged; the other nodes then learn of the provider
    /// from their own failures, as before this was shared.
    /// </summary>
    private void Share(Func<PortalDbContext, Task<int>> write)
    {
        lock (_sharingLock)
        {
            _sharing = _sharing.ContinueWith(async _ =>
            {
                try
                {
                    await using var db = await contexts.CreateDbContextAsync();
                    await write(db);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    logger.LogWarning("Circuit change not shared with the other nodes: {Error}", e.Message);
                }
            }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default).Unwrap();
        }
    }

    /// <summary>Null for success; SMPP codes "smpp:0x...." through <see cref="SmppFailures"/>.</summary>
    public static SendFailureKind? Classify(SendResult result)
    {
        if (result.Status == MessageStatus.Submitted) return null;
        if (result.Status == MessageStatus.Uncertain) return SendFailureKind.Uncertain;
        if (result.NotSent) return SendFailureKind.Temporary;
        if (result.ErrorCode is { } code && code.StartsWith("smpp:0x", StringComparison.Ordinal)
            && uint.TryParse(code.AsSpan(7, Math.Min(8, code.Length - 7)), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var status))
        {
            return SmppFailures.Classify(status);
        }
        return SendFailureKind.Permanent;
    }

    private RoutePlan PlanOf(Snapshot snapshot, string phone, int? named, bool sandbox) =>
        PlanOver(snapshot.Rows.Select(r => (r.Candidate with { Health = health.HealthOf(r.Candidate.Id) }, r.IsSimulator)), phone, named, sandbox, clock.GetUtcNow().UtcDateTime);

    /// <summary>
    /// The routing rules over provider rows, shared with <see cref="RouteQuote"/> (issue 20 item 4: the
    /// template editor and the estimate price with the route a message would take, not another rule).
    /// </summary>
    internal static RoutePlan PlanOver(IEnumerable<(RouteCandidate Candidate, bool IsSimulator)> rows, string phone, int? named, bool sandbox, DateTime now)
    {
        var list = rows.ToList();
        var candidates = list.Select(r => r.Candidate);
        if (sandbox)
        {
            // Enforced here, on every node, not in the UI: a sandbox message has no other way out.
            var simulatorIds = list.Where(r => r.IsSimulator).Select(r => r.Candidate.Id).ToHashSet();
            return RoutePlanner.Plan(phone, MobileOperators.Of(phone), candidates.Where(c => simulatorIds.Contains(c.Id)), now,
                named is int n && simulatorIds.Contains(n) ? n : null, k => k is ProviderKind.Smpp or ProviderKind.Http);
        }
        // The built-in simulator delivers to nobody: never a fallback for real traffic (issue 12). It
        // is a candidate only while no real provider is enabled (whatever its health: a real provider
        // that is down means "wait", not "pretend"), or when a campaign names it (a test).
        var simulators = list.Where(r => r.IsSimulator).Select(r => r.Candidate.Id).ToHashSet();
        if (simulators.Count > 0 && list.Any(r => r.Candidate.Enabled && !r.IsSimulator))
        {
            candidates = candidates.Where(c => !simulators.Contains(c.Id) || c.Id == named);
        }
        return RoutePlanner.Plan(phone, MobileOperators.Of(phone), candidates, now, named, k => k is ProviderKind.Smpp or ProviderKind.Http);
    }

    /// <summary>A provider row as routing sees it: its candidate (healthy) and whether it is the built-in simulator.</summary>
    internal static (RouteCandidate Candidate, bool IsSimulator) CandidateOf(SmsProvider p, ProviderSettings settings, IEnumerable<PriceListEntry> prices) =>
        (new RouteCandidate(p.Id, p.Name, p.Kind, p.Enabled, settings.Operators, p.DefaultPartPrice, new PriceBook(prices), ProviderHealth.Healthy),
         p.Name == EmbeddedSmscRow.ProviderName || string.Equals(settings.Host, EmbeddedSmscRow.Host, StringComparison.OrdinalIgnoreCase));

    private bool IsFresh(Snapshot? snapshot) =>
        snapshot is not null && snapshot.Version == version.Current && Environment.TickCount64 - snapshot.LoadedAt < CacheFor.TotalMilliseconds;

    private async ValueTask<Snapshot> LoadAsync(CancellationToken ct)
    {
        var snapshot = _snapshot;
        if (IsFresh(snapshot)) return snapshot!;
        // One refresh at a time (issue 12): a batch routes its 250 messages at once, and every one of
        // them found the snapshot stale together, inserted this node's heartbeat row concurrently
        // (duplicate key) and went back to the queue: hundreds of failed statements every 10 s.
        await _loading.WaitAsync(ct);
        try
        {
            snapshot = _snapshot;
            return IsFresh(snapshot) ? snapshot! : await LoadCoreAsync(ct);
        }
        finally
        {
            _loading.Release();
        }
    }

    private async Task<Snapshot> LoadCoreAsync(CancellationToken ct)
    {
        Snapshot snapshot;
        var v = version.Current;
        await using var db = await contexts.CreateDbContextAsync(ct);
        var nodes = await HeartbeatAsync(db, ct);
        var providers = await db.Providers.AsNoTracking().ToListAsync(ct);
        var prices = (await db.PriceListEntries.AsNoTracking().ToListAsync(ct)).ToLookup(e => e.ProviderId);
        _runtimes.Keep(providers.Select(p => p.Id));
        var rows = providers.Select(p =>
        {
            var s = _runtimes.StoredOf(p);
            ProviderRuntime? runtime = null;
            try
            {
                runtime = _runtimes.RuntimeOf(p, nodes);
            }
            catch (InvalidDataException e)
            {
                logger.LogError("Provider {Provider}: {Error}", p.Name, e.Message);
            }
            var (candidate, isSimulator) = CandidateOf(p, s, prices[p.Id]);
            return new ProviderRow(candidate, runtime, isSimulator);
        }).ToList();
        snapshot = new Snapshot(rows, Environment.TickCount64, v, nodes);
        _snapshot = snapshot;
        return snapshot;
    }

    /// <summary>
    /// Marks this node alive and counts the live ones. A node heartbeats only while it routes, so
    /// an idle node leaves its share to the others; a node joining is seen within one refresh (10 s),
    /// the only window in which the cluster may exceed a provider's cap.
    /// </summary>
    private async Task<int> HeartbeatAsync(PortalDbContext db, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var since = now - NodeAlive;
        if (!_routes) return Math.Max(1, await db.SenderNodes.CountAsync(n => n.LastSeenAt >= since, ct));
        var me = await db.SenderNodes.FirstOrDefaultAsync(n => n.Id == _nodeId, ct);
        if (me is null) db.SenderNodes.Add(new SenderNode(_nodeId, now));
        else me.LastSeenAt = now;
        await db.SaveChangesAsync(ct);
        await db.SenderNodes.Where(n => n.LastSeenAt < now.AddDays(-1)).ExecuteDeleteAsync(ct);
        return Math.Max(1, await db.SenderNodes.CountAsync(n => n.LastSeenAt >= since, ct));
    }

    private void Avoid(string phone, int providerId)
    {
        if (_avoid.Count >= MaxAvoided)
        {
            var now = Environment.TickCount64;
            foreach (var (key, value) in _avoid)
            {
                if (value.Until <= now) _avoid.TryRemove(key, out _);
            }
            if (_avoid.Count >= MaxAvoided) _avoid.Clear();
        }
        _avoid[phone] = (providerId, Environment.TickCount64 + (long)AvoidFor.TotalMilliseconds);
    }

    /// <summary>Reports each result; a temporary refusal of a one-part message comes back as NotSent (see the class).</summary>
    internal sealed class ReportingSender(LeastCostMessageRouter router, int providerId, ISmsSender inner) : ISmsSender
    {
        public async Task<SendResult> SendAsync(OutgoingSms sms, CancellationToken ct)
        {
            var result = await inner.SendAsync(sms, ct);
            if (router.ReportResult(providerId, result) != SendFailureKind.Temporary) return result;
            router.Avoid(sms.To, providerId);
            // 70 UTF-16 units fit one part in GSM-7 and in UCS-2: no part of it can have been accepted,
            // so sending it again elsewhere cannot double it. Longer ones keep the sender's verdict.
            return sms.Text.Length <= 70 && !result.NotSent ? result with { NotSent = true } : result;
        }
    }
}
