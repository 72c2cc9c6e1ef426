using Portal.Domain.Common;
using Portal.Domain.Tours;

namespace Portal.Tests.Domain.Tours;

/// <summary>Issue 21 (coverage): a tour's guards and error texts, its versions, publishing, and a user's progress.</summary>
public class TourTests
{
    private static readonly DateTime At = new(2026, 11, 25, 12, 0, 0, DateTimeKind.Utc);

    private static readonly TourStep Valid = new("segments/new", "add-condition", "Add", "Добавить", "Click here", "Нажмите здесь");

    private static Tour NewTour() => new(" orientation ", "Orientation", "Знакомство", builtIn: false, At);

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void New_WithoutAKey_IsRefused(string key) =>
        Assert.Equal("A tour key is 1 to 64 characters.",
            Assert.Throws<DomainException>(() => new Tour(key, "T", "Т", false, At)).Message);

    [Fact]
    public void New_KeyOf65Characters_IsRefused_And64IsKeptTrimmed()
    {
        Assert.Throws<DomainException>(() => new Tour(new string('k', 65), "T", "Т", false, At));
        Assert.Equal(new string('k', 64), new Tour(new string('k', 64), "T", "Т", false, At).Key);
        var tour = NewTour();
        Assert.Equal(("orientation", false, At, 0, null), (tour.Key, tour.BuiltIn, tour.CreatedAt, tour.LatestVersion, tour.PublishedVersion));
    }

    [Fact]
    public void Title_IsInTheUsersLanguage_AndRenameTrims()
    {
        var tour = NewTour();
        Assert.Equal(("Orientation", "Знакомство"), (tour.Title(false), tour.Title(true)));
        tour.Rename(" Basics ", " Основы ");
        Assert.Equal(("Basics", "Основы"), (tour.TitleEn, tour.TitleRu));
    }

    [Theory]
    [InlineData("", "Т")]
    [InlineData("T", " ")]
    [InlineData("T", null)]
    [InlineData(null, "Т")]
    public void Rename_WithoutATitleInBothLanguages_IsRefused(string? en, string? ru)
    {
        var tour = NewTour();
        var error = Assert.Throws<DomainException>(() => tour.Rename(en ?? new string('x', 201), ru ?? new string('х', 201)));
        Assert.Equal("A tour needs a title of 1 to 200 characters in English and in Russian.", error.Message);
        Assert.Equal("Orientation", tour.TitleEn);
    }

    [Fact]
    public void AddVersion_NumbersVersions_AndKeepsTheSteps()
    {
        var tour = NewTour();
        var first = tour.AddVersion([Valid], "trainer", At);
        var second = tour.AddVersion([Valid, Valid with { Anchor = "save" }], "trainer", At.AddHours(1));
        Assert.Equal((1, 2, 2), (first.Version, second.Version, tour.LatestVersion));
        Assert.Equal(["add-condition", "save"], second.Steps.Select(s => s.Anchor));
        Assert.Equal(("trainer", At.AddHours(1), 0), (second.CreatedBy, second.CreatedAt, second.Id));
        Assert.Null(tour.PublishedVersion);
    }

    [Fact]
    public void AddVersion_WithoutSteps_IsRefused()
    {
        var tour = NewTour();
        Assert.Equal("A tour needs at least one step.", Assert.Throws<DomainException>(() => tour.AddVersion([], "t", At)).Message);
        Assert.Equal(0, tour.LatestVersion);
    }

    [Fact]
    public void AddVersion_WithAnInvalidStep_IsRefusedWithItsFirstProblem()
    {
        var tour = NewTour();
        var error = Assert.Throws<DomainException>(() => tour.AddVersion([Valid, Valid with { Anchor = "a b", TextRu = "" }], "t", At));
        Assert.Equal("An anchor is 1 to 100 letters, digits, dashes or underscores.", error.Message);
        Assert.Equal(0, tour.LatestVersion);
    }

