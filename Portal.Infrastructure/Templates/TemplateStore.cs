using System.Globalization;
using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Portal.Domain.Access;
using Portal.Domain.Audit;
using Portal.Domain.Common;
using Portal.Domain.Templates;
using Portal.Infrastructure.Audit;
using Portal.Infrastructure.Persistence;

namespace Portal.Infrastructure.Templates;

public sealed record TemplateSummary(int Id, string Name, int Version, DateTime UpdatedAt, string CreatedBy);

public sealed record TemplateVersionRow(int Version, string Body, string CreatedBy, DateTime CreatedAt);

/// <summary>
/// Saved templates. A save that changes the text checks it with the engine first (a template that
/// does not compile is never stored) and records the new text as a version, so every earlier text
/// stays listable and restorable.
/// </summary>
/// <remarks>
/// Department scoping (issue 14), as for segments: the overloads taking a <see cref="DepartmentScope"/>
/// are what users go through. Another department's template is not listed, reads as missing by id,
/// and cannot be saved or restored; each refusal and each save is audited with the user.
/// The overloads without a scope see everything, for system callers.
/// Issue 18: and the scope's partition (<see cref="DepartmentScope.SandboxOwnerId"/>): in the training
/// sandbox a user lists, opens and saves their own sandbox templates only, a new one is placed in the
/// sandbox, and a template of the other partition is refused with a clear error. Without a scope: real data.
/// </remarks>
public sealed class TemplateStore(IDbContextFactory<PortalDbContext> contexts, TemplateEngine engine, AuditLog audit, TimeProvider clock)
{
    public Task<IReadOnlyList<TemplateSummary>> ListAsync(CancellationToken ct) => ListAsync(DepartmentScope.Everything, ct);

    public async Task<IReadOnlyList<TemplateSummary>> ListAsync(DepartmentScope scope, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await Visible(db.Templates.AsNoTracking(), scope).OrderBy(t => t.Name)
            .Select(t => new TemplateSummary(t.Id, t.Name, t.Version, t.UpdatedAt, t.CreatedBy)).ToListAsync(ct);
    }

    /// <summary>The templates of the user's department plus the shared ones (no department).</summary>
    public static IQueryable<MessageTemplate> Visible(IQueryable<MessageTemplate> templates, DepartmentScope scope)
    {
        var (all, department) = (scope.All, scope.DepartmentId);
        // Issue 18: sandbox templates belong to a trainee's sandbox only, and the sandbox sees no real one.
        return templates.InPartition(scope.SandboxOwnerId).Where(t => all || t.DepartmentId == null || t.DepartmentId == department);
    }

    public Task<MessageTemplate?> FindAsync(int id, CancellationToken ct) => FindAsync(id, DepartmentScope.Everything, null, ct);

    /// <returns>Null when it does not exist or belongs to another department (that attempt is audited).</returns>
    public async Task<MessageTemplate?> FindAsync(int id, DepartmentScope scope, ClaimsPrincipal? user, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var template = await db.Templates.AsNoTracking().SingleOrDefaultAsync(t => t.Id == id, ct);
        if (template is not null && !scope.InPartition(template.SandboxOwnerId))
        {
            // Issue 18: the other partition reads as missing too (the save says why).
            await audit.WriteAsync(user, AuditActions.AccessRefused, nameof(MessageTemplate), id.ToString(CultureInfo.InvariantCulture), "open a template of another partition (sandbox)", ct);
            return null;
        }
        if (template is not null && !scope.Allows(template.DepartmentId))
        {
            await audit.WriteAsync(user, AuditActions.AccessRefused, nameof(MessageTemplate), id.ToString(CultureInfo.InvariantCulture), "open another department's template", ct);
            return null;
        }
        return template;
    }

    /// <summary>Newest first.</summary>
    public Task<IReadOnlyList<TemplateVersionRow>> VersionsAsync(int id, CancellationToken ct) => VersionsAsync(id, DepartmentScope.Everything, ct);

    /// <summary>Newest first; none for another department's template.</summary>
    public async Task<IReadOnlyList<TemplateVersionRow>> VersionsAsync(int id, DepartmentScope scope, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var visible = Visible(db.Templates, scope).Select(t => t.Id);
        return await db.TemplateVersions.AsNoTracking().Where(v => v.TemplateId == id && visible.Contains(v.TemplateId)).OrderByDescending(v => v.Version)
            .Select(v => new TemplateVersionRow(v.Version, v.Body, v.CreatedBy, v.CreatedAt)).ToListAsync(ct);
    }

