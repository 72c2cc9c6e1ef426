using Microsoft.EntityFrameworkCore;
using Portal.Domain.Alerts;
using Portal.Domain.Messages;
using Portal.Domain.Staff;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Alerts;
using Portal.Infrastructure.Providers;
using Portal.Tests.Infrastructure.Sending;
using Portal.Tests.Support;

namespace Portal.Tests.Infrastructure.Alerts;

/// <summary>
/// Issue 17: an alarm marked flash reaches the SMSC simulator over SMPP as message class 0 —
/// data_coding 0x10 for GSM-7 text, 0x18 for UCS-2 (SMPP 3.4 5.2.19) — only through a provider
/// whose settings say it supports flash; elsewhere, and for alarms not marked flash, it is plain.
/// </summary>
public sealed class FlashAlarmTests
{
    [Theory]
    [InlineData(DatabaseProvider.Sqlite, false, true)]
    [InlineData(DatabaseProvider.Postgres, true, true)]
    [InlineData(DatabaseProvider.Sqlite, false, false)]
    public async Task FlashAlarm_IsClass0OnTheWire_WhereTheProviderSupportsIt(DatabaseProvider provider, bool rabbit, bool supportsFlash)
    {
        await using var h = await DispatchHarness.CreateAsync(provider, rabbit);
        List<Employee> staff;
        await using (var db = h.Database.CreateContext())
        {
            var row = await db.Providers.SingleAsync(p => p.Id == h.ProviderId);
            row.SettingsJson = (ProviderSettings.Parse(row.SettingsJson) with { SupportsFlash = supportsFlash }).ToJson();
            await db.SaveChangesAsync();
            staff = await AlertTests.SeedStaffAsync(db, 3);
        }
        await h.StartAsync();
        var alerts = h.Get<AlertService>();
        await alerts.RaiseAsync(new AlertRequest(AlertKind.Alarm, "Evacuate building B", [], [staff[0].Id], null, Flash: true), "security");
        await alerts.RaiseAsync(new AlertRequest(AlertKind.Alarm, "Эвакуация из корпуса Б", [], [staff[1].Id], null, Flash: true), "security");
        await alerts.RaiseAsync(new AlertRequest(AlertKind.Alarm, "Not a flash alarm", [], [staff[2].Id], null), "security");

        await AlertTests.WaitForAsync(h, _ => Task.FromResult(h.Smsc.Messages.Count), n => n >= 3, TimeSpan.FromSeconds(60), "three alarms at the simulator");
        var byPhone = h.Smsc.Messages.ToDictionary(m => "+" + m.To.Value);
        Assert.Equal(3, byPhone.Count);
        var latin = byPhone[staff[0].Phone];
        var cyrillic = byPhone[staff[1].Phone];
        var plain = byPhone[staff[2].Phone];
        Assert.Equal(supportsFlash ? (byte)0x10 : (byte)0x00, latin.DataCoding);
        Assert.Equal(supportsFlash ? (byte)0x18 : (byte)0x08, cyrillic.DataCoding);
        Assert.Equal((byte)0x00, plain.DataCoding);
        // The simulator decodes class-0 text like any other: the words arrived intact.
        Assert.StartsWith("Evacuate building B", latin.Text, StringComparison.Ordinal);
        Assert.StartsWith("Эвакуация из корпуса Б", cyrillic.Text, StringComparison.Ordinal);
        await using var check = h.Database.CreateContext();
        Assert.Equal(2, await check.Alerts.CountAsync(a => a.Flash));
        Assert.Equal(2, await check.PriorityMessages.CountAsync(p => p.Flash && p.Source == PrioritySource.Alarm));
    }
}