    [Fact]
    public void Problems_ListsEveryReason()
    {
        Assert.Empty(Valid.Problems());
        Assert.Empty((Valid with { Anchor = new string('a', TourStep.MaxAnchorLength), Wait = TourWait.Click }).Problems());
        Assert.Equal(
            [
                "An anchor is 1 to 100 letters, digits, dashes or underscores.",
                "Every step needs its text in English and in Russian.",
                "A step that waits for an element or a page needs its target.",
            ],
            (Valid with { Anchor = "", TextEn = " ", Wait = TourWait.Appear }).Problems());
        Assert.Equal(["An anchor is 1 to 100 letters, digits, dashes or underscores."],
            (Valid with { Anchor = new string('a', TourStep.MaxAnchorLength + 1) }).Problems());
        Assert.Equal(["A step that waits for an element or a page needs its target."],
            (Valid with { Wait = TourWait.Navigate, WaitTarget = " " }).Problems());
        Assert.Empty((Valid with { Anchor = "Step_2-b", Wait = TourWait.Navigate, WaitTarget = "/clients" }).Problems());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public void Publish_AVersionThatDoesNotExist_IsRefused(int version)
    {
        var tour = NewTour();
        tour.AddVersion([Valid], "t", At);
        Assert.Equal("Publish a version that exists.", Assert.Throws<DomainException>(() => tour.Publish(version, [], [])).Message);
        Assert.Null(tour.PublishedVersion);
    }

    [Fact]
    public void Publish_ToRolesAndUsers_DecidesWhoPlaysIt_AndUnpublishStopsEveryone()
    {
        var tour = NewTour();
        tour.AddVersion([Valid], "t", At);
        Assert.False(tour.IsFor("u1", ["Manager"]));

        tour.Publish(1, ["Manager", "Manager", " "], ["u7", ""]);
        Assert.Equal((1, "Manager", "u7"), (tour.PublishedVersion, tour.PublishedRoles, tour.PublishedUsers));
        Assert.True(tour.IsFor("u1", ["Operator", "Manager"]));
        Assert.True(tour.IsFor("u7", []));
        Assert.False(tour.IsFor("u1", ["Operator"]));

        tour.Publish(1, [], []);
        Assert.True(tour.IsFor("anyone", []));

        tour.Unpublish();
        Assert.Null(tour.PublishedVersion);
        Assert.False(tour.IsFor("anyone", []));
    }

    [Fact]
    public void Progress_ReachIsIgnoredUnlessStarted_AndClampedToTheSteps()
    {
        var progress = new TourProgress("u1", 3, At);
        progress.Reach(2, At.AddMinutes(1));
        Assert.Equal((TourStatus.Offered, 0, At), (progress.Status, progress.LastStep, progress.UpdatedAt));

        progress.Start(version: 2, stepCount: 4, At.AddMinutes(2));
        progress.Reach(9, At.AddMinutes(3));
        Assert.Equal((TourStatus.Started, 3, At.AddMinutes(3)), (progress.Status, progress.LastStep, progress.UpdatedAt));
        progress.Reach(-1, At.AddMinutes(4));
        Assert.Equal(0, progress.LastStep);
    }

    [Fact]
    public void Progress_SkipAfterFinish_ChangesNothing()
    {
        var progress = new TourProgress("u1", 3, At);
        progress.Start(1, 5, At);
        progress.Finish(At.AddMinutes(5));
        progress.Skip(1, At.AddMinutes(6));
        Assert.Equal((TourStatus.Finished, 4, At.AddMinutes(5), At.AddMinutes(5)), (progress.Status, progress.LastStep, progress.FinishedAt, progress.UpdatedAt));

        var other = new TourProgress("u2", 3, At);
        other.Start(1, 5, At);
        other.Skip(-3, At.AddMinutes(1));
        Assert.Equal((TourStatus.Skipped, 0, At.AddMinutes(1)), (other.Status, other.LastStep, other.UpdatedAt));
    }

    [Fact]
    public void Assignment_GoesToARoleOrAUser_NeverBothOrNeither()
    {
        var toRole = new TourAssignment(3, "Manager", " ", At.AddDays(7), "trainer", At);
        Assert.Equal((0, 3, "Manager", null, At.AddDays(7), "trainer", At),
            (toRole.Id, toRole.TourId, toRole.Role, toRole.UserId, toRole.DueAt, toRole.AssignedBy, toRole.AssignedAt));
        Assert.Equal((null, "u1"), (new TourAssignment(3, null, "u1", null, "t", At).Role, new TourAssignment(3, "", "u1", null, "t", At).UserId));
        Assert.Equal("Assign a tour to a role or to a user.",
            Assert.Throws<DomainException>(() => new TourAssignment(3, "Manager", "u1", null, "t", At)).Message);
        Assert.Throws<DomainException>(() => new TourAssignment(3, null, " ", null, "t", At));
    }
}
