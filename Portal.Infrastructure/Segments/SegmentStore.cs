using Microsoft.EntityFrameworkCore;
using Portal.Domain.Access;
using Portal.Domain.Clients;
using Portal.Domain.Common;
using Portal.Domain.Segments;
using Portal.Infrastructure.Persistence;

namespace Portal.Infrastructure.Segments;

public sealed record SegmentSummary(int Id, string Name, int Version, DateTime UpdatedAt, string CreatedBy);

public sealed record NamedId(int Id, string Name);

/// <summary>What the rule builder offers in its pickers.</summary>
public sealed record SegmentEditorOptions(IReadOnlyList<NamedId> Segments, IReadOnlyList<NamedId> Lists, IReadOnlyList<NamedId> Campaigns,
    IReadOnlyList<AttributeDefinition> Attributes)
{
    public static SegmentEditorOptions Empty { get; } = new([], [], [], []);
}

/// <summary>Saved segments: list, load, save (the version goes up when the rules change), delete.</summary>
/// <remarks>
/// Department scoping (issue 5): the overloads taking a <see cref="DepartmentScope"/> are what users
/// go through; a segment or list of another department is invisible (null, not listed) and cannot
/// be changed or deleted. The overloads without one see everything, for system callers.
/// Issue 18: the scope's partition too (<see cref="DepartmentScope.SandboxOwnerId"/>): in the
/// training sandbox the user lists, counts, saves and deletes their own sandbox audiences only, a new
/// one is placed in the sandbox, and a row of the other partition is refused with a clear error.
/// The overloads without a scope work on real data.
/// </remarks>
public sealed class SegmentStore(IDbContextFactory<PortalDbContext> contexts, SegmentAudience audience, TimeProvider clock)
{
    public Task<IReadOnlyList<SegmentSummary>> ListAsync(CancellationToken ct) => ListAsync(DepartmentScope.Everything, ct);

    public async Task<IReadOnlyList<SegmentSummary>> ListAsync(DepartmentScope scope, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await Visible(db.Segments.AsNoTracking(), scope).OrderBy(s => s.Name)
            .Select(s => new SegmentSummary(s.Id, s.Name, s.Version, s.UpdatedAt, s.CreatedBy)).ToListAsync(ct);
    }

    private static IQueryable<Segment> Visible(IQueryable<Segment> segments, DepartmentScope scope)
    {
        var (all, department) = (scope.All, scope.DepartmentId);
        return segments.InPartition(scope.SandboxOwnerId).Where(s => all || s.DepartmentId == null || s.DepartmentId == department);
    }

    public Task<SegmentEditorOptions> OptionsAsync(CancellationToken ct) => OptionsAsync(DepartmentScope.Everything, ct);

    /// <summary>The pickers offer the segments and lists the user may see.</summary>
    public async Task<SegmentEditorOptions> OptionsAsync(DepartmentScope scope, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var (all, department) = (scope.All, scope.DepartmentId);
        return new SegmentEditorOptions(
            await Visible(db.Segments.AsNoTracking(), scope).OrderBy(s => s.Name).Select(s => new NamedId(s.Id, s.Name)).ToListAsync(ct),
            // Issue 18: static lists are real data; the sandbox offers none.
            scope.InSandbox ? [] : await db.StaticLists.AsNoTracking().Where(l => all || l.DepartmentId == null || l.DepartmentId == department)
                .OrderBy(l => l.Name).Select(l => new NamedId(l.Id, l.Name)).ToListAsync(ct),
            await db.Campaigns.AsNoTracking().InPartition(scope.SandboxOwnerId).OrderByDescending(c => c.CreatedAt).Select(c => new NamedId(c.Id, c.Name)).ToListAsync(ct),
            await db.AttributeDefinitions.AsNoTracking().OrderBy(a => a.Label).ToListAsync(ct));
    }

    public Task<Segment?> FindAsync(int id, CancellationToken ct) => FindAsync(id, DepartmentScope.Everything, ct);

    /// <returns>Null when it does not exist or belongs to another department.</returns>
    public async Task<Segment?> FindAsync(int id, DepartmentScope scope, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await Visible(db.Segments.AsNoTracking(), scope).SingleOrDefaultAsync(s => s.Id == id, ct);
    }

