using Microsoft.EntityFrameworkCore;
using Portal.Domain.Tours;
using Portal.Infrastructure.Persistence;

namespace Portal.Infrastructure.Tours;

public sealed record TourSummary(int Id, string Key, string TitleEn, string TitleRu, bool BuiltIn, int LatestVersion, int? PublishedVersion,
    IReadOnlyList<string> Roles, IReadOnlyList<string> Users);

public sealed record TourVersionInfo(int Version, string CreatedBy, DateTime CreatedAt, int StepCount);

public sealed record UserChoice(string Id, string Email);

public sealed record AssignmentRow(int Id, string Tour, string? Role, string? UserEmail, DateTime? DueAt, string AssignedBy, DateTime AssignedAt);

/// <summary>One tour's line in the progress report; <see cref="DropOff"/> counts where skippers and unfinished users stopped (1-based step → people).</summary>
public sealed record TourFunnel(int TourId, string TitleEn, string TitleRu, int StepCount, int Offered, int Started, int Finished, int Skipped,
    IReadOnlyDictionary<int, int> DropOff);

public sealed record UserProgressRow(string Email, string TitleEn, string TitleRu, TourStatus Status, int LastStep, int StepCount,
    DateTime UpdatedAt, DateTime? DueAt);

/// <summary>
/// Issue 18, the Trainer's tools: edit tours as new versions, publish a version to roles or named
/// users, assign tours with due dates, and report who started, finished or skipped and where
/// people drop off. Counting is grouped in the database (one row per tour and status or step).
/// </summary>
public sealed class TourTraining(IDbContextFactory<PortalDbContext> contexts, TimeProvider clock)
{
    public async Task<IReadOnlyList<TourSummary>> ToursAsync(CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var tours = await db.Tours.AsNoTracking().OrderBy(t => t.Id).ToListAsync(ct);
        return [.. tours.Select(t => new TourSummary(t.Id, t.Key, t.TitleEn, t.TitleRu, t.BuiltIn, t.LatestVersion, t.PublishedVersion, t.Roles, t.Users))];
    }

    public async Task<IReadOnlyList<TourVersionInfo>> VersionsAsync(int tourId, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var versions = await db.TourVersions.AsNoTracking().Where(v => v.TourId == tourId).OrderByDescending(v => v.Version).ToListAsync(ct);
        return [.. versions.Select(v => new TourVersionInfo(v.Version, v.CreatedBy, v.CreatedAt, v.Steps.Count))];
    }

    public async Task<IReadOnlyList<TourStep>> StepsAsync(int tourId, int version, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await db.TourVersions.AsNoTracking().Where(v => v.TourId == tourId && v.Version == version)
            .Select(v => v.Steps).FirstOrDefaultAsync(ct) ?? [];
    }

    /// <summary>Creates a tour (no steps yet); throws a domain exception on a bad or taken key.</summary>
    public async Task<int> CreateAsync(string key, string titleEn, string titleRu, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        if (await db.Tours.AnyAsync(t => t.Key == key.Trim(), ct))
        {
            throw new Domain.Common.DomainException("A tour with this key exists.");
        }
        var tour = new Tour(key, titleEn, titleRu, builtIn: false, Now);
        db.Tours.Add(tour);
        await db.SaveChangesAsync(ct);
        return tour.Id;
    }

    /// <summary>Saves the steps (and titles) as the next version; returns its number. Not published until <see cref="PublishAsync"/>.</summary>
    public async Task<int> SaveVersionAsync(int tourId, string titleEn, string titleRu, IReadOnlyList<TourStep> steps, string by, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var tour = await db.Tours.SingleAsync(t => t.Id == tourId, ct);
        tour.Rename(titleEn, titleRu);
        db.TourVersions.Add(tour.AddVersion(steps, by, Now));
        await db.SaveChangesAsync(ct);
        return tour.LatestVersion;
    }

    public async Task PublishAsync(int tourId, int? version, IEnumerable<string> roles, IEnumerable<string> userIds, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var tour = await db.Tours.SingleAsync(t => t.Id == tourId, ct);
        if (version is null)
        {
            tour.Unpublish();
        }
        else
        {
            tour.Publish(version.Value, roles, userIds);
        }
        await db.SaveChangesAsync(ct);
    }

    public async Task<IReadOnlyList<UserChoice>> UsersAsync(CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await db.Users.AsNoTracking().OrderBy(u => u.Email).Select(u => new UserChoice(u.Id, u.Email ?? u.UserName ?? u.Id)).ToListAsync(ct);
    }

