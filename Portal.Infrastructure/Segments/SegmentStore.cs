using Microsoft.EntityFrameworkCore;
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
public sealed class SegmentStore(IDbContextFactory<PortalDbContext> contexts, SegmentAudience audience, TimeProvider clock)
{
    public async Task<IReadOnlyList<SegmentSummary>> ListAsync(CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await db.Segments.AsNoTracking().OrderBy(s => s.Name)
            .Select(s => new SegmentSummary(s.Id, s.Name, s.Version, s.UpdatedAt, s.CreatedBy)).ToListAsync(ct);
    }

    public async Task<SegmentEditorOptions> OptionsAsync(CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return new SegmentEditorOptions(
            await db.Segments.AsNoTracking().OrderBy(s => s.Name).Select(s => new NamedId(s.Id, s.Name)).ToListAsync(ct),
            await db.StaticLists.AsNoTracking().OrderBy(l => l.Name).Select(l => new NamedId(l.Id, l.Name)).ToListAsync(ct),
            await db.Campaigns.AsNoTracking().OrderByDescending(c => c.CreatedAt).Select(c => new NamedId(c.Id, c.Name)).ToListAsync(ct),
            await db.AttributeDefinitions.AsNoTracking().OrderBy(a => a.Label).ToListAsync(ct));
    }

    public async Task<Segment?> FindAsync(int id, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await db.Segments.AsNoTracking().SingleOrDefaultAsync(s => s.Id == id, ct);
    }

    public async Task<int> CountAsync(int id, CancellationToken ct)
    {
        var segment = await FindAsync(id, ct) ?? throw new DomainException($"Segment {id} does not exist.");
        return await audience.CountAsync(SegmentRuleJson.Parse(segment.RulesJson), id, ct);
    }

    /// <summary>Checks the rule (a cycle through saved segments included) and saves it.</summary>
    /// <returns>The segment's id and version.</returns>
    /// <exception cref="SegmentRuleException">The rule is invalid.</exception>
    public async Task<(int Id, int Version)> SaveAsync(int? id, string name, SegmentRule rule, int? departmentId, string user, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var context = await audience.ContextAsync(db, ct);
        new SegmentCompiler(context).Compile(rule, sendable: true, id);
        var json = SegmentRuleJson.Serialize(rule);
        var now = clock.GetUtcNow().UtcDateTime;
        Segment segment;
        if (id is null)
        {
            segment = new Segment(name, departmentId, json, user, now);
            db.Segments.Add(segment);
        }
        else
        {
            segment = await db.Segments.SingleOrDefaultAsync(s => s.Id == id, ct) ?? throw new DomainException($"Segment {id} does not exist.");
            segment.Rename(name);
            if (segment.RulesJson != json)
            {
                segment.ChangeRules(json, now);
            }
        }
        await db.SaveChangesAsync(ct);
        return (segment.Id, segment.Version);
    }

    /// <exception cref="DomainException">A campaign or another segment still uses it.</exception>
    public async Task DeleteAsync(int id, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        if (await db.Campaigns.AnyAsync(c => c.SegmentId == id, ct))
        {
            throw new DomainException("A campaign uses this segment: it cannot be deleted.");
        }
        var others = await db.Segments.AsNoTracking().Where(s => s.Id != id).ToListAsync(ct);
        var users = others.Where(s => References(s.RulesJson, id)).Select(s => s.Name).ToList();
        if (users.Count > 0)
        {
            throw new DomainException($"Other segments refer to this one: {string.Join(", ", users)}.");
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