    /// <summary>
    /// A saved segment's count among the clients of its own partition (issue 18: the wizard's
    /// audience step counts a sandbox audience among the trainee's synthetic clients).
    /// </summary>
    public async Task<int> CountAsync(int id, CancellationToken ct)
    {
        Segment segment;
        await using (var db = await contexts.CreateDbContextAsync(ct))
        {
            segment = await db.Segments.AsNoTracking().SingleOrDefaultAsync(s => s.Id == id, ct) ?? throw new DomainException("Segment {0} does not exist.", id);
        }
        return await audience.CountAsync(SegmentRuleJson.Parse(segment.RulesJson), id, segment.SandboxOwnerId, ct);
    }

    public async Task<int> CountAsync(int id, DepartmentScope scope, CancellationToken ct)
    {
        var segment = await FindAsync(id, scope, ct) ?? throw new DomainException("Segment {0} does not exist.", id);
        return await audience.CountAsync(SegmentRuleJson.Parse(segment.RulesJson), id, segment.SandboxOwnerId, ct);
    }

    /// <summary>Checks the rule (a cycle through saved segments included) and saves it.</summary>
    /// <returns>The segment's id and version.</returns>
    /// <exception cref="SegmentRuleException">The rule is invalid.</exception>
    public Task<(int Id, int Version)> SaveAsync(int? id, string name, SegmentRule rule, int? departmentId, string user, CancellationToken ct) =>
        SaveAsync(id, name, rule, departmentId, DepartmentScope.Everything, user, ct);

    /// <summary>A new segment belongs to the user's department; an existing one must be in the user's scope.</summary>
    /// <exception cref="DomainException">The segment belongs to another department.</exception>
    public Task<(int Id, int Version)> SaveAsync(DepartmentScope scope, int? id, string name, SegmentRule rule, string user, CancellationToken ct) =>
        SaveAsync(id, name, rule, scope.NewItemsDepartment, scope, user, ct);

    /// <summary>As above, for a reader who may lack personal data: issue 14 refuses phone and partial attribute conditions then.</summary>
    /// <exception cref="SegmentRuleException">The rule is invalid or uses a condition the reader may not.</exception>
    public Task<(int Id, int Version)> SaveAsync(DepartmentScope scope, bool seesPersonalData, int? id, string name, SegmentRule rule, string user, CancellationToken ct)
    {
        SegmentRuleAccess.Check(rule, seesPersonalData);
        return SaveAsync(id, name, rule, scope.NewItemsDepartment, scope, user, ct);
    }

    private async Task<(int Id, int Version)> SaveAsync(int? id, string name, SegmentRule rule, int? departmentId, DepartmentScope scope, string user, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        if (!scope.All)
        {
            await CheckReferencesAsync(db, rule, scope, ct);
        }
        await CheckPartitionOfReferencesAsync(db, rule, scope, ct);
        var context = await audience.ContextAsync(db, ct);
        new SegmentCompiler(context).Compile(rule, sendable: true, id);
        var json = SegmentRuleJson.Serialize(rule);
        var now = clock.GetUtcNow().UtcDateTime;
        Segment segment;
        if (id is null)
        {
            segment = new Segment(name, departmentId, json, user, now);
            if (scope.SandboxOwnerId is { } owner) segment.PlaceInSandbox(owner);
            db.Segments.Add(segment);
        }
        else
        {
            segment = await db.Segments.SingleOrDefaultAsync(s => s.Id == id, ct) ?? throw new DomainException("Segment {0} does not exist.", id);
            scope.CheckPartition(segment.SandboxOwnerId);
            if (!scope.Allows(segment.DepartmentId))
            {
                throw new DomainException("This segment belongs to another department.");
            }
            segment.Rename(name);
            if (segment.RulesJson != json)
            {
                segment.ChangeRules(json, now);
            }
        }
        await db.SaveChangesAsync(ct);
        return (segment.Id, segment.Version);
    }