    public async Task AssignAsync(int tourId, string? role, string? userId, DateTime? dueAt, string by, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        db.TourAssignments.Add(new TourAssignment(tourId, role, userId, dueAt, by, Now));
        await db.SaveChangesAsync(ct);
    }

    public async Task RemoveAssignmentAsync(int id, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        await db.TourAssignments.Where(a => a.Id == id).ExecuteDeleteAsync(ct);
    }

    public async Task<IReadOnlyList<AssignmentRow>> AssignmentsAsync(CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await (from a in db.TourAssignments.AsNoTracking()
                      join t in db.Tours on a.TourId equals t.Id
                      join u in db.Users on a.UserId equals u.Id into users
                      from u in users.DefaultIfEmpty()
                      orderby a.DueAt, a.Id
                      select new AssignmentRow(a.Id, t.TitleEn, a.Role, u == null ? null : u.Email, a.DueAt, a.AssignedBy, a.AssignedAt)).ToListAsync(ct);
    }

    public async Task<IReadOnlyList<TourFunnel>> FunnelsAsync(CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var tours = await db.Tours.AsNoTracking().OrderBy(t => t.Id).Select(t => new { t.Id, t.TitleEn, t.TitleRu }).ToListAsync(ct);
        var steps = await db.TourVersions.AsNoTracking().Join(db.Tours, v => new { v.TourId, V = (int?)v.Version }, t => new { TourId = t.Id, V = t.PublishedVersion }, (v, t) => v)
            .ToDictionaryAsync(v => v.TourId, v => v.Steps.Count, ct);
        var byStatus = await db.TourProgress.AsNoTracking().GroupBy(p => new { p.TourId, p.Status })
            .Select(g => new { g.Key.TourId, g.Key.Status, Count = g.Count() }).ToListAsync(ct);
        // Drop-off: where those who skipped or never finished stopped.
        var stops = await db.TourProgress.AsNoTracking().Where(p => p.Status == TourStatus.Skipped || p.Status == TourStatus.Started)
            .GroupBy(p => new { p.TourId, p.LastStep }).Select(g => new { g.Key.TourId, g.Key.LastStep, Count = g.Count() }).ToListAsync(ct);
        int Count(int tour, TourStatus status) => byStatus.Where(s => s.TourId == tour && s.Status == status).Sum(s => s.Count);
        return [.. tours.Select(t => new TourFunnel(t.Id, t.TitleEn, t.TitleRu, steps.GetValueOrDefault(t.Id),
            Count(t.Id, TourStatus.Offered),
            Count(t.Id, TourStatus.Started) + Count(t.Id, TourStatus.Finished) + Count(t.Id, TourStatus.Skipped),
            Count(t.Id, TourStatus.Finished), Count(t.Id, TourStatus.Skipped),
            stops.Where(s => s.TourId == t.Id).ToDictionary(s => s.LastStep + 1, s => s.Count)))];
    }

    /// <summary>Who is where, newest first (at most <paramref name="limit"/> rows), with the due date of an assignment to the user or one of their roles.</summary>
    public async Task<IReadOnlyList<UserProgressRow>> PeopleAsync(int limit, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var rows = await (from p in db.TourProgress.AsNoTracking()
                          join t in db.Tours on p.TourId equals t.Id
                          join u in db.Users on p.UserId equals u.Id
                          orderby p.UpdatedAt descending
                          select new { p.UserId, p.TourId, Email = u.Email ?? u.Id, t.TitleEn, t.TitleRu, p.Status, p.LastStep, p.StepCount, p.UpdatedAt })
            .Take(limit).ToListAsync(ct);
        var assignments = await db.TourAssignments.AsNoTracking().Where(a => a.DueAt != null).ToListAsync(ct);
        var userIds = rows.Select(r => r.UserId).Distinct().ToList();
        var roles = await (from ur in db.UserRoles where userIds.Contains(ur.UserId) join r in db.Roles on ur.RoleId equals r.Id select new { ur.UserId, r.Name })
            .ToListAsync(ct);
        return [.. rows.Select(r => new UserProgressRow(r.Email, r.TitleEn, r.TitleRu, r.Status, r.LastStep, r.StepCount, r.UpdatedAt,
            assignments.Where(a => a.TourId == r.TourId && (a.UserId == r.UserId || roles.Any(x => x.UserId == r.UserId && x.Name == a.Role)))
                .Min(a => a.DueAt)))];
    }

    private DateTime Now => clock.GetUtcNow().UtcDateTime;
}
