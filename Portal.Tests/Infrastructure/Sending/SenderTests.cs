using Microsoft.EntityFrameworkCore;
using Portal.Domain.Audit;
using Portal.Domain.Campaigns;
using Portal.Domain.Messages;
using Portal.Infrastructure.Campaigns;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Sending;
using Portal.Tests.Infrastructure.Campaigns;

namespace Portal.Tests.Infrastructure.Sending;

/// <summary>The sender under crashes, quiet hours and the pause / resume / cancel controls.</summary>
public sealed class SenderTests
{
    [Fact]
    public async Task Sender_KilledMidCampaignAndRestarted_LosesNothingAndResubmitsOnlyInFlightFlagged()
    {
        await using var h = await DispatchHarness.CreateAsync(DatabaseProvider.Postgres, rabbit: true);
        await h.SeedClientsAsync(3_000);
        await h.StartAsync();
        var campaignId = await h.CreateCampaignAsync(s => s with { SpeedLimit = 600 });
        await h.Get<CampaignLauncher>().LaunchAsync(campaignId, default);
        await h.WaitUntilAsync(campaignId, c => c.GetValueOrDefault(MessageStatus.Delivered) >= 600, TimeSpan.FromSeconds(60));

        await h.StopAsync(kill: true);
        // The killed host's last handlers unwind in the background; count once they are gone.
        await Task.Delay(3000);
        var inFlight = (await h.CountsAsync(campaignId)).GetValueOrDefault(MessageStatus.Submitting);
        Assert.True(inFlight > 0, "the kill should catch a batch in flight");
        await h.StartAsync();
        await h.WaitUntilAsync(campaignId, DispatchHarness.AllFinal, TimeSpan.FromMinutes(2));

        await using var db = h.Database.CreateContext();
        var messages = await db.Messages.Where(m => m.CampaignId == campaignId).Select(m => new { m.Phone, m.Status, m.Resubmitted }).ToListAsync();
        Assert.Equal(3_000, messages.Count);
        Assert.All(messages, m => Assert.Equal(MessageStatus.Delivered, m.Status));
        var resubmitted = messages.Where(m => m.Resubmitted).Select(m => m.Phone).ToHashSet();
        Assert.InRange(resubmitted.Count, 1, inFlight);
        // Nothing lost: every client got the SMS; a client got it twice only if its message is flagged.
        var received = h.Smsc.Messages.GroupBy(m => "+" + m.To.Value).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(3_000, received.Count);
        Assert.All(received.Where(r => r.Value > 1), r => Assert.Contains(r.Key, resubmitted));
        Assert.All(received, r => Assert.InRange(r.Value, 1, 2));
    }

    public static TheoryData<string, int> RussianZones => new()
    {
        { "Europe/Kaliningrad", 2 }, { "Europe/Moscow", 3 }, { "Europe/Samara", 4 }, { "Asia/Yekaterinburg", 5 },
        { "Asia/Omsk", 6 }, { "Asia/Krasnoyarsk", 7 }, { "Asia/Irkutsk", 8 }, { "Asia/Yakutsk", 9 },
        { "Asia/Vladivostok", 10 }, { "Asia/Magadan", 11 }, { "Asia/Kamchatka", 12 },
    };

    [Fact]
    public async Task QuietHours_AllElevenRussianZones_SendNothingInsideDeferToLocalNineAndNeverDrop()
    {
        var zones = RussianZones.Select(z => (string)z[0]).ToArray();
        // 18:30 UTC: 20:30 in Kaliningrad (may send), 21:30 in Moscow ... 06:30 next day in Kamchatka (quiet).
        var clock = new ManualClock(new DateTimeOffset(2026, 11, 25, 18, 30, 0, TimeSpan.Zero));
        await using var h = await DispatchHarness.CreateAsync(DatabaseProvider.Sqlite, rabbit: false);
        h.Clock = clock;
        await h.SeedClientsAsync(zones.Length * 20, (c, i) => c.TimeZone = zones[i % zones.Length]);
        await h.StartAsync();
        var campaignId = await h.CreateCampaignAsync(s => s with { QuietHoursEnabled = true, QuietFromMinute = 21 * 60, QuietToMinute = 9 * 60 });
        await h.Get<CampaignLauncher>().LaunchAsync(campaignId, default);
        await h.WaitUntilAsync(campaignId, c => c.GetValueOrDefault(MessageStatus.Delivered) == 20 && c.GetValueOrDefault(MessageStatus.Deferred) == 200,
            TimeSpan.FromSeconds(60));

        // Only Kaliningrad was outside its quiet hours.
        Assert.All(h.Smsc.Messages, m => Assert.Equal(0, (int.Parse(m.To.Value[4..]) - 1) % zones.Length));
        await using (var db = h.Database.CreateContext())
        {
            var deferred = await db.Messages.Where(m => m.CampaignId == campaignId && m.Status == MessageStatus.Deferred)
                .Join(db.Clients, m => m.ClientId, c => c.Id, (m, c) => new { m.NotBefore, c.TimeZone }).ToListAsync();
            Assert.Equal(zones.Length - 1, deferred.Select(d => d.TimeZone).Distinct().Count());
            foreach (var d in deferred)
            {
                var zone = TimeZoneInfo.FindSystemTimeZoneById(d.TimeZone);
                var local = TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(d.NotBefore!.Value, DateTimeKind.Utc), zone);
                Assert.Equal(new TimeOnly(9, 0), TimeOnly.FromDateTime(local));
                Assert.InRange(d.NotBefore.Value, clock.GetUtcNow().UtcDateTime, clock.GetUtcNow().UtcDateTime.AddHours(12));
            }
        }
        var sentBefore = h.Smsc.Statistics.Accepted;

