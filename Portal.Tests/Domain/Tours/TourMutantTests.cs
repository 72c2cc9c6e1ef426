using Portal.Domain.Common;
using Portal.Domain.Tours;

namespace Portal.Tests.Domain.Tours;

/// <summary>Issue 21 (mutation testing): tours, their versions, publication, steps' checks and pages, progress and assignments.</summary>
public class TourMutantTests
{
    private static readonly DateTime Now = new(2026, 11, 25, 12, 0, 0, DateTimeKind.Utc);

    private static TourStep Step(string anchor = "new-campaign", string route = "campaigns", TourWait wait = TourWait.None, string? target = null,
        string textEn = "Click here", string textRu = "Нажмите") =>
        new(route, anchor, "Title", "Заголовок", textEn, textRu, wait, target);

    private static Tour NewTour() => new("  orientation ", " Orientation ", " Знакомство ", true, Now);

    private static string Refused(Action action) => Assert.Throws<DomainException>(action).Message;

    [Fact]
    public void New_TrimsKeyAndTitles_Unpublished()
    {
        var tour = NewTour();
        Assert.Equal(("orientation", "Orientation", "Знакомство", true, Now), (tour.Key, tour.TitleEn, tour.TitleRu, tour.BuiltIn, tour.CreatedAt));
        Assert.Equal(("Знакомство", "Orientation"), (tour.Title(true), tour.Title(false)));
        Assert.Equal(0, tour.LatestVersion);
        Assert.Null(tour.PublishedVersion);
        Assert.False(tour.IsFor("u1", []));
    }

    [Fact]
    public void Key_AndTitles_HaveTheirBounds()
    {
        Assert.Equal("A tour key is 1 to 64 characters.", Refused(() => new Tour(" ", "a", "б", false, Now)));
        Assert.Equal("A tour key is 1 to 64 characters.", Refused(() => new Tour(new string('k', 65), "a", "б", false, Now)));
        Assert.Equal(64, new Tour(new string('k', 64), "a", "б", false, Now).Key.Length);
        const string title = "A tour needs a title of 1 to 200 characters in English and in Russian.";
        Assert.Equal(title, Refused(() => new Tour("k", " ", "б", false, Now)));
        Assert.Equal(title, Refused(() => new Tour("k", "a", "", false, Now)));
        Assert.Equal(title, Refused(() => new Tour("k", new string('a', 201), "б", false, Now)));
        Assert.Equal(title, Refused(() => new Tour("k", "a", new string('б', 201), false, Now)));
        var tour = new Tour("k", new string('a', 200), new string('б', 200), false, Now);
        tour.Rename(" x ", " у ");
        Assert.Equal(("x", "у"), (tour.TitleEn, tour.TitleRu));
    }

    [Fact]
    public void AddVersion_NumbersVersions_AndRefusesBadSteps()
    {
        var tour = NewTour();
        Assert.Equal("A tour needs at least one step.", Refused(() => tour.AddVersion([], "trainer", Now)));
        Assert.Equal("Every step needs its text in English and in Russian.", Refused(() => tour.AddVersion([Step(), Step(textRu: " ")], "trainer", Now)));
        Assert.Equal(0, tour.LatestVersion);
        var v1 = tour.AddVersion([Step(), Step("send")], "trainer", Now);
        var v2 = tour.AddVersion([Step()], "lead", Now.AddHours(1));
        Assert.Equal((1, 2, 2), (v1.Version, v2.Version, tour.LatestVersion));
        Assert.Equal((2, "trainer", Now), (v1.Steps.Count, v1.CreatedBy, v1.CreatedAt));
        Assert.Equal("send", v1.Steps[1].Anchor);
        Assert.Equal(("lead", Now.AddHours(1)), (v2.CreatedBy, v2.CreatedAt));
    }

    [Fact]
    public void Publish_AVersionThatExists_ToRolesAndUsers()
    {
        var tour = NewTour();
        Assert.Equal("Publish a version that exists.", Refused(() => tour.Publish(1, [], [])));
        tour.AddVersion([Step()], "t", Now);
        tour.AddVersion([Step()], "t", Now);
        Assert.Equal("Publish a version that exists.", Refused(() => tour.Publish(0, [], [])));
        Assert.Equal("Publish a version that exists.", Refused(() => tour.Publish(3, [], [])));
        tour.Publish(2, ["Operator", " ", "Analyst", "Operator", ""], ["u7", "", "u7", "u8"]);
        Assert.Equal((2, "Operator,Analyst", "u7,u8"), (tour.PublishedVersion, tour.PublishedRoles, tour.PublishedUsers));
        Assert.Equal(["Operator", "Analyst"], tour.Roles);
        Assert.Equal(["u7", "u8"], tour.Users);
        tour.Publish(1, [], []);
        Assert.Equal(1, tour.PublishedVersion);
        tour.Unpublish();
        Assert.Null(tour.PublishedVersion);
    }

    [Fact]
    public void IsFor_EveryoneWhenNobodyNamed_ElseTheNamedUsersAndRoles()
    {
        var tour = NewTour();
        tour.AddVersion([Step()], "t", Now);
        tour.Publish(1, [], []);
        Assert.True(tour.IsFor("anyone", []));
        tour.Publish(1, ["Operator"], []);
        Assert.True(tour.IsFor("u1", ["Analyst", "Operator"]));
        Assert.False(tour.IsFor("u1", ["Analyst"]));
        tour.Publish(1, [], ["u2"]);
        Assert.True(tour.IsFor("u2", []));
        Assert.False(tour.IsFor("u1", ["Operator"]));
        tour.Unpublish();
        Assert.False(tour.IsFor("u2", []));
    }

