using Microsoft.EntityFrameworkCore;
using Portal.Domain.Providers;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Sending;

namespace Portal.Tests.Infrastructure.Sending;

/// <summary>
/// Issue 21 (coverage): the built-in SMSC simulator's provider row at start: a row written by an
/// older version (a node's own port in it) is rewritten once; a database that cannot take the row
/// leaves the simulator running and says why.
/// </summary>
public sealed class EmbeddedSmscStartTests
{
    private static readonly Dictionary<string, string?> Demo = new()
    {
        ["Sending:EmbeddedSimulator"] = "true",
        ["Smsc:Demo"] = "true",
    };

    [Fact]
    public async Task Start_RowFromAnOlderVersion_IsRewrittenToTheSharedAddress()
    {
        await using var h = await DispatchHarness.CreateAsync(DatabaseProvider.Sqlite, rabbit: false, settings: Demo);
        const string old = """{"Host":"127.0.0.1","Port":40123,"SystemId":"portal","Password":"portal","Binds":2}""";
        await using (var db = h.Database.CreateContext())
        {
            db.Providers.Add(new SmsProvider(EmbeddedSmsc.ProviderName, ProviderKind.Smpp, old) { DefaultPartPrice = 0.5m });
            await db.SaveChangesAsync();
        }

        await h.StartAsync();

        Assert.NotNull(h.Get<EmbeddedSmsc>().Endpoint);
        await using var check = h.Database.CreateContext();
        var row = await check.Providers.AsNoTracking().SingleAsync(p => p.Name == EmbeddedSmsc.ProviderName);
        Assert.NotEqual(old, row.SettingsJson);
        Assert.Contains($"\"{EmbeddedSmsc.Host}\"", row.SettingsJson);
        Assert.Contains("2775", row.SettingsJson);
        Assert.Equal(0.5m, row.DefaultPartPrice);
    }

    [Fact]
    public async Task Start_ProviderTableMissing_RunsTheSimulatorAndLogsWhyTheRowIsNotWritten()
    {
        await using var h = await DispatchHarness.CreateAsync(DatabaseProvider.Sqlite, rabbit: false, settings: Demo);
        h.CaptureLogs = true;
        await using (var db = h.Database.CreateContext())
        {
            await db.Database.ExecuteSqlRawAsync("""ALTER TABLE "Providers" RENAME TO "ProvidersGone" """);
        }

        await h.StartAsync();

        Assert.NotNull(h.Get<EmbeddedSmsc>().Endpoint);
        Assert.NotNull(h.Get<EmbeddedSmsc>().Simulator);
        Assert.Contains(h.Logs, l => l.Contains("Embedded SMSC simulator started but its provider row could not be written") && l.Contains("no such table"));
    }
}