    /// <summary>
    /// Issue 14: the segments and static lists a rule refers to (conditions and exclusions) must be in
    /// the user's scope, or a tampered rule would count, and send to, another department's list.
    /// </summary>
    private static async Task CheckReferencesAsync(PortalDbContext db, SegmentRule rule, DepartmentScope scope, CancellationToken ct)
    {
        static IEnumerable<int> Ids(RuleCondition c) =>
            c.Value is System.Text.Json.Nodes.JsonArray a ? a.Select(v => v is System.Text.Json.Nodes.JsonValue j && j.TryGetValue<int>(out var i) ? i : 0).Where(i => i > 0)
            : c.Value is System.Text.Json.Nodes.JsonValue one && one.TryGetValue<int>(out var single) ? [single] : [];
        var conditions = rule.Conditions().ToList();
        var segmentIds = conditions.Where(c => c.Criterion == Criteria.Segment).SelectMany(Ids).Concat(rule.ExcludeSegments).Distinct().ToList();
        var listIds = conditions.Where(c => c.Criterion == Criteria.StaticList).SelectMany(Ids).Concat(rule.ExcludeLists).Distinct().ToList();
        var (department, none) = (scope.DepartmentId, segmentIds.Count == 0 && listIds.Count == 0);
        if (none) return;
        var foreignSegment = await db.Segments.AsNoTracking()
            .AnyAsync(s => segmentIds.Contains(s.Id) && s.DepartmentId != null && s.DepartmentId != department, ct);
        var foreignList = await db.StaticLists.AsNoTracking()
            .AnyAsync(l => listIds.Contains(l.Id) && l.DepartmentId != null && l.DepartmentId != department, ct);
        if (foreignSegment || foreignList)
        {
            throw new DomainException("The rule refers to another department's segment or list.");
        }
    }

    /// <summary>
    /// Issue 18: the saved segments a rule refers to (conditions and exclusions) must be of the
    /// user's partition, or a sandbox audience could be built from real ones and the reverse.
    /// </summary>
    private static async Task CheckPartitionOfReferencesAsync(PortalDbContext db, SegmentRule rule, DepartmentScope scope, CancellationToken ct)
    {
        var segmentIds = rule.Conditions().Where(c => c.Criterion == Criteria.Segment)
            .SelectMany(c => c.Value is System.Text.Json.Nodes.JsonArray a ? a.Select(v => v is System.Text.Json.Nodes.JsonValue j && j.TryGetValue<int>(out var i) ? i : 0) : [])
            .Concat(rule.ExcludeSegments).Where(i => i > 0).Distinct().ToList();
        if (segmentIds.Count == 0) return;
        var partitions = await db.Segments.AsNoTracking().Where(s => segmentIds.Contains(s.Id)).Select(s => s.SandboxOwnerId).Distinct().ToListAsync(ct);
        foreach (var partition in partitions)
        {
            scope.CheckPartition(partition);
        }
    }

    public Task DeleteAsync(int id, CancellationToken ct) => DeleteAsync(id, DepartmentScope.Everything, ct);

    /// <exception cref="DomainException">A campaign or another segment still uses it, or it belongs to another department.</exception>
    public async Task DeleteAsync(int id, DepartmentScope scope, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var owner = await db.Segments.AsNoTracking().Where(s => s.Id == id).Select(s => new { s.DepartmentId, s.SandboxOwnerId }).SingleOrDefaultAsync(ct);
        if (owner is not null) scope.CheckPartition(owner.SandboxOwnerId);
        if (owner is not null && !scope.Allows(owner.DepartmentId))
        {
            throw new DomainException("This segment belongs to another department.");
        }
        if (await db.Campaigns.AnyAsync(c => c.Settings.SegmentId == id, ct))
        {
            throw new DomainException("A campaign uses this segment: it cannot be deleted.");
        }
        var others = await db.Segments.AsNoTracking().Where(s => s.Id != id).ToListAsync(ct);
        var users = others.Where(s => References(s.RulesJson, id)).Select(s => s.Name).ToList();
        if (users.Count > 0)
        {
            throw new DomainException("Other segments refer to this one: {0}.", string.Join(", ", users));
        }
        await db.Segments.Where(s => s.Id == id).ExecuteDeleteAsync(ct);
    }

    private static bool References(string json, int id)
    {
        try
        {
            var rule = SegmentRuleJson.Parse(json);
            return rule.ExcludeSegments.Contains(id) || rule.Conditions().Any(c =>
                c.Criterion == Criteria.Segment && c.Value is System.Text.Json.Nodes.JsonArray a && a.Any(v => v?.GetValue<int>() == id));
        }
        catch (SegmentRuleException)
        {
            return false;
        }
    }
}
