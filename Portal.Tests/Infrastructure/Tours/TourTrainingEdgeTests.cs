using Microsoft.AspNetCore.Identity;
using Portal.Domain.Common;
using Portal.Domain.Tours;
using Portal.Infrastructure.Identity;
using Portal.Infrastructure.Tours;
using Portal.Infrastructure.Persistence;
using Portal.Tests.Support;

namespace Portal.Tests.Infrastructure.Tours;

/// <summary>Issue 21 (coverage): a trainer's own tours, unpublishing, removing assignments, and the people report's due dates.</summary>
public class TourTrainingEdgeTests
{
    private static readonly TourStep Step = new("", "overview", "Hello", "Привет", "This is Portal", "Это Portal");

    [Fact]
    public async Task Create_AddsAnUnpublishedTour_AndRefusesATakenOrBadKey()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        var training = new TourTraining(database.Factory, TimeProvider.System);

        var id = await training.CreateAsync(" billing ", "Billing", "Оплата", default);
        var tour = (await training.ToursAsync(default)).Single(t => t.Id == id);
        Assert.Equal(("billing", "Billing", "Оплата", false, 0, null), (tour.Key, tour.TitleEn, tour.TitleRu, tour.BuiltIn, tour.LatestVersion, tour.PublishedVersion));

        var taken = await Assert.ThrowsAsync<DomainException>(() => training.CreateAsync("billing", "Other", "Другой", default));
        Assert.Equal("A tour with this key exists.", taken.Message);
        await Assert.ThrowsAsync<DomainException>(() => training.CreateAsync(new string('k', 65), "T", "Т", default));
        Assert.Single(await training.ToursAsync(default));
    }

    [Fact]
    public async Task PublishNull_Unpublishes_AndRemovedAssignmentsAreGone()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        var training = new TourTraining(database.Factory, TimeProvider.System);
        var catalog = new TourCatalog(database.Factory, TimeProvider.System);
        var id = await training.CreateAsync("billing", "Billing", "Оплата", default);
        var version = await training.SaveVersionAsync(id, "Billing", "Оплата", [Step], "trainer", default);
        await training.PublishAsync(id, version, [], [], default);
        Assert.Contains(id, (await catalog.ForUserAsync("u1", ["Operator"], default)).Select(t => t.Id));

        await training.PublishAsync(id, null, [], [], default);
        Assert.Null((await training.ToursAsync(default)).Single().PublishedVersion);
        Assert.DoesNotContain(id, (await catalog.ForUserAsync("u1", ["Operator"], default)).Select(t => t.Id));

        await training.AssignAsync(id, "Operator", null, null, "trainer", default);
        await training.AssignAsync(id, null, "u1", null, "trainer", default);
        var assignments = await training.AssignmentsAsync(default);
        Assert.Equal(2, assignments.Count);
        await training.RemoveAssignmentAsync(assignments[0].Id, default);
        Assert.Equal([assignments[1].Id], (await training.AssignmentsAsync(default)).Select(a => a.Id));
    }

    [Fact]
    public async Task People_ShowTheEarliestDueDate_OfTheirOwnOrTheirRolesAssignments()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        var training = new TourTraining(database.Factory, TimeProvider.System);
        var catalog = new TourCatalog(database.Factory, TimeProvider.System);
        var id = await training.CreateAsync("billing", "Billing", "Оплата", default);
        var version = await training.SaveVersionAsync(id, "Billing", "Оплата", [Step, Step with { Anchor = "next" }], "trainer", default);
        await training.PublishAsync(id, version, [], [], default);
        await using (var db = database.CreateContext())
        {
            db.Users.Add(new PortalUser { Id = "u1", UserName = "ann@portal.local", Email = "ann@portal.local" });
            db.Users.Add(new PortalUser { Id = "u2", UserName = "bob@portal.local", Email = "bob@portal.local" });
            db.Roles.Add(new IdentityRole { Id = "r-op", Name = "Operator", NormalizedName = "OPERATOR" });
            db.UserRoles.Add(new IdentityUserRole<string> { UserId = "u1", RoleId = "r-op" });
            await db.SaveChangesAsync();
        }
        var roleDue = new DateTime(2030, 3, 1, 0, 0, 0, DateTimeKind.Utc);
        var ownDue = new DateTime(2030, 2, 1, 0, 0, 0, DateTimeKind.Utc);
        await training.AssignAsync(id, "Operator", null, roleDue, "trainer", default);
        await training.AssignAsync(id, null, "u1", ownDue, "trainer", default);
        await training.AssignAsync(id, "Manager", null, new DateTime(2029, 1, 1, 0, 0, 0, DateTimeKind.Utc), "trainer", default);
        var play = (await catalog.ForUserAsync("u1", ["Operator"], default)).Single(t => t.Id == id);
        await catalog.StartAsync("u1", play, default);
        await catalog.StartAsync("u2", play, default);
        await catalog.ReachAsync("u2", id, 1, default);

        var people = await training.PeopleAsync(10, default);
        var ann = people.Single(p => p.Email == "ann@portal.local");
        var bob = people.Single(p => p.Email == "bob@portal.local");
        Assert.Equal((TourStatus.Started, 0, 2, ownDue), (ann.Status, ann.LastStep, ann.StepCount, ann.DueAt));
        Assert.Equal((TourStatus.Started, 1, null), (bob.Status, bob.LastStep, bob.DueAt));
        Assert.Equal(("Billing", "Оплата"), (ann.TitleEn, ann.TitleRu));
        Assert.Single(await training.PeopleAsync(1, default));
    }
}
