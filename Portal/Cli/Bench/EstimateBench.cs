using System.Diagnostics;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Portal.Domain.Campaigns;
using Portal.Domain.Providers;
using Portal.Domain.Segments;
using Portal.Infrastructure.Campaigns;
using Portal.Infrastructure.Persistence;

namespace Portal.Cli.Bench;

/// <summary>
/// <c>bench estimate [--runs 3] [--control 10]</c> against the configured, seeded database: the cost
/// estimate (<see cref="ICampaignEstimator"/>) of an advertising campaign to every client with a
/// three-field template, i.e. the whole audience streamed, rendered and counted. Creates the bench
/// segment, campaign and provider once.
/// </summary>
internal static class EstimateBench
{
    private const string Name = "Bench estimate fixtures";
    private const string Body = "{{ client.first_name | default: \"Клиент\" }}, ваш баланс {{ client.balance | money }}. Скидка 20% на всё до {{ campaign.date | short_date }}! Ждём!";

    public static async Task<int> RunAsync(string[] args)
    {
        var runs = CliVerbs.Option(args, "runs") is { } r ? int.Parse(r, CultureInfo.InvariantCulture) : 3;
        var control = CliVerbs.Option(args, "control") is { } c ? int.Parse(c, CultureInfo.InvariantCulture) : 10;
        using var host = VerbHost.Build(args[2..]);
        var contexts = host.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        var estimator = host.Services.GetRequiredService<ICampaignEstimator>();
        Campaign campaign;
        await using (var db = await contexts.CreateDbContextAsync())
        {
            campaign = await FixtureAsync(db, control);
            Console.WriteLine($"Base: {await db.Clients.LongCountAsync():N0} clients ({db.Database.ProviderName}); campaign {campaign.Id}, control group {control} %; {runs} runs");
        }
        for (var run = 1; run <= runs; run++)
        {
            var clock = Stopwatch.StartNew();
            var estimate = await estimator.EstimateAsync(campaign);
            clock.Stop();
            var histogram = string.Join(", ", estimate.PartsHistogram.Select(p => $"{p.Key} part(s): {p.Value:N0}"));
            Console.WriteLine(FormattableString.Invariant(
                $"run {run}: {clock.Elapsed.TotalSeconds:N1} s, {estimate.Audience / clock.Elapsed.TotalSeconds:N0} clients/s; audience {estimate.Audience:N0}, recipients {estimate.Recipients:N0}, control {estimate.ControlGroup:N0}, dropped {estimate.OptedOutOrNoConsent:N0}; {histogram}; UCS-2 {estimate.UnicodeMessages:N0}; {estimate.TotalParts:N0} parts = {estimate.TotalCost:N2} {estimate.Currency}; send time {estimate.EstimatedDuration}"));
        }
        return 0;
    }

    private static async Task<Campaign> FixtureAsync(PortalDbContext db, int control)
    {
        var campaign = await db.Campaigns.FirstOrDefaultAsync(c => c.Name == Name);
        if (campaign is null)
        {
            var now = DateTime.UtcNow;
            var segment = new Segment(Name, null, SegmentRuleJson.Serialize(SegmentRule.Everyone()), "bench", now);
            db.Segments.Add(segment);
            if (!await db.Providers.AnyAsync(p => p.Enabled))
            {
                db.Providers.Add(new SmsProvider(Name, ProviderKind.Smpp, """{"MaxPartsPerSecond": 500}""") { DefaultPartPrice = 2.5m });
            }
            await db.SaveChangesAsync();
            campaign = new Campaign(Name, null, MessagePurpose.Advertising, "bench", now, new CampaignSettings { SegmentId = segment.Id, Body = Body });
            db.Campaigns.Add(campaign);
        }
        campaign.ChangeSettings(campaign.Settings with { ControlGroupPercent = control, Body = Body }, null, DateTime.UtcNow);
        await db.SaveChangesAsync();
        return campaign;
    }
}
