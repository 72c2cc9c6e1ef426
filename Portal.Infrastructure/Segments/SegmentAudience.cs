using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Portal.Domain.Access;
using Portal.Domain.Clients;
using Portal.Domain.Segments;
using Portal.Infrastructure.Persistence;

namespace Portal.Infrastructure.Segments;

/// <summary>One client of an audience sample, masked already when the reader may not see personal data.</summary>
public sealed record AudienceSampleRow(long Id, string? ExternalId, string Phone, string Name, string? RegionCode, string? City,
    ClientStatus Status, LoyaltyTier LoyaltyTier, decimal TotalSpend);

/// <summary>One line of "why is this client in or out": a condition or group, and whether it holds for the client.</summary>
public sealed record ExplanationLine(string Path, int Depth, string Text, bool Holds);

public sealed record AudienceExplanation(bool Found, bool InAudience, string? ClientLabel, IReadOnlyList<ExplanationLine> Lines, long? ClientId = null);

/// <summary>
/// Counts, samples and explains audiences in the database: a rule compiles to one predicate and
/// each of these is one SQL statement (the explanation: one per condition, for one client).
/// </summary>
public sealed class SegmentAudience(IDbContextFactory<PortalDbContext> contexts, TimeProvider clock)
{
    public const int SampleSize = 20;

    /// <summary>What rules are checked against: EF's sets and what exists in the database now.</summary>
    public async Task<SegmentContext> ContextAsync(PortalDbContext db, CancellationToken ct)
    {
        var sources = new SegmentSources(db.ClientEvents, db.ClientTags, db.ClientAttributes, db.Messages, db.InboundMessages, db.StaticListMembers);
        return new SegmentContext(clock.GetUtcNow().UtcDateTime, sources)
        {
            Attributes = await db.AttributeDefinitions.AsNoTracking().ToDictionaryAsync(a => a.Key, ct),
            Segments = await db.Segments.AsNoTracking().ToDictionaryAsync(s => s.Id, ct),
            StaticLists = (await db.StaticLists.Select(l => l.Id).ToListAsync(ct)).ToHashSet(),
            Campaigns = (await db.Campaigns.Select(c => c.Id).ToListAsync(ct)).ToHashSet(),
        };
    }

    /// <summary>The audience as a query, for counting here and for the campaign snapshot later.</summary>
    public async Task<IQueryable<Client>> QueryAsync(PortalDbContext db, SegmentRule rule, int? segmentId, CancellationToken ct)
    {
        var predicate = new SegmentCompiler(await ContextAsync(db, ct)).Compile(rule, sendable: true, segmentId);
        return db.Clients.AsNoTracking().Where(predicate);
    }

    /// <summary>
    /// The ids of the clients the rule holds for now, sendable or not: for analysis (issue 15, "in the
    /// audience" among a campaign's recipients), as a subquery the caller composes into its statement.
    /// </summary>
    public async Task<IQueryable<long>> MembersAsync(PortalDbContext db, SegmentRule rule, int segmentId, CancellationToken ct)
    {
        var predicate = new SegmentCompiler(await ContextAsync(db, ct)).Compile(rule, sendable: false, segmentId);
        return db.Clients.AsNoTracking().Where(predicate).Select(c => c.Id);
    }

    /// <summary>
    /// The same audience shaped for a live count: on PostgreSQL the conditions that
    /// would keep the clients scan single-threaded are applied above a parallel scan (see
    /// <see cref="ParallelScanFence"/>). SQLite has no parallel scans and gets the plain query.
    /// </summary>
    public Task<IQueryable<Client>> CountQueryAsync(PortalDbContext db, SegmentRule rule, int? segmentId, CancellationToken ct) =>
        CountQueryAsync(db, rule, segmentId, null, ct);

    /// <param name="sandboxOwnerId">The partition counted (issue 18): null, real clients only; a trainee's id, their synthetic clients only.</param>
    public async Task<IQueryable<Client>> CountQueryAsync(PortalDbContext db, SegmentRule rule, int? segmentId, string? sandboxOwnerId, CancellationToken ct)
    {
        var predicate = new SegmentCompiler(await ContextAsync(db, ct)).Compile(rule, sendable: true, segmentId);
        // Issue 18: real audiences never count synthetic (sandbox) clients, sandbox ones never real clients.
        var clients = db.Clients.AsNoTracking().InPartition(sandboxOwnerId);
        return db.Database.IsNpgsql() ? ParallelScanFence.Apply(clients, predicate) : clients.Where(predicate);
    }

