using Portal.Domain.Clients;
using Portal.Domain.Common;
using Portal.Domain.Imports;

namespace Portal.Tests.Domain.Imports;

/// <summary>Issue 21 (coverage): an import's lifecycle guards, and the custom-attribute cell rules.</summary>
public class ImportJobTests
{
    private static readonly DateTime At = new(2026, 11, 25, 12, 0, 0, DateTimeKind.Utc);

    private static ImportJob NewJob() => new("clients.csv", ImportMode.ValidRowsOnly, ImportMatch.Phone, "{}", "admin", At);

    [Fact]
    public void Start_Twice_IsRefused_NamingTheState()
    {
        var job = NewJob();
        Assert.Equal(ImportStatus.Pending, job.Status);
        job.Start(At.AddSeconds(1));
        var error = Assert.Throws<DomainException>(() => job.Start(At.AddSeconds(2)));
        Assert.Equal("Only a pending import can start; this one is Running.", error.Message);
        Assert.Equal(At.AddSeconds(1), job.StartedAt);
    }

    [Fact]
    public void FinishingAnImportThatIsNotRunning_IsRefused()
    {
        var pending = NewJob();
        Assert.Equal("This import is Pending, not running.", Assert.Throws<DomainException>(() => pending.Complete(1, 1, 0, 0, At)).Message);
        Assert.Throws<DomainException>(() => pending.Fail(1, 1, "bad", At));
        Assert.Throws<DomainException>(() => pending.Cancel(At));

        var done = NewJob();
        done.Start(At);
        done.Complete(10, 7, 2, 1, At.AddMinutes(1));
        Assert.Equal((ImportStatus.Completed, 10, 7, 2, 1, At.AddMinutes(1)), (done.Status, done.TotalRows, done.Inserted, done.Updated, done.Rejected, done.FinishedAt));
        Assert.Equal("This import is Completed, not running.", Assert.Throws<DomainException>(() => done.Cancel(At.AddMinutes(2))).Message);
        Assert.Equal(ImportStatus.Completed, done.Status);
    }

    [Fact]
    public void Fail_AppliesNothing_AndKeepsTheFirst1000CharactersOfTheError()
    {
        var job = NewJob();
        job.Start(At);
        job.Fail(5, 5, new string('e', 1200), At.AddMinutes(1));
        Assert.Equal((ImportStatus.Failed, 5, 5, 0, 0, 1000), (job.Status, job.TotalRows, job.Rejected, job.Inserted, job.Updated, job.Error!.Length));
    }

    [Fact]
    public void RowError_KeepsTheFirst500CharactersOfTheReason()
    {
        var error = new ImportRowError(3, 7, "phone", new string('r', 600));
        Assert.Equal((0L, 3, 7, "phone", 500), (error.Id, error.ImportJobId, error.Row, error.Column, error.Reason.Length));
    }

    [Fact]
    public void AttributeCell_TextOver500Characters_IsRefused_And500Fit()
    {
        Assert.Equal(AttributeValues.TooLong, AttributeValues.ParseCell(AttributeType.Text, new string('t', 501), out var refused));
        Assert.Equal(default, refused);
        Assert.Null(AttributeValues.ParseCell(AttributeType.Text, new string('t', 500), out var value));
        Assert.Equal(500, value.Text!.Length);
    }

    [Fact]
    public void AttributeCell_OfAnUnknownType_IsRefused() =>
        Assert.Equal("Unsupported attribute type 9.", AttributeValues.ParseCell((AttributeType)9, "x", out _));
}
