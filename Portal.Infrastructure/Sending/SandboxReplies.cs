using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Portal.Domain.Common;
using Portal.Domain.Sandbox;
using Portal.Infrastructure.Persistence;

namespace Portal.Infrastructure.Sending;

/// <summary>What the simulator answers to one trainee's sandbox sends.</summary>
/// <param name="Enabled">Answer at all.</param>
/// <param name="ReplyEvery">Every n-th message gets a reply (0: none).</param>
/// <param name="StopEvery">Every n-th message gets "STOP" instead (0: none); wins over a reply.</param>
public sealed record SandboxReplyRule(bool Enabled, int ReplyEvery, int StopEvery)
{
    public const int MaxEvery = 100;

    /// <summary>The stored form, one user claim: "1;2;5" (enabled; reply every; stop every).</summary>
    public string ToClaimValue() => string.Create(CultureInfo.InvariantCulture, $"{(Enabled ? 1 : 0)};{ReplyEvery};{StopEvery}");

    public static SandboxReplyRule? FromClaimValue(string? value)
    {
        var parts = (value ?? "").Split(';');
        return parts.Length == 3 && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var on)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var reply) && reply <= MaxEvery
            && int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var stop) && stop <= MaxEvery
            ? new SandboxReplyRule(on == 1, reply, stop)
            : null;
    }
}

/// <summary>
/// Issue 18: what the built-in simulator answers to training-sandbox sends, so trainees practise
/// the inbox (replies and opt-outs). Only synthetic phones (<see cref="SandboxPartition.IsSyntheticPhone"/>)
/// are ever answered. The properties are the default rule (section <c>Sandbox</c>); a trainer sets
/// a rule per trainee on the sandbox page, stored as a claim of the trainee (<see cref="ClaimType"/>
/// in <c>AspNetUserClaims</c>, no migration), so it survives restarts and applies on every node.
/// </summary>
public sealed class SandboxReplies
{
    public const string Section = "Sandbox";
    public const string ClaimType = "portal:sandbox-replies";

    /// <summary>How long the phone-to-trainee map is trusted before it is read again on a miss.</summary>
    private static readonly TimeSpan ReloadAfter = TimeSpan.FromSeconds(2);

    private readonly ConcurrentDictionary<string, long> _counts = new(StringComparer.Ordinal);
    private IDbContextFactory<PortalDbContext>? _contexts;
    private volatile Dictionary<string, (string Owner, SandboxReplyRule? Rule)> _byPhone = new(StringComparer.Ordinal);
    private long _loadedAtTicks;

    /// <summary>Answer sandbox sends at all.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Every n-th sandbox message gets a reply (0: none).</summary>
    public int ReplyEvery { get; set; } = 2;

    /// <summary>Every n-th sandbox message gets "STOP" instead (0: none); wins over a reply.</summary>
    public int StopEvery { get; set; } = 5;

    public SandboxReplyRule Default => new(Enabled, ReplyEvery, StopEvery);

    public static IReadOnlyList<string> Replies { get; } =
        ["Yes, interested", "Да, интересно", "When does it end?", "Сколько стоит?", "Call me back please"];

    /// <summary>Reads the trainees' rules from the database (without it: the default rule for everyone, per node).</summary>
    public SandboxReplies UsePersistence(IDbContextFactory<PortalDbContext> contexts)
    {
        _contexts = contexts;
        return this;
    }

    /// <summary>The trainee's stored rule, or the default.</summary>
    public async Task<SandboxReplyRule> RuleOfAsync(string ownerId, CancellationToken ct)
    {
        if (_contexts is null) return Default;
        await using var db = await _contexts.CreateDbContextAsync(ct);
        var value = await db.UserClaims.AsNoTracking().Where(c => c.UserId == ownerId && c.ClaimType == ClaimType).Select(c => c.ClaimValue).FirstOrDefaultAsync(ct);
        return SandboxReplyRule.FromClaimValue(value) ?? Default;
    }