        // 02:00 UTC: 09:00 has come east of Irkutsk (UTC+7 and beyond); west of it, it is still night.
        clock.Now = new DateTimeOffset(2026, 11, 26, 2, 0, 0, TimeSpan.Zero);
        await h.WaitUntilAsync(campaignId, c => c.GetValueOrDefault(MessageStatus.Delivered) == 20 + 6 * 20, TimeSpan.FromSeconds(60));
        await Task.Delay(1500);
        Assert.Equal(sentBefore + 120, h.Smsc.Statistics.Accepted);

        clock.Now = new DateTimeOffset(2026, 11, 26, 7, 0, 0, TimeSpan.Zero);
        await h.WaitUntilAsync(campaignId, c => c.GetValueOrDefault(MessageStatus.Delivered) == zones.Length * 20, TimeSpan.FromSeconds(60));
        await h.WaitForCampaignAsync(campaignId, CampaignStatus.Completed);
        Assert.Equal(zones.Length * 20, h.Smsc.Messages.Select(m => m.To.Value).Distinct().Count());
    }

    [Fact]
    public async Task Pause_StopsSubmissionsWithinTwoSeconds_ResumeContinues_CancelSendsNothingMore()
    {
        await using var h = await DispatchHarness.CreateAsync(DatabaseProvider.Postgres, rabbit: true);
        await h.SeedClientsAsync(2_000);
        await h.StartAsync();
        var campaignId = await h.CreateCampaignAsync(s => s with { SpeedLimit = 200 });
        var operations = h.Get<ICampaignOperations>();
        await h.Get<CampaignLauncher>().LaunchAsync(campaignId, default);
        await h.WaitUntilAsync(campaignId, c => c.GetValueOrDefault(MessageStatus.Delivered) >= 200, TimeSpan.FromSeconds(60));

        await operations.PauseAsync(campaignId, Actors.Operator);
        await Task.Delay(2000);
        var atTwoSeconds = h.Smsc.Statistics.Accepted;
        await Task.Delay(2000);
        Assert.Equal(atTwoSeconds, h.Smsc.Statistics.Accepted);
        Assert.True(atTwoSeconds < 2_000);
        Assert.Equal(CampaignStatus.Paused, await h.CampaignStatusAsync(campaignId));

        await operations.ResumeAsync(campaignId, Actors.Operator);
        await h.WaitUntilAsync(campaignId, c => c.GetValueOrDefault(MessageStatus.Delivered) >= atTwoSeconds + 200, TimeSpan.FromSeconds(30));

        await operations.CancelAsync(campaignId, Actors.Operator);
        await Task.Delay(2000);
        var afterCancel = h.Smsc.Statistics.Accepted;
        await Task.Delay(2000);
        Assert.Equal(afterCancel, h.Smsc.Statistics.Accepted);
        await h.WaitUntilAsync(campaignId, DispatchHarness.AllFinal, TimeSpan.FromSeconds(30));
        var counts = await h.CountsAsync(campaignId);
        Assert.True(counts.GetValueOrDefault(MessageStatus.Cancelled) > 0);
        Assert.Equal(afterCancel, counts.GetValueOrDefault(MessageStatus.Delivered));
        Assert.Equal(2_000, counts.GetValueOrDefault(MessageStatus.Delivered) + counts.GetValueOrDefault(MessageStatus.Cancelled));
        Assert.Equal(CampaignStatus.Cancelled, await h.CampaignStatusAsync(campaignId));
        await using var db = h.Database.CreateContext();
        var actions = await db.AuditEntries.Where(a => a.EntityId == campaignId.ToString()).Select(a => a.Action).ToListAsync();
        Assert.Contains(AuditActions.CampaignPaused, actions);
        Assert.Contains(AuditActions.CampaignResumed, actions);
        Assert.Contains(AuditActions.CampaignCancelled, actions);
    }

    // Test sends (own verified phone, sample client, limit, audit) are in Campaigns/TestSendTests (issue 14).

    [Fact]
    public async Task Schedule_Now_QuartzLaunchesTheCampaignAndItIsDelivered()
    {
        await using var h = await DispatchHarness.CreateAsync(DatabaseProvider.Sqlite, rabbit: false, settings: new() { ["Scheduling:Enabled"] = "true" });
        await h.SeedClientsAsync(300);
        await h.StartAsync();
        var campaignId = await h.CreateCampaignAsync(schedule: false);

        await h.Get<ICampaignOperations>().ScheduleAsync(campaignId, Actors.Author);

        await h.WaitUntilAsync(campaignId, c => c.GetValueOrDefault(MessageStatus.Delivered) == 300, TimeSpan.FromSeconds(60));
        await h.WaitForCampaignAsync(campaignId, CampaignStatus.Completed);
        await using var db = h.Database.CreateContext();
        var actions = await db.AuditEntries.Where(a => a.EntityId == campaignId.ToString()).Select(a => a.Action).ToListAsync();
        Assert.Contains(AuditActions.CampaignScheduled, actions);
        Assert.Contains(AuditActions.CampaignLaunched, actions);
    }
}

/// <summary>A clock the test moves by hand.</summary>
internal sealed class ManualClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;
    public override DateTimeOffset GetUtcNow() => Now;
}
