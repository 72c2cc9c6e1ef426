using Microsoft.EntityFrameworkCore;
using Portal.Domain.Tours;
using Portal.Infrastructure.Persistence;

namespace Portal.Infrastructure.Tours;

/// <summary>
/// Writes the built-in tours at start-up: a missing one is created and published to its roles; one
/// whose steps changed in code gets a new version, published if the old published one was the
/// latest (a trainer who pinned an older version keeps it).
/// </summary>
public sealed class BuiltInTourSeeder(IDbContextFactory<PortalDbContext> contexts, TimeProvider clock)
{
    public async Task SeedAsync(CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow().UtcDateTime;
        var existing = await db.Tours.ToDictionaryAsync(t => t.Key, ct);
        foreach (var builtIn in BuiltInTours.All)
        {
            if (!existing.TryGetValue(builtIn.Key, out var tour))
            {
                tour = new Tour(builtIn.Key, builtIn.TitleEn, builtIn.TitleRu, builtIn: true, now);
                db.Tours.Add(tour);
                await db.SaveChangesAsync(ct);
                db.TourVersions.Add(tour.AddVersion(builtIn.Steps, "system", now));
                tour.Publish(tour.LatestVersion, builtIn.Roles, []);
                await db.SaveChangesAsync(ct);
                continue;
            }
            if (!tour.BuiltIn)
            {
                continue;
            }
            var latest = await db.TourVersions.AsNoTracking()
                .Where(v => v.TourId == tour.Id && v.Version == tour.LatestVersion).FirstOrDefaultAsync(ct);
            if (latest is not null && latest.Steps.SequenceEqual(builtIn.Steps))
            {
                continue;
            }
            var wasLatest = tour.PublishedVersion == tour.LatestVersion;
            db.TourVersions.Add(tour.AddVersion(builtIn.Steps, "system", now));
            if (wasLatest)
            {
                tour.Publish(tour.LatestVersion, tour.Roles, tour.Users);
            }
            await db.SaveChangesAsync(ct);
        }
    }
}
