using Microsoft.EntityFrameworkCore;
using Npgsql;
using Portal.Domain.Campaigns;
using Portal.Domain.Clients;
using Portal.Domain.Messages;
using Portal.Infrastructure.Campaigns;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Sending;
using Portal.Tests.Infrastructure.Campaigns;
using Portal.Tests.Support;

namespace Portal.Tests.Infrastructure.Sending;

/// <summary>The launch snapshot: one run per campaign, the control group rule, who is left out.</summary>
public sealed class LaunchTests
{
    private static readonly Dictionary<string, string?> NoSenders = new() { ["Sending:Enabled"] = "false" };

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Launch_TwiceConcurrently_MakesOneRun(DatabaseProvider provider)
    {
        await using var h = await DispatchHarness.CreateAsync(provider, rabbit: false, settings: NoSenders);
        await h.SeedClientsAsync(2_500);
        await h.StartAsync();
        var campaignId = await h.CreateCampaignAsync();
        var launcher = h.Get<CampaignLauncher>();

        var results = await Task.WhenAll(
            Task.Run(() => launcher.LaunchAsync(campaignId, default)),
            Task.Run(() => launcher.LaunchAsync(campaignId, default)));

        Assert.Single(results, r => r is not null);
        Assert.Single(results, r => r is null);
        Assert.Null(await launcher.LaunchAsync(campaignId, default));
        var counts = await h.CountsAsync(campaignId);
        Assert.Equal(2_500, counts.Values.Sum());
        await using var db = h.Database.CreateContext();
        Assert.Equal(2_500, await db.Messages.Where(m => m.CampaignId == campaignId).Select(m => m.ClientId).Distinct().CountAsync());
        Assert.Equal(3, await db.MessageChunks.CountAsync(c => c.CampaignId == campaignId));
        Assert.Equal(CampaignStatus.Sending, await h.CampaignStatusAsync(campaignId));
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Launch_ControlGroup_IsExactlyTheCSharpRuleWithinTolerance(DatabaseProvider provider)
    {
        await using var h = await DispatchHarness.CreateAsync(provider, rabbit: false, settings: NoSenders);
        await h.SeedClientsAsync(5_000);
        await h.StartAsync();
        var campaignId = await h.CreateCampaignAsync(s => s with { ControlGroupPercent = 20 });

        var launch = await h.Get<CampaignLauncher>().LaunchAsync(campaignId, default);

        Assert.NotNull(launch);
        Assert.InRange(launch.Control, 900, 1_100);
        await using var db = h.Database.CreateContext();
        var messages = await db.Messages.Where(m => m.CampaignId == campaignId).Select(m => new { m.ClientId, m.Status }).ToListAsync();
        Assert.All(messages, m => Assert.Equal(ControlGroup.IsControl(campaignId, m.ClientId, 20) ? MessageStatus.Control : MessageStatus.Queued, m.Status));
    }

    [Fact]
    public async Task PostgresFunction_AgreesWithCSharp_On10000Ids()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Postgres);
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        var random = new Random(42);
        var pairs = Enumerable.Range(0, 10_000)
            .Select(i => (Campaign: i % 3 == 0 ? random.Next() : random.Next(1, 5000), Client: i % 2 == 0 ? random.NextInt64() : random.NextInt64(1, 3_000_000)))
            .ToList();
        await using var command = new NpgsqlCommand(
            $"SELECT {ControlGroupSql.FunctionName}(c, id) FROM unnest(@c, @id) AS t(c, id)", connection);
        command.Parameters.AddWithValue("c", pairs.Select(p => p.Campaign).ToArray());
        command.Parameters.AddWithValue("id", pairs.Select(p => p.Client).ToArray());
        var buckets = new List<int>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync()) buckets.Add(reader.GetInt32(0));
        }
        Assert.Equal(pairs.Select(p => ControlGroup.Bucket(p.Campaign, p.Client)), buckets);
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Launch_LeavesOutOptedOutBlockedAndNonConsentingAndFrequencyCapped(DatabaseProvider provider)
    {
        await using var h = await DispatchHarness.CreateAsync(provider, rabbit: false, settings: new()
        {
            ["Sending:Enabled"] = "false",
            ["Sending:MaxMessagesPerClientPerDay"] = "1",
        });
        var at = new DateTime(2026, 2, 1, 0, 0, 0, DateTimeKind.Utc);
        await h.SeedClientsAsync(500, (c, i) =>
        {
            switch (i % 5)
            {
                case 0: c.OptOut(at, "STOP"); break;
                case 1: c.SetConsent(ConsentPurpose.Advertising, false, at, "test", null); break;
                case 2: c.Block(at); break;
            }
        });
        await h.StartAsync();
        var launcher = h.Get<CampaignLauncher>();
        var advertising = await h.CreateCampaignAsync(purpose: MessagePurpose.Advertising);

        var ad = await launcher.LaunchAsync(advertising, default);

        Assert.NotNull(ad);
        Assert.Equal(200, ad.Messages);
        await using (var db = h.Database.CreateContext())
        {
            var phones = await db.Messages.Where(m => m.CampaignId == advertising).Select(m => m.Phone).ToListAsync();
            Assert.All(phones, p => Assert.Contains((int.Parse(p[5..]) - 1) % 5, new[] { 3, 4 }));
        }

        // A service message needs no advertising consent: 300 may get it, 200 of whom already got one today.
        var service = await h.CreateCampaignAsync();
        var notice = await launcher.LaunchAsync(service, default);
        Assert.NotNull(notice);
        Assert.Equal(100, notice.Messages);
        Assert.Equal(200, notice.FrequencyCapped);
    }

    [Fact]
    public async Task RecurringFiring_CreatesOneChildRunPerFiring_EvenWhenFiredTwice()
    {
        await using var h = await DispatchHarness.CreateAsync(DatabaseProvider.Postgres, rabbit: false, settings: NoSenders);
        await h.SeedClientsAsync(300);
        await h.StartAsync();
        var parentId = await h.CreateCampaignAsync(s => (s with
        {
            ScheduleKind = ScheduleKind.Recurring, Cron = "0 0 10 ? * MON", RecurrenceEndsAt = new DateTime(2027, 6, 1, 0, 0, 0, DateTimeKind.Utc),
            ControlGroupPercent = 10, SpeedLimit = 500, ValidityHours = 6, QuietFromMinute = 23 * 60, QuietToMinute = 6 * 60,
        }).WithGoal(new Portal.Domain.Analytics.CampaignGoal(Portal.Domain.Analytics.GoalEventTypes.Purchase, 10m, 72)));
        var runs = h.Get<CampaignRuns>();
        var firing = new DateTime(2026, 11, 30, 10, 0, 0, DateTimeKind.Utc);

        var first = await runs.FireAsync(parentId, firing, default);
        var again = await runs.FireAsync(parentId, firing, default);
        var next = await runs.FireAsync(parentId, firing.AddDays(7), default);

        Assert.NotNull(first);
        Assert.Null(again);
        Assert.NotNull(next);
        await using var db = h.Database.CreateContext();
        var children = await db.Campaigns.Where(c => c.ParentCampaignId == parentId).ToListAsync();
        Assert.Equal(2, children.Count);
        Assert.All(children, c => Assert.Equal(CampaignStatus.Sending, c.Status));
        // Issue 21: a run carries the parent's settings as one value, launched at once instead of on the cron.
        var parent = await db.Campaigns.AsNoTracking().SingleAsync(c => c.Id == parentId);
        var expected = parent.Settings with { ScheduleKind = ScheduleKind.Now, Cron = null, RecurrenceEndsAt = null };
        Assert.All(children, c => Assert.True(c.Settings.SendsAs(expected) && c.Goal == parent.Goal, "a run's settings differ from its parent's"));
        Assert.All(children, c => Assert.Equal(10, c.Settings.ControlGroupPercent));
        Assert.Equal(300, await db.Messages.CountAsync(m => m.CampaignId == first.CampaignId));
        Assert.Equal(CampaignStatus.Scheduled, await h.CampaignStatusAsync(parentId));
    }

    [Fact]
    public async Task Schedule_AboveTheSizeThreshold_NeedsApprovalOnTheServer_EvenIfTheWizardDidNotAsk()
    {
        var settings = new Dictionary<string, string?>(NoSenders) { ["Campaigns:ApprovalSizeThreshold"] = "100" };
        await using var h = await DispatchHarness.CreateAsync(DatabaseProvider.Sqlite, rabbit: false, settings: settings);
        await h.SeedClientsAsync(150);
        await h.StartAsync();
        var campaignId = await h.CreateCampaignAsync(schedule: false);
        var operations = h.Get<ICampaignOperations>();

        var refused = await Assert.ThrowsAsync<Portal.Domain.Common.DomainException>(() => operations.ScheduleAsync(campaignId, Actors.Author));

        Assert.Contains("approval", refused.Message);
        Assert.Equal(CampaignStatus.Draft, await h.CampaignStatusAsync(campaignId));
        await operations.ApproveAsync(campaignId, Actors.Manager);
        await operations.ScheduleAsync(campaignId, Actors.Author);
        Assert.Contains(await h.CampaignStatusAsync(campaignId), new[] { CampaignStatus.Scheduled, CampaignStatus.Sending });
    }

    [Fact]
    public async Task StalledChunks_PublishedLongAgoAndNotDone_ArePublishedAgain_DoneOnesAreNot()
    {
        await using var h = await DispatchHarness.CreateAsync(DatabaseProvider.Sqlite, rabbit: false, settings: NoSenders);
        await h.SeedClientsAsync(2_500);
        await h.StartAsync();
        var campaignId = await h.CreateCampaignAsync();
        Assert.NotNull(await h.Get<CampaignLauncher>().LaunchAsync(campaignId, default));
        var longAgo = DateTime.UtcNow.AddHours(-1);
        await using (var db = h.Database.CreateContext())
        {
            await db.MessageChunks.Where(c => c.CampaignId == campaignId).ExecuteUpdateAsync(s => s.SetProperty(c => c.PublishedAt, longAgo));
            var first = await db.MessageChunks.Where(c => c.CampaignId == campaignId).OrderBy(c => c.Id).Select(c => c.Id).FirstAsync();
            await db.MessageChunks.Where(c => c.Id == first).ExecuteUpdateAsync(s => s.SetProperty(c => c.Status, MessageChunkStatus.Done));
        }

        var again = await h.Get<ChunkPublisher>().PublishStalledAsync(campaignId, DateTime.UtcNow.AddMinutes(-10), default);

        Assert.Equal(2, again);
        Assert.Equal(0, await h.Get<ChunkPublisher>().PublishStalledAsync(campaignId, DateTime.UtcNow.AddMinutes(-10), default));
        await using var check = h.Database.CreateContext();
        Assert.Equal(2, await check.MessageChunks.CountAsync(c => c.CampaignId == campaignId && c.Status == MessageChunkStatus.Published && c.PublishedAt > longAgo));
    }
    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task PendingChunks_ClaimedByOnePublisher_OthersSkipThemUntilTheClaimExpires(DatabaseProvider provider)
    {
        // Issue 22: the launcher and a sweep in the window between the launch's commit and its publish
        // both published the new chunks; the sweep's copy was sent outside the launch's trace.
        await using var h = await DispatchHarness.CreateAsync(provider, rabbit: false, settings: NoSenders);
        await h.SeedClientsAsync(2_500);
        await h.StartAsync();
        var campaignId = await h.CreateCampaignAsync();
        var launch = await h.Get<CampaignLauncher>().LaunchAsync(campaignId, default);
        var n = launch!.Chunks;
        Assert.True(n >= 2, $"{n} chunks");
        var publisher = h.Get<ChunkPublisher>();
        async Task<int> Unpublish(DateTime? claimedAt)
        {
            await using var db = h.Database.CreateContext();
            return await db.MessageChunks.Where(c => c.CampaignId == campaignId)
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.Status, MessageChunkStatus.Created).SetProperty(c => c.PublishedAt, claimedAt));
        }

        await Unpublish(null);
        var concurrent = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => publisher.PublishPendingAsync(campaignId, default))));
        Assert.Equal(n, concurrent.Sum());
        await using (var db = h.Database.CreateContext())
        {
            Assert.Equal(n, await db.MessageChunks.CountAsync(c => c.CampaignId == campaignId && c.Status == MessageChunkStatus.Published));
        }
        // Claimed a moment ago by a publisher still waiting for confirms: not this sweep's.
        await Unpublish(DateTime.UtcNow);
        Assert.Equal(0, await publisher.PublishPendingAsync(campaignId, default));
        // Claimed by a publisher that died before its confirms: taken again once the lease is over.
        await Unpublish(DateTime.UtcNow - h.Get<Microsoft.Extensions.Options.IOptions<SendingOptions>>().Value.PublishLease - TimeSpan.FromSeconds(1));
        Assert.Equal(n, await publisher.PublishPendingAsync(campaignId, default));
    }
}
