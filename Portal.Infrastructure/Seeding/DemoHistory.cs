using Microsoft.EntityFrameworkCore;
using Portal.Domain.Analytics;
using Portal.Domain.Campaigns;
using Portal.Infrastructure.Persistence;

namespace Portal.Infrastructure.Seeding;

/// <summary>
/// A few weeks of past campaigns with control groups and a planted, known effect (issue 15), so a
/// new user sees meaningful analytics on first start: one campaign a week, each to every demo client,
/// 10 % held back, purchases a day after delivery. The conversions are attributed by the running
/// attribution job like any other events.
/// </summary>
public static class DemoHistory
{
    /// <summary>(name, sent ‰, control ‰): a clear win, a smaller one, no effect, a campaign that hurt.</summary>
    public static readonly IReadOnlyList<(string Name, int SentPerMille, int ControlPerMille)> Campaigns =
    [
        ("Осенняя распродажа", 60, 40),
        ("Кэшбэк за оплату", 48, 40),
        ("Новости сервиса", 40, 40),
        ("Ночная рассылка", 30, 40),
    ];

    /// <returns>The ids of the campaigns written; none when the history exists already.</returns>
    public static async Task<IReadOnlyList<int>> WriteAsync(PortalDbContext db, int? departmentId, string author, DateTime now, CancellationToken ct)
    {
        if (await db.Campaigns.AnyAsync(c => c.Name == Campaigns[0].Name, ct)) return [];
        var first = await db.Clients.MinAsync(c => (long?)c.Id, ct);
        var last = await db.Clients.MaxAsync(c => (long?)c.Id, ct);
        if (first is null || last is null) return [];

        var ids = new List<int>();
        for (var i = 0; i < Campaigns.Count; i++)
        {
            var (name, sent, control) = Campaigns[i];
            // Weeks back from the oldest; at 10:00 UTC, inside everyone's daytime.
            var at = now.Date.AddDays(-7 * (Campaigns.Count - i) - 1).AddHours(10);
            var campaign = new Campaign(name, departmentId, MessagePurpose.Advertising, author, at.AddDays(-1), new CampaignSettings
            {
                Body = "{{ client.first_name }}, специальное предложение для вас. Отказ: STOP",
                ControlGroupPercent = 10,
            });
            campaign.SetGoal(new CampaignGoal(GoalEventTypes.Purchase, null, CampaignGoal.DefaultWindowHours), at.AddDays(-1));
            db.Campaigns.Add(campaign);
            await db.SaveChangesAsync(ct);
            await db.Campaigns.Where(c => c.Id == campaign.Id).ExecuteUpdateAsync(s => s
                .SetProperty(c => c.Status, CampaignStatus.Completed)
                .SetProperty(c => c.ScheduledAt, at)
                .SetProperty(c => c.StartedAt, at)
                .SetProperty(c => c.FinishedAt, at.AddHours(1)), ct);
            await PlantedHistoryWriter.WriteAsync(db, new PlantedCampaign(campaign.Id, first.Value, last.Value, at, sent, control,
                Amount: 1_500m + 500m * i, UndeliverableEvery: 25, ReplyEvery: 40 + 10 * i, OptOutEvery: 150 + 100 * i), ct);
            ids.Add(campaign.Id);
        }
        return ids;
    }
}
