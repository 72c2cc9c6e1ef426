using Microsoft.EntityFrameworkCore;
using Portal.Domain.Access;
using Portal.Domain.Tours;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Tours;
using Portal.Tests.Support;

namespace Portal.Tests.Infrastructure.Tours;

/// <summary>Issue 18: tours as data and progress per user, on both databases.</summary>
public class TourCatalogTests
{
    public static TheoryData<DatabaseProvider> Providers => [DatabaseProvider.Sqlite, DatabaseProvider.Postgres];

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Progress_SurvivesANewCatalog_AndTheOrientationIsOfferedOnce(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await new BuiltInTourSeeder(database.Factory, TimeProvider.System).SeedAsync(default);
        var catalog = new TourCatalog(database.Factory, TimeProvider.System);
        const string user = "user-1";

        Assert.True(await catalog.OfferOrientationAsync(user, default));
        Assert.False(await catalog.OfferOrientationAsync(user, default));

        var tours = await catalog.ForUserAsync(user, [Roles.CampaignManager], default);
        var audience = tours.Single(t => t.Key == BuiltInTours.Audience);
        await catalog.StartAsync(user, audience, default);
        await catalog.ReachAsync(user, audience.Id, 3, default);

        // A restart is a new process: nothing kept in memory, a new catalog over the same database.
        var afterRestart = new TourCatalog(database.Factory, TimeProvider.System);
        var states = await afterRestart.StatesAsync(user, default);
        Assert.Equal(TourStatus.Started, states[audience.Id].Status);
        Assert.Equal(3, states[audience.Id].LastStep);
        Assert.Equal(audience.Steps.Count, states[audience.Id].StepCount);
        var orientation = tours.Single(t => t.Key == BuiltInTours.Orientation);
        Assert.Equal(TourStatus.Offered, states[orientation.Id].Status);
        Assert.False(await afterRestart.OfferOrientationAsync(user, default));

        await afterRestart.SkipAsync(user, audience.Id, 4, default);
        states = await catalog.StatesAsync(user, default);
        Assert.Equal((TourStatus.Skipped, 4), (states[audience.Id].Status, states[audience.Id].LastStep));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Tours_FollowTheirPublication_ByRoleAndByUser(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await new BuiltInTourSeeder(database.Factory, TimeProvider.System).SeedAsync(default);
        var catalog = new TourCatalog(database.Factory, TimeProvider.System);

        var trainer = (await catalog.ForUserAsync("t", [Roles.Trainer], default)).Select(t => t.Key).ToList();
        Assert.Equal([BuiltInTours.Orientation], trainer);
        var admin = (await catalog.ForUserAsync("a", [Roles.Administrator], default)).Select(t => t.Key).ToHashSet();
        Assert.Equal(BuiltInTours.All.Select(t => t.Key).ToHashSet(), admin);
        var analyst = (await catalog.ForUserAsync("n", [Roles.Analyst], default)).Select(t => t.Key).ToList();
        Assert.DoesNotContain(BuiltInTours.Provider, analyst);
        Assert.DoesNotContain(BuiltInTours.Import, analyst);

        await using (var db = database.CreateContext())
        {
            var tour = await db.Tours.SingleAsync(t => t.Key == BuiltInTours.Provider);
            tour.Publish(tour.LatestVersion, [], ["named-user"]);
            await db.SaveChangesAsync();
        }
        Assert.Contains(BuiltInTours.Provider, (await catalog.ForUserAsync("named-user", [Roles.Trainer], default)).Select(t => t.Key));
        Assert.DoesNotContain(BuiltInTours.Provider, (await catalog.ForUserAsync("other", [Roles.Administrator], default)).Select(t => t.Key));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Seeder_IsIdempotent_AndVersionsAChangedBuiltInTour(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var seeder = new BuiltInTourSeeder(database.Factory, TimeProvider.System);
        await seeder.SeedAsync(default);
        await seeder.SeedAsync(default);
        await using (var db = database.CreateContext())
        {
            Assert.Equal(BuiltInTours.All.Count, await db.Tours.CountAsync());
            Assert.Equal(BuiltInTours.All.Count, await db.TourVersions.CountAsync());
            // Someone edited the stored steps (an older release's text): the next start re-versions it.
            var tour = await db.Tours.SingleAsync(t => t.Key == BuiltInTours.Inbox);
            db.TourVersions.Add(tour.AddVersion([new TourStep("inbox", "inbox-table", "Old", "Старое", "Old text", "Старый текст")], "test", DateTime.UtcNow));
            tour.Publish(tour.LatestVersion, tour.Roles, []);
            await db.SaveChangesAsync();
        }
        await seeder.SeedAsync(default);
        await using (var db = database.CreateContext())
        {
            var tour = await db.Tours.SingleAsync(t => t.Key == BuiltInTours.Inbox);
            Assert.Equal(3, tour.LatestVersion);
            Assert.Equal(3, tour.PublishedVersion);
            var steps = (await db.TourVersions.SingleAsync(v => v.TourId == tour.Id && v.Version == 3)).Steps;
            Assert.Equal(BuiltInTours.All.Single(t => t.Key == BuiltInTours.Inbox).Steps, steps);
        }
    }
}

/// <summary>Issue 18: the Trainer's report counts and drop-off, on both databases.</summary>
public class TourTrainingTests
{
    public static TheoryData<DatabaseProvider> Providers => [DatabaseProvider.Sqlite, DatabaseProvider.Postgres];

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Funnel_CountsStatuses_AndWherePeopleStop(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await new BuiltInTourSeeder(database.Factory, TimeProvider.System).SeedAsync(default);
        var catalog = new TourCatalog(database.Factory, TimeProvider.System);
        var training = new TourTraining(database.Factory, TimeProvider.System);
        var tour = (await catalog.ForUserAsync("x", [Roles.Administrator], default)).Single(t => t.Key == BuiltInTours.Audience);

        await catalog.StartAsync("u1", tour, default);
        await catalog.FinishAsync("u1", tour.Id, default);
        await catalog.StartAsync("u2", tour, default);
        await catalog.SkipAsync("u2", tour.Id, 3, default);
        await catalog.StartAsync("u3", tour, default);
        await catalog.SkipAsync("u3", tour.Id, 3, default);
        await catalog.StartAsync("u4", tour, default);
        await catalog.ReachAsync("u4", tour.Id, 5, default);

        var funnel = (await training.FunnelsAsync(default)).Single(f => f.TourId == tour.Id);
        Assert.Equal((4, 1, 2), (funnel.Started, funnel.Finished, funnel.Skipped));
        Assert.Equal(tour.Steps.Count, funnel.StepCount);
        Assert.Equal(2, funnel.DropOff[4]);
        Assert.Equal(1, funnel.DropOff[6]);
        Assert.Equal(2, funnel.DropOff.Count);

        // Editing adds a version; only publishing changes what users play.
        var v = await training.SaveVersionAsync(tour.Id, "New title", "Новый заголовок", [tour.Steps[0]], "trainer", default);
        Assert.Equal(2, v);
        Assert.Equal(tour.Steps.Count, (await catalog.ForUserAsync("x", [Roles.Administrator], default)).Single(t => t.Id == tour.Id).Steps.Count);
        await training.PublishAsync(tour.Id, v, [Roles.Trainer], [], default);
        Assert.DoesNotContain(tour.Id, (await catalog.ForUserAsync("x", [Roles.Administrator], default)).Select(t => t.Id));
        Assert.Single((await catalog.ForUserAsync("t", [Roles.Trainer], default)).Single(t => t.Id == tour.Id).Steps);

        await training.AssignAsync(tour.Id, Roles.Trainer, null, new DateTime(2030, 1, 1, 0, 0, 0, DateTimeKind.Utc), "trainer", default);
        Assert.Single(await training.AssignmentsAsync(default));
        await Assert.ThrowsAsync<Portal.Domain.Common.DomainException>(() => training.AssignAsync(tour.Id, null, null, null, "trainer", default));
    }
}