    /// <summary>The live count for a reader; issue 14: conditions that would recover masked data are refused for a masked one.</summary>
    /// <exception cref="SegmentRuleException">The rule is invalid or uses a condition the reader may not (<see cref="SegmentRuleAccess"/>).</exception>
    public Task<int> CountAsync(SegmentRule rule, int? segmentId, bool seesPersonalData, CancellationToken ct) =>
        CountAsync(rule, segmentId, seesPersonalData, null, ct);

    /// <param name="sandboxOwnerId">The reader's partition (<see cref="DepartmentScope.SandboxOwnerId"/>).</param>
    public Task<int> CountAsync(SegmentRule rule, int? segmentId, bool seesPersonalData, string? sandboxOwnerId, CancellationToken ct)
    {
        SegmentRuleAccess.Check(rule, seesPersonalData);
        return CountAsync(rule, segmentId, sandboxOwnerId, ct);
    }

    public Task<int> CountAsync(SegmentRule rule, int? segmentId, CancellationToken ct) => CountAsync(rule, segmentId, (string?)null, ct);

    public async Task<int> CountAsync(SegmentRule rule, int? segmentId, string? sandboxOwnerId, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await (await CountQueryAsync(db, rule, segmentId, sandboxOwnerId, ct)).CountAsync(ct);
    }

    public Task<IReadOnlyList<AudienceSampleRow>> SampleAsync(SegmentRule rule, int? segmentId, bool seesPersonalData, CancellationToken ct) =>
        SampleAsync(rule, segmentId, seesPersonalData, null, ct);

    /// <param name="sandboxOwnerId">The reader's partition: in the sandbox the sample shows synthetic clients only.</param>
    public async Task<IReadOnlyList<AudienceSampleRow>> SampleAsync(SegmentRule rule, int? segmentId, bool seesPersonalData, string? sandboxOwnerId, CancellationToken ct)
    {
        SegmentRuleAccess.Check(rule, seesPersonalData);
        await using var db = await contexts.CreateDbContextAsync(ct);
        // The plain query: a sample stops after 20 clients in id order, which a fenced scan could not.
        var rows = await (await QueryAsync(db, rule, segmentId, ct)).InPartition(sandboxOwnerId)
            .OrderBy(c => c.Id).Take(SampleSize)
            .Select(c => new { c.Id, c.ExternalId, c.Phone, c.FirstName, c.LastName, c.RegionCode, c.City, c.Status, c.LoyaltyTier, c.TotalSpend })
            .ToListAsync(ct);
        return rows.Select(r => new AudienceSampleRow(r.Id, r.ExternalId,
            seesPersonalData ? r.Phone : PersonalDataMask.Phone(r.Phone),
            seesPersonalData ? $"{r.LastName} {r.FirstName}".Trim() : $"{PersonalDataMask.Name(r.LastName)} {PersonalDataMask.Name(r.FirstName)}".Trim(),
            r.RegionCode, r.City, r.Status, r.LoyaltyTier, r.TotalSpend)).ToList();
    }

    /// <summary>
    /// Why one client (found by phone or external id) is in or out: every condition is evaluated
    /// in SQL for that client alone; groups combine their children's answers; the opt-out guard
    /// and the exclusions are lines of their own.
    /// </summary>
    public Task<AudienceExplanation> ExplainAsync(SegmentRule rule, int? segmentId, string phoneOrExternalId, bool seesPersonalData, CancellationToken ct) =>
        ExplainAsync(rule, segmentId, phoneOrExternalId, seesPersonalData, null, ct);

