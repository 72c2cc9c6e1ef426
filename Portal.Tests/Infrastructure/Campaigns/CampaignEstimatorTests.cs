using Portal.Domain.Campaigns;
using Portal.Domain.Clients;
using Portal.Domain.Providers;
using Portal.Domain.Segments;
using Portal.Domain.Templates;
using Portal.Infrastructure.Campaigns;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Segments;
using Portal.Infrastructure.Templates;
using Portal.Tests.Support;

namespace Portal.Tests.Infrastructure.Campaigns;

public class CampaignEstimatorTests
{
    private static readonly DateTime Now = new(2026, 11, 25, 12, 0, 0, DateTimeKind.Utc); // 15:00 in Moscow

    public static TheoryData<DatabaseProvider> Providers => [DatabaseProvider.Sqlite, DatabaseProvider.Postgres];

    // 101 characters with a Latin name: one GSM-7 part. A Cyrillic name makes it UCS-2: 70 < 101, two parts.
    private const string Body = "Hello {{ client.first_name }}, your order is ready for pickup at our Main street store until 9 pm today.";

    internal sealed class FixedClock(DateTime utc) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => new(utc);
    }

    private static async Task<(TestDatabase Database, Campaign Campaign)> SeedAsync(DatabaseProvider provider, int controlGroupPercent)
    {
        var database = await TestDatabase.CreateAsync(provider);
        await using var db = database.CreateContext();
        for (var i = 0; i < 40; i++)
        {
            var cyrillic = i >= 20;
            var client = new Client(PhoneNumber.Parse($"+7916{i:D7}"), cyrillic ? "Анна" : "Anna", cyrillic ? "Иванова" : "Smith", Now.AddYears(-1))
            {
                Language = cyrillic ? "ru" : "en",
            };
            // Clients 30..39 never agreed to advertising.
            if (i < 30) client.SetConsent(ConsentPurpose.Advertising, true, Now.AddDays(-10), "crm", null);
            db.Clients.Add(client);
        }
        db.Providers.Add(new SmsProvider("main", ProviderKind.Smpp, """{"MaxPartsPerSecond": 10}""") { DefaultPartPrice = 0.5m });
        db.Providers.Add(new SmsProvider("dear", ProviderKind.Smpp, "{}") { DefaultPartPrice = 2m });
        var segment = new Segment("Everyone", null, SegmentRuleJson.Serialize(SegmentRule.Everyone()), "tester", Now);
        db.Segments.Add(segment);
        await db.SaveChangesAsync();
        var campaign = new Campaign("Pickup", null, MessagePurpose.Advertising, "tester", Now, new CampaignSettings { SegmentId = segment.Id, Body = Body, ControlGroupPercent = controlGroupPercent, QuietHoursEnabled = false });
        db.Campaigns.Add(campaign);
        await db.SaveChangesAsync();
        return (database, campaign);
    }

    private static CampaignEstimator Estimator(TestDatabase database) =>
        new(database.Factory, new CampaignAudience(new SegmentAudience(database.Factory, TimeProvider.System), Microsoft.Extensions.Options.Options.Create(new Portal.Infrastructure.Sending.SendingOptions())), new TemplateEngine(),
            new Portal.Infrastructure.Providers.RouteQuote(database.Factory, new FixedClock(Now)), new FixedClock(Now));

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Cost_IsAtTheRouteTheRouterTakes_NeverTheCheaperSimulator_AndNamesTheProvider(DatabaseProvider provider)
    {
        // Issue 20 item 4: with a real provider enabled the built-in simulator is never routed to, so it is not the price either.
        var (database, campaign) = await SeedAsync(provider, controlGroupPercent: 0);
        await using var _ = database;
        await using (var db = database.CreateContext())
        {
            db.Providers.Add(new SmsProvider(Portal.Infrastructure.Sending.EmbeddedSmsc.ProviderName, ProviderKind.Smpp, "{}") { DefaultPartPrice = 0.05m });
            await db.SaveChangesAsync();
        }

        var estimate = await Estimator(database).EstimateAsync(campaign);

        Assert.Equal(40, estimate.TotalParts);
        Assert.Equal(20.0m, estimate.TotalCost);
        Assert.Equal("main", estimate.Provider);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task MoneyFollowsEachClientsLanguage_AndTheEstimateSaysHowManyOfEach(DatabaseProvider provider)
    {
        // Issue 20 item 5: "2,019.02 RUB" for English clients and "2 019,02 ₽" for Russian ones is by design; the review shows the split.
        var (database, campaign) = await SeedAsync(provider, controlGroupPercent: 0);
        await using var _ = database;
        campaign.ChangeSettings(campaign.Settings with { Body = "Balance {{ client.balance | money }}" }, null, Now);

        var estimate = await Estimator(database).EstimateAsync(campaign);

        // Recipients 0..19 speak English, 20..29 Russian (30..39 have no consent).
        Assert.Equal(new Dictionary<string, int> { ["en"] = 20, ["ru"] = 10 }, estimate.Languages.ToDictionary(l => l.Key, l => l.Value));
        // "Balance 0,00 ₽" (14, UCS-2) and "Balance 0.00 RUB" (16, GSM-7).
        Assert.Equal((14, 16), estimate.Length);
        Assert.Equal(10, estimate.UnicodeMessages);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task CyrillicMergeValue_TurnsGsm7IntoTwoUcs2Parts_AndCountsAddUp(DatabaseProvider provider)
    {
        var (database, campaign) = await SeedAsync(provider, controlGroupPercent: 0);
        await using var _ = database;

        var estimate = await Estimator(database).EstimateAsync(campaign);

        Assert.Equal(40, estimate.Audience);
        Assert.Equal(30, estimate.Recipients);
        Assert.Equal(10, estimate.OptedOutOrNoConsent);
        Assert.Equal(0, estimate.ControlGroup);
        Assert.Equal(new Dictionary<int, int> { [1] = 20, [2] = 10 }, estimate.PartsHistogram);
        Assert.Equal(10, estimate.UnicodeMessages);
        Assert.Equal(40, estimate.TotalParts);
        // The cheapest enabled provider (0.50 a part) at its 10 parts/s: 30 messages of 4/3 parts on average.
        Assert.Equal(20.0m, estimate.TotalCost);
        Assert.Equal("RUB", estimate.Currency);
        Assert.Equal(TimeSpan.FromSeconds(4), estimate.EstimatedDuration);
        Assert.Equal(Now.AddSeconds(4), estimate.EstimatedFinishUtc);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task ControlGroup_IsThePipelinesHash_AndEverythingAddsUp(DatabaseProvider provider)
    {
        var (database, campaign) = await SeedAsync(provider, controlGroupPercent: 50);
        await using var _ = database;
        await using var db = database.CreateContext();
        var consenting = db.Clients.Where(c => c.AdvertisingConsent.Granted).Select(c => c.Id).ToList();
        var expectedControl = consenting.Count(id => ControlGroup.IsControl(campaign.Id, id, 50));

        var estimate = await Estimator(database).EstimateAsync(campaign);

        Assert.Equal(expectedControl, estimate.ControlGroup);
        Assert.InRange(estimate.ControlGroup, 1, 29);
        Assert.Equal(estimate.Audience, estimate.Recipients + estimate.ControlGroup + estimate.OptedOutOrNoConsent);
        Assert.Equal(estimate.Recipients, estimate.PartsHistogram.Values.Sum());
        Assert.Equal(estimate.TotalParts, estimate.PartsHistogram.Sum(p => (long)p.Key * p.Value));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task NamedProvider_AndAttributes_AreUsed(DatabaseProvider provider)
    {
        var (database, campaign) = await SeedAsync(provider, controlGroupPercent: 0);
        await using var _ = database;
        await using (var db = database.CreateContext())
        {
            var definition = new AttributeDefinition("store", AttributeType.Text, "Store");
            db.AttributeDefinitions.Add(definition);
            await db.SaveChangesAsync();
            var first = db.Clients.OrderBy(c => c.Id).First();
            // One client's store name is long enough to push their message to three parts.
            db.ClientAttributes.Add(new ClientAttribute(first.Id, definition.Id, text: new string('x', 300)));
            campaign = db.Campaigns.Single(c => c.Id == campaign.Id);
            campaign.ChangeSettings(campaign.Settings with { ProviderId = db.Providers.Single(p => p.Name == "dear").Id, Body = "Hi {{ client.first_name }} {{ attr.store }}" }, null, Now);
            await db.SaveChangesAsync();
        }

        var estimate = await Estimator(database).EstimateAsync(campaign);

        // "Hi Anna " + 300 x = 308 septets: three parts of 153; everyone else one part.
        Assert.Equal(new Dictionary<int, int> { [1] = 29, [3] = 1 }, estimate.PartsHistogram);
        Assert.Equal(32 * 2m, estimate.TotalCost);
    }

    [Fact]
    public void Finish_SkipsQuietHours_InMoscowTime()
    {
        var campaign = new Campaign("c", null, MessagePurpose.Service, "t", Now);
        // 20:59 in Moscow, two minutes of sending, quiet 21:00-09:00: one minute today, one from 09:00 tomorrow.
        var start = new DateTime(2026, 11, 25, 17, 59, 0, DateTimeKind.Utc);
        Assert.Equal(new DateTime(2026, 11, 26, 6, 1, 0, DateTimeKind.Utc), CampaignEstimator.FinishUtc(campaign, start, TimeSpan.FromMinutes(2)));
        campaign.ChangeSettings(campaign.Settings with { QuietHoursEnabled = false }, null, Now);
        Assert.Equal(start.AddMinutes(2), CampaignEstimator.FinishUtc(campaign, start, TimeSpan.FromMinutes(2)));
    }
}
