using Microsoft.EntityFrameworkCore;
using Portal.Domain.Alerts;
using Portal.Domain.Messages;
using Portal.Domain.Staff;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Alerts;
using Portal.Infrastructure.Providers;
using Portal.Domain.Providers;
using Portal.Infrastructure.Campaigns;
using Portal.Tests.Infrastructure.Http;
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

    /// <summary>
    /// Over an HTTP provider ticked "Delivers flash SMS" with its flash field (Kannel's mclass=0):
    /// the flash alarm's request carries it; a plain alarm's and a campaign message's through the
    /// same provider do not. The whole pipeline (priority lane, campaign sender) against a loopback gateway.
    /// </summary>
    [Theory]
    [InlineData(DatabaseProvider.Sqlite, false)]
    [InlineData(DatabaseProvider.Postgres, true)]
    public async Task FlashAlarm_OverAnHttpProvider_CarriesItsFlashParameter_ACampaignMessageDoesNot(DatabaseProvider provider, bool rabbit)
    {
        await using var gateway = await FakeHttpProvider.StartAsync();
        await using var h = await DispatchHarness.CreateAsync(provider, rabbit);
        await h.SeedClientsAsync(1);
        List<Employee> staff;
        int httpId;
        await using (var db = h.Database.CreateContext())
        {
            (await db.Providers.SingleAsync(p => p.Id == h.ProviderId)).Enabled = false;
            var http = new Portal.Domain.Providers.SmsProvider("Flash gateway", ProviderKind.Http, new ProviderSettings
            {
                SupportsFlash = true,
                Http = new HttpProviderSettings
                {
                    Method = "GET",
                    UrlTemplate = gateway.Url + "/ok?to={to_digits}&text={text}&id={id}",
                    MessageIdJsonPath = "result.messages[0].id",
                    FlashParameter = "mclass=0",
                },
            }.ToJson()) { DefaultPartPrice = 0.35m };
            db.Providers.Add(http);
            await db.SaveChangesAsync();
            httpId = http.Id;
            staff = await AlertTests.SeedStaffAsync(db, 2);
        }
        await h.StartAsync();
        var alerts = h.Get<AlertService>();
        await alerts.RaiseAsync(new AlertRequest(AlertKind.Alarm, "Evacuate building B", [], [staff[0].Id], null, Flash: true), "security");
        await alerts.RaiseAsync(new AlertRequest(AlertKind.Alarm, "Not a flash alarm", [], [staff[1].Id], null), "security");
        var campaignId = await h.CreateCampaignAsync(s => s with { ProviderId = httpId });
        await h.Get<CampaignLauncher>().LaunchAsync(campaignId, default);

        await AlertTests.WaitForAsync(h, _ => Task.FromResult(gateway.Requests.Count), n => n >= 3, TimeSpan.FromSeconds(60), "three requests at the gateway");
        var byPhone = gateway.Requests.Select(r => Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(new Uri("http://x" + r.PathAndQuery).Query))
            .ToDictionary(q => "+" + q["to"].ToString());
        // Three: the campaign to "everyone" does not dial the alerts' placeholder client (it did, before it was kept inactive).
        await Task.Delay(1000);
        Assert.DoesNotContain(gateway.Requests, r => r.PathAndQuery.Contains("to=000000000017", StringComparison.Ordinal));
        Assert.Equal(3, byPhone.Count);
        Assert.Equal("0", byPhone[staff[0].Phone]["mclass"].ToString());
        Assert.StartsWith("Evacuate building B", byPhone[staff[0].Phone]["text"].ToString(), StringComparison.Ordinal);
        Assert.False(byPhone[staff[1].Phone].ContainsKey("mclass"));
        Assert.False(byPhone["+79000000001"].ContainsKey("mclass"));
        await using var check = h.Database.CreateContext();
        Assert.Equal(3, await check.Messages.CountAsync(m => m.ProviderId == httpId && m.Status == MessageStatus.Submitted));
    }
}
