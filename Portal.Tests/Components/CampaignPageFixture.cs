using Bunit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;
using Portal.Domain.Messages;
using Portal.Infrastructure.Audit;
using Portal.Infrastructure.Campaigns;
using Portal.Infrastructure.Identity;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Segments;
using Portal.Tests.Infrastructure.Campaigns;
using Portal.Tests.Support;

namespace Portal.Tests.Components;

/// <summary>
/// The campaign pages in bUnit: a real SQLite database for drafts and segments, and fakes of the
/// two contracts other engineers implement (<see cref="ICampaignOperations"/>, <see cref="ICampaignEstimator"/>).
/// </summary>
internal sealed class CampaignPageFixture : IAsyncDisposable
{
    private CampaignPageFixture(TestDatabase database, CampaignCatalogTests.World world)
    {
        Database = database;
        World = world;
        Catalog = new CampaignCatalog(database.Factory, new AuditLog(database.Factory, TimeProvider.System), new DepartmentScopes(database.Factory), TimeProvider.System);
    }

    public TestDatabase Database { get; }
    public CampaignCatalogTests.World World { get; }
    public CampaignCatalog Catalog { get; }
    public FakeOperations Operations { get; } = new();
    public FakeEstimator Estimator { get; } = new();
    public BunitContext Context { get; } = new();

    public static async Task<CampaignPageFixture> CreateAsync(string user, string role, Dictionary<string, string?>? configuration = null)
    {
        var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        CampaignCatalogTests.World world;
        await using (var db = database.CreateContext())
        {
            world = await CampaignCatalogTests.SeedAsync(db);
        }
        var fixture = new CampaignPageFixture(database, world);
        var ctx = fixture.Context;
        ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        ctx.Services.AddMudServices(o => o.PopoverOptions.CheckForPopoverProvider = false);
        ctx.Services.AddLocalization();
        var audience = new SegmentAudience(database.Factory, TimeProvider.System);
        ctx.Services.AddSingleton(new SegmentStore(database.Factory, audience, TimeProvider.System));
        ctx.Services.AddSingleton(fixture.Catalog);
        ctx.Services.AddSingleton(new DepartmentScopes(database.Factory));
        ctx.Services.AddSingleton<ICampaignOperations>(fixture.Operations);
        ctx.Services.AddSingleton<ICampaignEstimator>(fixture.Estimator);
        ctx.Services.AddSingleton(TimeProvider.System);
        ctx.Services.AddSingleton(new Portal.Domain.Templates.TemplateEngine());
        ctx.Services.AddSingleton(new Portal.Infrastructure.Providers.RouteQuote(database.Factory, TimeProvider.System));
        var settings = new ConfigurationBuilder().AddInMemoryCollection(configuration ?? []).Build();
        ctx.Services.AddSingleton<IConfiguration>(settings);
        ctx.Services.AddSingleton(ApprovalThresholds.From(settings));
        ctx.AddAuthorization().SetAuthorized(user).SetRoles(role);
        return fixture;
    }

    public async ValueTask DisposeAsync()
    {
        await Context.DisposeAsync();
        await Database.DisposeAsync();
    }
}

/// <summary>Records every call; progress and test-send results are set by the test.</summary>
internal sealed class FakeOperations : ICampaignOperations
{
    public List<string> Calls { get; } = [];
    public Func<int, CampaignProgress> Progress { get; set; } = _ => new CampaignProgress(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, []);
    public MessageStatus TestStatus { get; set; } = MessageStatus.Submitted;

    private Task Record(string call)
    {
        lock (Calls) Calls.Add(call);
        return Task.CompletedTask;
    }

    public Task ScheduleAsync(int campaignId, System.Security.Claims.ClaimsPrincipal user, CancellationToken ct = default) => Record($"Schedule:{campaignId}:{user.Identity?.Name}");
    public Task ApproveAsync(int campaignId, System.Security.Claims.ClaimsPrincipal manager, CancellationToken ct = default) => Record($"Approve:{campaignId}:{manager.Identity?.Name}");
    public Task PauseAsync(int campaignId, System.Security.Claims.ClaimsPrincipal user, CancellationToken ct = default) => Record($"Pause:{campaignId}:{user.Identity?.Name}");
    public Task ResumeAsync(int campaignId, System.Security.Claims.ClaimsPrincipal user, CancellationToken ct = default) => Record($"Resume:{campaignId}:{user.Identity?.Name}");
    public Task CancelAsync(int campaignId, System.Security.Claims.ClaimsPrincipal user, CancellationToken ct = default) => Record($"Cancel:{campaignId}:{user.Identity?.Name}");

    public async Task<MessageStatus> SendTestAsync(int campaignId, string? phone, System.Security.Claims.ClaimsPrincipal user, CancellationToken ct = default)
    {
        await Record($"SendTest:{campaignId}:{phone ?? "own"}:{user.Identity?.Name}");
        return TestStatus;
    }

    public Task<CampaignProgress> GetProgressAsync(int campaignId, CancellationToken ct = default) => Task.FromResult(Progress(campaignId));
}

/// <summary>Returns <see cref="Result"/>, after <see cref="Gate"/> opens when one is set (to see the progress indicator).</summary>
internal sealed class FakeEstimator : ICampaignEstimator
{
    public CampaignEstimate Result { get; set; } = Estimate(recipients: 1_000, cost: 1_500m);
    public TaskCompletionSource? Gate { get; set; }

    public static CampaignEstimate Estimate(int recipients, decimal cost) => new(
        recipients + 200, recipients, 100, 100, new Dictionary<int, int> { [1] = recipients - 300, [2] = 250, [3] = 50 },
        300, recipients + 350, cost, "RUB", TimeSpan.FromHours(2), new DateTime(2026, 11, 26, 12, 0, 0, DateTimeKind.Utc));

    public async Task<CampaignEstimate> EstimateAsync(Portal.Domain.Campaigns.Campaign campaign, IProgress<double>? progress = null, CancellationToken ct = default)
    {
        progress?.Report(0.4);
        if (Gate is not null)
        {
            await Gate.Task.WaitAsync(ct);
        }
        return Result;
    }
}
