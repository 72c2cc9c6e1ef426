using Portal.Domain.Access;
using Portal.Infrastructure.Persistence;
using Portal.Tests.Support;

namespace Portal.Tests.Web;

/// <summary>Issue 18: the Trainer (and an Administrator) reach the tour editor, assignments and progress report; others do not.</summary>
public class TrainingAccessTests : IAsyncLifetime
{
    private readonly PortalAppFactory _app = new(DatabaseProvider.Sqlite, demoClients: 20);

    public async Task InitializeAsync() => await _app.StartAsync();

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Theory]
    [InlineData(Roles.Trainer, true)]
    [InlineData(Roles.Administrator, true)]
    [InlineData(Roles.Analyst, false)]
    [InlineData(Roles.CampaignManager, false)]
    [InlineData(Roles.Auditor, false)]
    public async Task TrainingPage_OpensOnlyForTrainersAndAdministrators(string role, bool allowed)
    {
        var html = await _app.OpenPageAsAsync(role, "training", allowed);
        if (allowed)
        {
            Assert.Contains("data-testid=\"training-tours\"", html);
            Assert.Contains("First steps in Portal", html);
            Assert.Contains("href=\"training/tours/1\"", html);
        }
    }
}
