using Microsoft.EntityFrameworkCore;
using Portal.Domain.Common;
using Portal.Domain.Templates;
using Portal.Infrastructure.Persistence;

namespace Portal.Infrastructure.Templates;

public sealed record TemplateSummary(int Id, string Name, int Version, DateTime UpdatedAt, string CreatedBy);

public sealed record TemplateVersionRow(int Version, string Body, string CreatedBy, DateTime CreatedAt);

/// <summary>
/// Saved templates. A save that changes the text checks it with the engine first (a template that
/// does not compile is never stored) and records the new text as a version, so every earlier text
/// stays listable and restorable.
/// </summary>
public sealed class TemplateStore(IDbContextFactory<PortalDbContext> contexts, TemplateEngine engine, TimeProvider clock)
{
    public async Task<IReadOnlyList<TemplateSummary>> ListAsync(CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await db.Templates.AsNoTracking().OrderBy(t => t.Name)
            .Select(t => new TemplateSummary(t.Id, t.Name, t.Version, t.UpdatedAt, t.CreatedBy)).ToListAsync(ct);
    }

    public async Task<MessageTemplate?> FindAsync(int id, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await db.Templates.AsNoTracking().SingleOrDefaultAsync(t => t.Id == id, ct);
    }

    /// <summary>Newest first.</summary>
    public async Task<IReadOnlyList<TemplateVersionRow>> VersionsAsync(int id, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await db.TemplateVersions.AsNoTracking().Where(v => v.TemplateId == id).OrderByDescending(v => v.Version)
            .Select(v => new TemplateVersionRow(v.Version, v.Body, v.CreatedBy, v.CreatedAt)).ToListAsync(ct);
    }

    /// <returns>The template's id and current version.</returns>
    /// <exception cref="TemplateSyntaxException">The text does not compile; nothing is saved.</exception>
    /// <exception cref="DomainException">Name or text breaks the template's rules, or the template is gone.</exception>
    public async Task<(int Id, int Version)> SaveAsync(int? id, string name, string body, int? departmentId, string user, CancellationToken ct)
    {
        engine.Compile(body);
        await using var db = await contexts.CreateDbContextAsync(ct);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var now = clock.GetUtcNow().UtcDateTime;
        MessageTemplate template;
        var changed = true;
        if (id is null)
        {
            template = new MessageTemplate(name, departmentId, body, user, now);
            db.Templates.Add(template);
        }
        else
        {
            template = await db.Templates.SingleOrDefaultAsync(t => t.Id == id, ct) ?? throw new DomainException($"Template {id} does not exist.");
            template.Rename(name);
            changed = template.Body != body;
            if (changed) template.ChangeBody(body, now);
        }
        await db.SaveChangesAsync(ct);
        if (changed)
        {
            db.TemplateVersions.Add(template.CurrentVersion(user));
            await db.SaveChangesAsync(ct);
        }
        await transaction.CommitAsync(ct);
        return (template.Id, template.Version);
    }

    /// <summary>Makes an earlier text current again, as a new version (history is never rewritten).</summary>
    public async Task<(int Id, int Version)> RestoreAsync(int id, int version, string user, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var old = await db.TemplateVersions.AsNoTracking().SingleOrDefaultAsync(v => v.TemplateId == id && v.Version == version, ct)
            ?? throw new DomainException($"Template {id} has no version {version}.");
        var template = await db.Templates.AsNoTracking().SingleOrDefaultAsync(t => t.Id == id, ct) ?? throw new DomainException($"Template {id} does not exist.");
        return await SaveAsync(id, template.Name, old.Body, template.DepartmentId, user, ct);
    }
}
