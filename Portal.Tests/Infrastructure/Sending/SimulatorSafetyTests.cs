using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Portal.Domain.Providers;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Sending;
using Portal.Tests.Support;

namespace Portal.Tests.Infrastructure.Sending;

/// <summary>
/// Issue 14: the built-in SMSC simulator runs by default in Development only (the embedded
/// default, <c>dotnet run</c>, is Development by launchSettings); elsewhere it needs Smsc:Demo, and
/// a production start with only the simulator's provider enabled is refused.
/// </summary>
public sealed class SimulatorSafetyTests
{
    public static TheoryData<DatabaseProvider> Providers => [DatabaseProvider.Sqlite, DatabaseProvider.Postgres];

    [Theory]
    [InlineData("Development", null, false, true)]
    [InlineData("Production", null, false, false)]
    [InlineData("Staging", null, false, false)]
    [InlineData("Production", null, true, true)]
    [InlineData("Production", true, true, true)]
    [InlineData("Development", false, false, false)]
    public void Runs_OnlyInDevelopmentOrADemo_ByDefault(string environment, bool? configured, bool demo, bool expected)
    {
        Assert.Equal(expected, EmbeddedSmsc.Runs(new SendingOptions { EmbeddedSimulator = configured }, new SmscOptions { Demo = demo }, Env(environment)));
    }

    [Fact]
    public void Runs_ForcedOnInProductionWithoutADemo_Throws()
    {
        var error = Assert.Throws<InvalidOperationException>(() =>
            EmbeddedSmsc.Runs(new SendingOptions { EmbeddedSimulator = true }, new SmscOptions(), Env("Production")));
        Assert.Contains("Smsc:Demo=true", error.Message);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task ProductionStart_WithOnlyTheSimulatorsProviderEnabled_IsRefused_UnlessADemo(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var db = database.CreateContext();
        db.Providers.Add(new SmsProvider(EmbeddedSmsc.ProviderName, ProviderKind.Smpp, "{}") { DefaultPartPrice = 0.35m });
        db.Providers.Add(new SmsProvider("Old real one", ProviderKind.Smpp, "{}") { Enabled = false });
        await db.SaveChangesAsync();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            EmbeddedSmsc.CheckProductionAsync(db, new SmscOptions(), Env("Production"), NullLogger.Instance, default));

        Assert.Contains("Smsc:Demo=true", error.Message);
        await EmbeddedSmsc.CheckProductionAsync(db, new SmscOptions { Demo = true }, Env("Production"), NullLogger.Instance, default);
        await EmbeddedSmsc.CheckProductionAsync(db, new SmscOptions(), Env("Development"), NullLogger.Instance, default);
        Assert.True((await db.Providers.AsNoTracking().SingleAsync(p => p.Name == EmbeddedSmsc.ProviderName)).Enabled);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task ProductionStart_WithARealProviderToo_DisablesTheSimulatorsRow(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var db = database.CreateContext();
        db.Providers.Add(new SmsProvider(EmbeddedSmsc.ProviderName, ProviderKind.Smpp, "{}"));
        db.Providers.Add(new SmsProvider("Operator", ProviderKind.Smpp, "{}"));
        await db.SaveChangesAsync();

        await EmbeddedSmsc.CheckProductionAsync(db, new SmscOptions(), Env("Production"), NullLogger.Instance, default);

        await using var check = database.CreateContext();
        Assert.False((await check.Providers.SingleAsync(p => p.Name == EmbeddedSmsc.ProviderName)).Enabled);
        Assert.True((await check.Providers.SingleAsync(p => p.Name == "Operator")).Enabled);
    }

    [Fact]
    public async Task EmbeddedDefault_Development_StillRunsTheSimulatorAndWritesItsProvider()
    {
        await using var app = new PortalAppFactory(demoClients: 0);
        await app.StartAsync();

        Assert.Equal(Environments.Development, app.Services.GetRequiredService<IHostEnvironment>().EnvironmentName);
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!await db.Providers.AnyAsync(p => p.Name == EmbeddedSmsc.ProviderName && p.Enabled) && DateTime.UtcNow < deadline) await Task.Delay(100);
        Assert.True(await db.Providers.AnyAsync(p => p.Name == EmbeddedSmsc.ProviderName && p.Enabled));
    }

    private static IHostEnvironment Env(string name) => new TestHostEnvironment { EnvironmentName = name };

    private sealed class TestHostEnvironment : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = "";
        public string ApplicationName { get; set; } = "Portal";
        public string ContentRootPath { get; set; } = AppContext.BaseDirectory;
        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }
}