    /// <returns>The template's id and current version.</returns>
    /// <exception cref="TemplateSyntaxException">The text does not compile; nothing is saved.</exception>
    /// <exception cref="DomainException">Name or text breaks the template's rules, or the template is gone.</exception>
    public Task<(int Id, int Version)> SaveAsync(int? id, string name, string body, int? departmentId, string user, CancellationToken ct) =>
        SaveAsync(id, name, body, departmentId, DepartmentScope.Everything, null, user, ct);

    /// <summary>A new template belongs to the user's department; an existing one must be in the user's scope.</summary>
    /// <exception cref="DomainException">The template belongs to another department (the attempt is audited).</exception>
    public Task<(int Id, int Version)> SaveAsync(DepartmentScope scope, ClaimsPrincipal user, int? id, string name, string body, CancellationToken ct) =>
        SaveAsync(id, name, body, scope.NewItemsDepartment, scope, user, user.Identity?.Name ?? "", ct);

    private async Task<(int Id, int Version)> SaveAsync(int? id, string name, string body, int? departmentId, DepartmentScope scope, ClaimsPrincipal? actor,
        string user, CancellationToken ct)
    {
        engine.Compile(body);
        await using var db = await contexts.CreateDbContextAsync(ct);
        if (id is int inPartition)
        {
            // Issue 18: an edit never moves a template between the real data and a sandbox.
            var partition = await db.Templates.AsNoTracking().Where(t => t.Id == inPartition).Select(t => new { t.SandboxOwnerId }).SingleOrDefaultAsync(ct);
            if (partition is not null) scope.CheckPartition(partition.SandboxOwnerId);
        }
        if (id is int existing && !scope.All)
        {
            // Checked before the transaction: the refusal's audit entry is written on its own connection.
            var owner = await db.Templates.AsNoTracking().Where(t => t.Id == existing).Select(t => new { t.DepartmentId }).SingleOrDefaultAsync(ct);
            if (owner is not null && !scope.Allows(owner.DepartmentId))
            {
                await audit.WriteForUserAsync(UserId(actor), user, AuditActions.AccessRefused, nameof(MessageTemplate),
                    existing.ToString(CultureInfo.InvariantCulture), "edit another department's template", ct);
                throw new DomainException("This template belongs to another department.");
            }
        }
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var now = clock.GetUtcNow().UtcDateTime;
        MessageTemplate template;
        var changed = true;
        if (id is null)
        {
            template = new MessageTemplate(name, departmentId, body, user, now);
            if (scope.SandboxOwnerId is { } owner) template.PlaceInSandbox(owner);
            db.Templates.Add(template);
        }
        else
        {
            template = await db.Templates.SingleOrDefaultAsync(t => t.Id == id, ct) ?? throw new DomainException("Template {0} does not exist.", id);
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
        await audit.WriteForUserAsync(UserId(actor), user, AuditActions.TemplateSaved, nameof(MessageTemplate),
            template.Id.ToString(CultureInfo.InvariantCulture), $"version {template.Version}", ct);
        return (template.Id, template.Version);
    }

    private static string? UserId(ClaimsPrincipal? user) => user?.FindFirstValue(ClaimTypes.NameIdentifier);

    /// <summary>Makes an earlier text current again, as a new version (history is never rewritten).</summary>
    public Task<(int Id, int Version)> RestoreAsync(int id, int version, string user, CancellationToken ct) =>
        RestoreAsync(DepartmentScope.Everything, null, user, id, version, ct);

    /// <exception cref="DomainException">No such version, or the template belongs to another department.</exception>
    public Task<(int Id, int Version)> RestoreAsync(DepartmentScope scope, ClaimsPrincipal user, int id, int version, CancellationToken ct) =>
        RestoreAsync(scope, user, user.Identity?.Name ?? "", id, version, ct);

    private async Task<(int Id, int Version)> RestoreAsync(DepartmentScope scope, ClaimsPrincipal? actor, string user, int id, int version, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var old = await db.TemplateVersions.AsNoTracking().SingleOrDefaultAsync(v => v.TemplateId == id && v.Version == version, ct)
            ?? throw new DomainException("Template {0} has no version {1}.", id, version);
        var template = await db.Templates.AsNoTracking().SingleOrDefaultAsync(t => t.Id == id, ct) ?? throw new DomainException("Template {0} does not exist.", id);
        return await SaveAsync(id, template.Name, old.Body, template.DepartmentId, scope, actor, user, ct);
    }
}
