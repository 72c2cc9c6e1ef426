using Microsoft.EntityFrameworkCore;
using Portal.Domain.Messages;
using Portal.Domain.Providers;
using Portal.Infrastructure.Providers;
using Portal.Infrastructure.Smpp.Simulator;
using Portal.Infrastructure.Persistence;
using Portal.Tests.Support;

namespace Portal.Tests.Infrastructure.Providers;

/// <summary>
/// A provider whose stored password this node cannot decrypt (another key ring wrote it): the router
/// logs it, keeps it off the route and fails over to the next cheapest, over real SQLite and SMPP.
/// </summary>
public class RouterUndecryptableProviderTests
{
    private const string Phone = "+79161234567";

    [Fact]
    public async Task CheapestProviderUndecryptable_RoutedToTheNextAndItsCircuitShownOpen()
    {
        await using var h = await ProviderHarness.CreateAsync(DatabaseProvider.Sqlite);
        await using var cheap = new SmscSimulator(new SmscSimulatorOptions { Credentials = { ["alpha"] = "pwA" } });
        await using var other = new SmscSimulator(new SmscSimulatorOptions { KeepMessages = true, Credentials = { ["beta"] = "pwB" } });
        var idA = await h.Store.CreateAsync(ProviderHarness.Admin, ProviderHarness.Smpp("Alpha", (await cheap.StartAsync()).Port, "alpha", "pwA", 0.10m), default);
        var idB = await h.Store.CreateAsync(ProviderHarness.Admin, ProviderHarness.Smpp("Beta", (await other.StartAsync()).Port, "beta", "pwB", 0.30m), default);
        await using (var db = h.Database.CreateContext())
        {
            var row = await db.Providers.SingleAsync(p => p.Id == idA);
            // As if another node's key ring had written it: not readable here.
            var foreign = new ProviderSecrets(new Microsoft.AspNetCore.DataProtection.EphemeralDataProtectionProvider()).Protect("pwA");
            row.SettingsJson = (ProviderSettings.Parse(row.SettingsJson) with { PasswordProtected = foreign }).ToJson();
            await db.SaveChangesAsync();
        }
        var router = h.Router();

        var route = await router.RouteAsync(null, Phone, default);

        Assert.Equal(idB, route!.ProviderId);
        Assert.Equal(MessageStatus.Submitted, (await route.Sender.SendAsync(new OutgoingSms(1, "Portal", Phone, "Hello", TimeSpan.FromHours(1)), default)).Status);
        Assert.Single(other.Messages);
        Assert.Equal(0, cheap.Statistics.Binds);
        var plan = await router.PlanAsync(Phone, null, default);
        Assert.Equal(RouteVerdict.CircuitOpen, plan.Options.Single(o => o.ProviderId == idA).Verdict);
    }
}
