using Microsoft.EntityFrameworkCore;
using Portal.Domain.Tours;
using Portal.Infrastructure.Persistence;

namespace Portal.Infrastructure.Tours;

/// <summary>A published tour as a user plays it.</summary>
public sealed record TourPlay(int Id, string Key, string TitleEn, string TitleRu, int Version, IReadOnlyList<TourStep> Steps)
{
    public string Title(bool russian) => russian ? TitleRu : TitleEn;
}

/// <summary>One user's state in one tour, for the "?" menu.</summary>
public sealed record TourState(int TourId, TourStatus Status, int Version, int LastStep, int StepCount);

/// <summary>
/// Issue 18: reads published tours for a user and records their progress. Every call opens its own
/// context (circuits outlive requests) and writes at once, so progress survives sign-out and restarts.
/// </summary>
public sealed class TourCatalog(IDbContextFactory<PortalDbContext> contexts, TimeProvider clock)
{
    public const string OrientationKey = BuiltInTours.Orientation;

    /// <summary>The tours published to this user (by role, by name, or to everyone), published version only.</summary>
    public async Task<IReadOnlyList<TourPlay>> ForUserAsync(string userId, IReadOnlyCollection<string> roles, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var tours = await db.Tours.AsNoTracking().Where(t => t.PublishedVersion != null).OrderBy(t => t.Id).ToListAsync(ct);
        var mine = tours.Where(t => t.IsFor(userId, roles)).ToList();
        var ids = mine.Select(t => t.Id).ToList();
        var versions = await db.TourVersions.AsNoTracking().Where(v => ids.Contains(v.TourId)).ToListAsync(ct);
        return [.. mine
            .Select(t => (Tour: t, Version: versions.FirstOrDefault(v => v.TourId == t.Id && v.Version == t.PublishedVersion)))
            .Where(x => x.Version is not null)
            .Select(x => new TourPlay(x.Tour.Id, x.Tour.Key, x.Tour.TitleEn, x.Tour.TitleRu, x.Version!.Version, x.Version.Steps))];
    }

    public async Task<IReadOnlyDictionary<int, TourState>> StatesAsync(string userId, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await db.TourProgress.AsNoTracking().Where(p => p.UserId == userId)
            .ToDictionaryAsync(p => p.TourId, p => new TourState(p.TourId, p.Status, p.Version, p.LastStep, p.StepCount), ct);
    }

    /// <summary>
    /// True exactly once per user: the first time it is asked, the orientation is recorded as offered
    /// (a second circuit racing on the primary key loses and is told no).
    /// </summary>
    public async Task<bool> OfferOrientationAsync(string userId, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var tourId = await db.Tours.Where(t => t.Key == OrientationKey && t.PublishedVersion != null).Select(t => (int?)t.Id).FirstOrDefaultAsync(ct);
        if (tourId is null || await db.TourProgress.AnyAsync(p => p.UserId == userId && p.TourId == tourId, ct))
        {
            return false;
        }
        db.TourProgress.Add(new TourProgress(userId, tourId.Value, clock.GetUtcNow().UtcDateTime));
        try
        {
            await db.SaveChangesAsync(ct);
            return true;
        }
        catch (DbUpdateException)
        {
            return false;
        }
    }

    public Task StartAsync(string userId, TourPlay tour, CancellationToken ct) =>
        ChangeAsync(userId, tour.Id, p => p.Start(tour.Version, tour.Steps.Count, Now), ct);

    public Task ReachAsync(string userId, int tourId, int step, CancellationToken ct) =>
        ChangeAsync(userId, tourId, p => p.Reach(step, Now), ct);

    public Task FinishAsync(string userId, int tourId, CancellationToken ct) =>
        ChangeAsync(userId, tourId, p => p.Finish(Now), ct);

    public Task SkipAsync(string userId, int tourId, int step, CancellationToken ct) =>
        ChangeAsync(userId, tourId, p => p.Skip(step, Now), ct);

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    private async Task ChangeAsync(string userId, int tourId, Action<TourProgress> change, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var progress = await db.TourProgress.FirstOrDefaultAsync(p => p.UserId == userId && p.TourId == tourId, ct);
        if (progress is null)
        {
            progress = new TourProgress(userId, tourId, Now);
            db.TourProgress.Add(progress);
        }
        change(progress);
        await db.SaveChangesAsync(ct);
    }
}