    /// <param name="sandboxOwnerId">The reader's partition: in the sandbox only synthetic clients are found.</param>
    public async Task<AudienceExplanation> ExplainAsync(SegmentRule rule, int? segmentId, string phoneOrExternalId, bool seesPersonalData, string? sandboxOwnerId, CancellationToken ct)
    {
        SegmentRuleAccess.Check(rule, seesPersonalData);
        await using var db = await contexts.CreateDbContextAsync(ct);
        var key = phoneOrExternalId.Trim();
        var phone = PhoneNumber.TryParse(key, out var parsed, out _) ? parsed.Value : null;
        var client = await db.Clients.AsNoTracking().InPartition(sandboxOwnerId)
            .Where(c => c.ExternalId == key || (phone != null && c.Phone == phone))
            .Select(c => new { c.Id, c.Phone, c.ExternalId })
            .FirstOrDefaultAsync(ct);
        if (client is null)
        {
            return new AudienceExplanation(false, false, null, []);
        }
        var context = await ContextAsync(db, ct);
        var compiler = new SegmentCompiler(context);
        var id = client.Id;
        var one = db.Clients.AsNoTracking().Where(c => c.Id == id);
        async Task<bool> HoldsAsync(Expression<Func<Client, bool>> predicate) => await one.AnyAsync(predicate, ct);

        var lines = new List<ExplanationLine>();
        async Task<bool> NodeAsync(RuleNode node, string path, int depth)
        {
            switch (node)
            {
                case RuleCondition condition:
                    var holds = await HoldsAsync(compiler.CompileCondition(condition, segmentId));
                    lines.Add(new ExplanationLine(path, depth, Describe(condition, context), holds));
                    return holds;
                case RuleGroup group:
                    var at = lines.Count;
                    var results = new List<bool>();
                    for (var i = 0; i < group.Children.Count; i++)
                    {
                        results.Add(await NodeAsync(group.Children[i], $"{path}.children[{i}]", depth + 1));
                    }
                    var value = results.Count == 0 || (group.Logic == GroupLogic.Or ? results.Any(r => r) : results.All(r => r));
                    value = group.Not ? !value : value;
                    var label = (group.Not ? "NOT " : "") + (group.Logic == GroupLogic.Or ? "ANY of" : "ALL of");
                    lines.Insert(at, new ExplanationLine(path, depth, label, value));
                    return value;
                default:
                    return false;
            }
        }

        SegmentRuleValidator.EnsureValid(rule, context);
        var matches = await NodeAsync(rule.Root, "root", 0);
        foreach (var excluded in rule.ExcludeSegments)
        {
            var inExcluded = await HoldsAsync(compiler.CompileSegmentMembership(excluded, segmentId));
            var name = context.Segments.TryGetValue(excluded, out var s) ? s.Name : excluded.ToString();
            lines.Add(new ExplanationLine("excludeSegments", 0, $"not in excluded segment '{name}'", !inExcluded));
        }
        if (rule.ExcludeLists.Count > 0)
        {
            var onList = await HoldsAsync(compiler.CompileListMembership(rule.ExcludeLists));
            lines.Add(new ExplanationLine("excludeLists", 0, "not on an excluded static list", !onList));
        }
        var sendable = await HoldsAsync(SegmentCompiler.Sendable);
        lines.Add(new ExplanationLine("sendable", 0, "has not opted out", sendable));
        var inAudience = await HoldsAsync(compiler.Compile(rule, sendable: true, segmentId));
        var label = seesPersonalData ? client.Phone : PersonalDataMask.Phone(client.Phone);
        return new AudienceExplanation(true, inAudience, $"{label} ({client.ExternalId})", lines, client.Id);
    }

    /// <summary>A condition in words, e.g. <c>Age between 25, 40</c>.</summary>
    public static string Describe(RuleCondition c, SegmentContext context)
    {
        var criterion = Criteria.Find(c.Criterion);
        var name = criterion?.Label ?? c.Criterion;
        if (c.Criterion == Criteria.Attribute && c.Key is not null)
        {
            name = context.Attributes.TryGetValue(c.Key, out var a) ? a.Label : c.Key;
        }
        var extra = new List<string>();
        if (c.Criterion == Criteria.Event && c.Key is not null) extra.Add(c.Key);
        if (c.CampaignId is not null) extra.Add($"campaign {c.CampaignId}");
        if (c.Days is not null) extra.Add($"{c.Days} days");
        if (c.Amount is not null) extra.Add($"amount > {c.Amount}");
        var value = c.Value switch
        {
            null => "",
            System.Text.Json.Nodes.JsonArray a => string.Join(", ", a.Select(v => v?.ToString())),
            var v => v.ToString(),
        };
        return $"{name}{(extra.Count > 0 ? $" ({string.Join(", ", extra)})" : "")} {SegmentRuleValidator.Words(c.Operator)} {value}".TrimEnd();
    }
}