    /// <summary>Stores the trainee's rule (one claim row, replaced); the simulator uses it from the next message.</summary>
    public async Task SetRuleAsync(string ownerId, SandboxReplyRule rule, CancellationToken ct)
    {
        SandboxPartition.Owner(ownerId);
        if (rule.ReplyEvery is < 0 or > SandboxReplyRule.MaxEvery || rule.StopEvery is < 0 or > SandboxReplyRule.MaxEvery)
        {
            throw new DomainException("Every n-th message: n is from 0 to 100.");
        }
        var contexts = _contexts ?? throw new InvalidOperationException("The sandbox reply rules are not persisted here.");
        await using (var db = await contexts.CreateDbContextAsync(ct))
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            await db.UserClaims.Where(c => c.UserId == ownerId && c.ClaimType == ClaimType).ExecuteDeleteAsync(ct);
            db.UserClaims.Add(new IdentityUserClaim<string> { UserId = ownerId, ClaimType = ClaimType, ClaimValue = rule.ToClaimValue() });
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }
        Interlocked.Exchange(ref _loadedAtTicks, 0);
    }

    /// <summary>The simulator's <see cref="Smpp.Simulator.SmscSimulatorOptions.AutoReply"/> rule.</summary>
    public string? Answer(string phone, string text)
    {
        if (!SandboxPartition.IsSyntheticPhone(phone)) return null;
        var (owner, rule) = RuleFor(phone);
        if (!rule.Enabled) return null;
        // Counted per trainee, so one trainee's practice does not shift another's pattern.
        var n = _counts.AddOrUpdate(owner, 1, (_, c) => c + 1);
        if (rule.StopEvery > 0 && n % rule.StopEvery == 0) return "STOP";
        if (rule.ReplyEvery > 0 && n % rule.ReplyEvery == 0) return Replies[(int)(n / rule.ReplyEvery % Replies.Count)];
        return null;
    }

    private (string Owner, SandboxReplyRule Rule) RuleFor(string phone)
    {
        if (_contexts is null) return ("", Default);
        var map = _byPhone;
        var stale = DateTime.UtcNow.Ticks - Interlocked.Read(ref _loadedAtTicks) > ReloadAfter.Ticks;
        if (stale || !map.ContainsKey(phone))
        {
            if (stale || DateTime.UtcNow.Ticks - Interlocked.Read(ref _loadedAtTicks) > ReloadAfter.Ticks / 4)
            {
                // The simulator calls this synchronously on its own connection loop; sandbox traffic only.
                map = _byPhone = LoadAsync(_contexts).GetAwaiter().GetResult();
                Interlocked.Exchange(ref _loadedAtTicks, DateTime.UtcNow.Ticks);
            }
        }
        return map.TryGetValue(phone, out var found) ? (found.Owner, found.Rule ?? Default) : ("", Default);
    }

    /// <summary>Every synthetic client's phone with its trainee and that trainee's rule: one query (a few dozen rows a trainee).</summary>
    private static async Task<Dictionary<string, (string Owner, SandboxReplyRule? Rule)>> LoadAsync(IDbContextFactory<PortalDbContext> contexts)
    {
        await using var db = await contexts.CreateDbContextAsync();
        var rows = await (from c in db.Clients.AsNoTracking()
                          where c.SandboxOwnerId != null
                          join r in db.UserClaims.Where(x => x.ClaimType == ClaimType) on c.SandboxOwnerId equals r.UserId into rs
                          from r in rs.DefaultIfEmpty()
                          select new { c.Phone, Owner = c.SandboxOwnerId!, Rule = r == null ? null : r.ClaimValue }).ToListAsync();
        return rows.ToDictionary(r => r.Phone, r => (r.Owner, SandboxReplyRule.FromClaimValue(r.Rule)), StringComparer.Ordinal);
    }
}
