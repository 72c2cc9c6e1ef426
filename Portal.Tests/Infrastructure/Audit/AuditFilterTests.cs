using Portal.Domain.Audit;
using Portal.Infrastructure.Audit;

namespace Portal.Tests.Infrastructure.Audit;

/// <summary>Issue 21 (coverage): the audit page's filter, which the CSV export shares: whole UTC days, a user name part, one action.</summary>
public class AuditFilterTests
{
    private static readonly AuditEntry[] Entries =
    [
        new(new DateTime(2026, 11, 24, 23, 59, 59, DateTimeKind.Utc), "u1", "anna@corp.example", AuditActions.PersonalDataRead),
        new(new DateTime(2026, 11, 25, 0, 0, 0, DateTimeKind.Utc), "u1", "anna@corp.example", AuditActions.EmployeeSaved),
        new(new DateTime(2026, 11, 25, 23, 59, 59, DateTimeKind.Utc), "u2", "oleg@corp.example", AuditActions.PersonalDataRead),
        new(new DateTime(2026, 11, 26, 0, 0, 0, DateTimeKind.Utc), null, null, AuditActions.PersonalDataRead),
    ];

    private static List<int> Apply(AuditFilter filter) =>
        filter.Apply(Entries.AsQueryable()).Select(e => Array.IndexOf(Entries, e)).ToList();

    [Fact]
    public void NoFilter_KeepsEverything() => Assert.Equal([0, 1, 2, 3], Apply(new AuditFilter()));

    [Fact]
    public void Dates_AreWholeUtcDays_BothEndsIncluded() =>
        Assert.Equal([1, 2], Apply(new AuditFilter(new DateOnly(2026, 11, 25), new DateOnly(2026, 11, 25))));

    [Fact]
    public void User_MatchesAPartOfTheName_Trimmed_AndNeverAnEntryWithoutOne()
    {
        Assert.Equal([0, 1], Apply(new AuditFilter(User: " anna@ ")));
        Assert.Equal([0, 1, 2], Apply(new AuditFilter(User: "corp")));
    }

    [Fact]
    public void Action_IsMatchedExactly_AndCombinesWithTheOthers()
    {
        Assert.Equal([0, 2, 3], Apply(new AuditFilter(Action: AuditActions.PersonalDataRead)));
        Assert.Equal([2], Apply(new AuditFilter(From: new DateOnly(2026, 11, 25), User: "oleg", Action: AuditActions.PersonalDataRead)));
        Assert.Empty(Apply(new AuditFilter(Action: "personal-data")));
    }
}
