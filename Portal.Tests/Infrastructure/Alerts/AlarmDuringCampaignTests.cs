using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Portal.Domain.Alerts;
using Portal.Domain.Messages;
using Portal.Infrastructure.Alerts;
using Portal.Infrastructure.Campaigns;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Providers;
using Portal.Tests.Infrastructure.Sending;

namespace Portal.Tests.Infrastructure.Alerts;

/// <summary>
/// Issue 17 (mirrors issue 19's PriorityLaneTests): while a campaign sends through PostgreSQL,
/// RabbitMQ and the simulator over TCP, an alarm to 200 employees reaches the SMSC ahead of the
/// campaign's remaining chunks, because it rides the same priority lane.
/// </summary>
public sealed class AlarmDuringCampaignTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Alarm_DuringCampaign_IsSubmittedAheadOfTheRemainingChunks(bool rabbit)
    {
        await using var h = await DispatchHarness.CreateAsync(DatabaseProvider.Postgres, rabbit);
        await using (var db = h.Database.CreateContext())
        {
            var row = await db.Providers.SingleAsync(p => p.Id == h.ProviderId);
            row.SettingsJson = (ProviderSettings.Parse(row.SettingsJson) with { MaxPartsPerSecond = 300 }).ToJson();
            await db.SaveChangesAsync();
            await AlertTests.SeedStaffAsync(db, 200);
        }
        await h.SeedClientsAsync(4_000);
        await h.StartAsync();
        var campaignId = await h.CreateCampaignAsync();
        await h.Get<CampaignLauncher>().LaunchAsync(campaignId, default);
        await h.WaitUntilAsync(campaignId, c => c.GetValueOrDefault(MessageStatus.Submitted) + c.GetValueOrDefault(MessageStatus.Delivered) >= 600, TimeSpan.FromMinutes(2));

        List<int> staff;
        await using (var db = h.Database.CreateContext()) staff = await db.Employees.Select(e => e.Id).ToListAsync();
        var atRaise = await h.CountsAsync(campaignId);
        var clock = Stopwatch.StartNew();
        var raised = await h.Get<AlertService>().RaiseAsync(new AlertRequest(AlertKind.Alarm, "Fire alarm in building C", [], staff, null), "security");
        int sent = 0;
        while (clock.Elapsed < TimeSpan.FromSeconds(90))
        {
            await using var db = h.Database.CreateContext();
            sent = await db.AlertRecipients.Where(r => r.AlertId == raised.AlertId)
                .Join(db.Messages, r => r.MessageId, m => m.Id, (r, m) => m.Status)
                .CountAsync(s => s == MessageStatus.Submitted || s == MessageStatus.Delivered);
            if (sent == 200) break;
            await Task.Delay(50);
        }
        var alarmOut = clock.Elapsed;
        var counts = await h.CountsAsync(campaignId);

        Assert.Equal(200, sent);
        // 200 alarm SMS at 300/s took under a second or two; 4,000 campaign messages at 300/s take
        // over 13 s: the campaign's remaining chunks are still waiting when the alarm is all out.
        Assert.True(counts.GetValueOrDefault(MessageStatus.Queued) > 1000, $"the campaign's remaining chunks must still be waiting (alarm all out after {alarmOut.TotalSeconds:N1} s, campaign at the raise: {string.Join(", ", atRaise)}): " + string.Join(", ", counts));
    }
}