    [Theory]
    [InlineData("campaigns", "/campaigns/", true)]
    [InlineData("campaigns", "Campaigns", true)]
    [InlineData("campaigns", "campaigns/5", false)]
    [InlineData("", "/", true)]
    [InlineData("", "segments", false)]
    [InlineData("campaigns/*", "campaigns/42/results", true)]
    [InlineData("campaigns/*", "CAMPAIGNS/7", true)]
    [InlineData("/campaigns/*", "segments/1", false)]
    public void IsOnPage(string route, string path, bool expected) =>
        Assert.Equal(expected, Step(route: route).IsOnPage(path));

    [Fact]
    public void Step_TitleAndTextByLanguage()
    {
        var step = Step();
        Assert.Equal(("Заголовок", "Title", "Нажмите", "Click here"), (step.Title(true), step.Title(false), step.Text(true), step.Text(false)));
    }

    [Fact]
    public void Problems_OfAnAnchor_Text_AndWaitTarget()
    {
        const string anchor = "An anchor is 1 to 100 letters, digits, dashes or underscores.";
        Assert.Empty(Step("Send_button-2").Problems());
        Assert.Empty(Step(new string('a', 100)).Problems());
        Assert.Equal([anchor], Step(new string('a', 101)).Problems());
        Assert.Equal([anchor], Step(" ").Problems());
        Assert.Equal([anchor], Step("send button").Problems());
        Assert.Equal([anchor], Step("#send").Problems());
        Assert.Equal([anchor], Step("кнопка").Problems());
        Assert.Equal(["Every step needs its text in English and in Russian."], Step(textEn: "").Problems());
        const string target = "A step that waits for an element or a page needs its target.";
        Assert.Equal([target], Step(wait: TourWait.Appear).Problems());
        Assert.Equal([target], Step(wait: TourWait.Navigate, target: " ").Problems());
        Assert.Empty(Step(wait: TourWait.Navigate, target: "campaigns/").Problems());
        Assert.Empty(Step(wait: TourWait.Click).Problems());
        Assert.Equal([anchor, "Every step needs its text in English and in Russian.", target],
            Step("", wait: TourWait.Appear, textRu: "").Problems());
    }

    [Fact]
    public void Progress_StartReachFinishSkip()
    {
        var p = new TourProgress("u1", 3, Now);
        Assert.Equal(("u1", 3, TourStatus.Offered, Now), (p.UserId, p.TourId, p.Status, p.UpdatedAt));
        p.Reach(2, Now.AddMinutes(1));
        Assert.Equal((0, Now), (p.LastStep, p.UpdatedAt));

        p.Start(2, 5, Now.AddMinutes(2));
        Assert.Equal((2, 5, TourStatus.Started, 0, (DateTime?)Now.AddMinutes(2)), (p.Version, p.StepCount, p.Status, p.LastStep, p.StartedAt));
        p.Reach(3, Now.AddMinutes(3));
        Assert.Equal((3, Now.AddMinutes(3)), (p.LastStep, p.UpdatedAt));
        p.Reach(9, Now);
        Assert.Equal(4, p.LastStep);
        p.Reach(-2, Now);
        Assert.Equal(0, p.LastStep);

        p.Finish(Now.AddMinutes(4));
        Assert.Equal((TourStatus.Finished, 4, (DateTime?)Now.AddMinutes(4), Now.AddMinutes(4)), (p.Status, p.LastStep, p.FinishedAt, p.UpdatedAt));
        p.Skip(1, Now.AddMinutes(5));
        Assert.Equal((TourStatus.Finished, 4, Now.AddMinutes(4)), (p.Status, p.LastStep, p.UpdatedAt));

        p.Start(3, 2, Now.AddMinutes(6));
        Assert.Null(p.FinishedAt);
        p.Skip(1, Now.AddMinutes(7));
        Assert.Equal((TourStatus.Skipped, 1, Now.AddMinutes(7)), (p.Status, p.LastStep, p.UpdatedAt));
        p.Skip(-3, Now);
        Assert.Equal(0, p.LastStep);
        p.Reach(1, Now.AddMinutes(8));
        Assert.Equal(0, p.LastStep);
    }

    [Fact]
    public void Progress_OfATourWithoutSteps_StaysAtZero()
    {
        var p = new TourProgress("u1", 3, Now);
        p.Start(1, 0, Now);
        p.Reach(2, Now);
        Assert.Equal(0, p.LastStep);
        p.Finish(Now);
        Assert.Equal(0, p.LastStep);
    }

    [Fact]
    public void Assignment_ToARoleOrAUser_NotBothNorNeither()
    {
        const string message = "Assign a tour to a role or to a user.";
        Assert.Equal(message, Refused(() => new TourAssignment(1, null, " ", null, "t", Now)));
        Assert.Equal(message, Refused(() => new TourAssignment(1, "Operator", "u1", null, "t", Now)));
        var toRole = new TourAssignment(1, "Operator", " ", Now.AddDays(7), "trainer", Now);
        Assert.Equal((1, "Operator", (string?)null, (DateTime?)Now.AddDays(7), "trainer", Now), (toRole.TourId, toRole.Role, toRole.UserId, toRole.DueAt, toRole.AssignedBy, toRole.AssignedAt));
        var toUser = new TourAssignment(2, "", "u1", null, "trainer", Now);
        Assert.Equal(((string?)null, "u1"), (toUser.Role, toUser.UserId));
    }
}
