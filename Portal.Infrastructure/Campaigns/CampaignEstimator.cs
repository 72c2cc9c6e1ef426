using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Portal.Domain.Campaigns;
using Portal.Domain.Clients;
using Portal.Domain.Templates;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Providers;
using Portal.Infrastructure.Templates;

namespace Portal.Infrastructure.Campaigns;

/// <summary>
/// Cost before send (issue 6 item 2): streams the campaign's real recipients
/// (<see cref="CampaignAudience"/>, in id order, only the columns a template can read), drops the
/// control group by the pipeline's own hash, renders each with the campaign's body and counts
/// parts. Attributes are loaded per batch of clients, only when the template reads <c>attr.*</c>.
/// <para>
/// Cost is at the route <see cref="RouteQuote"/> gives (the router's rules). Finish time is an
/// approximation: the rate is the smaller of the route's parts per second
/// (settings <c>MaxPartsPerSecond</c>, default 100) divided by the average parts, and the campaign's
/// speed limit; quiet hours are applied in Moscow time for the whole audience. The pipeline defers
/// each client to their own local window, so with clients east of Moscow the real finish can move
/// by up to the time-zone spread.
/// </para>
/// </summary>
public sealed class CampaignEstimator(IDbContextFactory<PortalDbContext> contexts, CampaignAudience audience, TemplateEngine engine, RouteQuote routes, TimeProvider clock)
    : ICampaignEstimator
{
    public const int DefaultPartsPerSecond = 100;
    public const string Currency = "RUB";
    private const int Batch = 5_000;
    private static readonly TimeZoneInfo Moscow = TimeZoneInfo.TryFindSystemTimeZoneById("Europe/Moscow", out var zone) ? zone : TimeZoneInfo.Utc;

    public async Task<CampaignEstimate> EstimateAsync(Campaign campaign, IProgress<double>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(campaign);
        var template = engine.Compile(campaign.Settings.Body);
        var readsAttributes = campaign.Settings.Body.Contains(MergeFields.AttributesRoot, StringComparison.Ordinal);
        var now = clock.GetUtcNow().UtcDateTime;
        var start = campaign.ScheduledAt is { } at && at > now ? at : now;
        var merge = new CampaignMergeFields(campaign.Name, campaign.Settings.SenderId, start);

        await using var db = await contexts.CreateDbContextAsync(ct);
        // Issue 20 item 4: priced on the route the router would take (the named provider, else the cheapest
        // real one for a Russian mobile number), as the template editor prices its preview.
        var route = await routes.ForAsync(SampleClient.Phone, campaign.Settings.ProviderId, ct);
        var partsPerSecond = await PartsPerSecondAsync(db, route?.ProviderId, ct);
        var audienceCount = await (await audience.AudienceAsync(db, campaign, ct)).CountAsync(ct);
        // Issue 20: who the launch would snapshot (frequency cap included), not merely who the audience holds.
        var recipients = await audience.SendableAsync(db, campaign, start, ct);

        var histogram = new SortedDictionary<int, int>();
        int sendable = 0, control = 0, unicode = 0, shortest = int.MaxValue, longest = 0;
        var languages = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        long parts = 0;
        var client = new Client(PhoneNumber.FromTrusted("+70000000000"), null, null, now);
        var buffer = new List<ClientFields>(Batch);

        async Task FlushAsync()
        {
            var attributes = readsAttributes
                ? await LoadAttributesAsync(buffer, ct)
                : null;
            foreach (var row in buffer)
            {
                row.CopyTo(client);
                RenderedSms sms;
                try
                {
                    sms = template.Render(client, attributes?.GetValueOrDefault(row.Id), merge);
                }
                catch (TemplateRenderException e)
                {
                    throw new TemplateRenderException($"Client {row.Id}: {e.Message}");
                }
                histogram[sms.Parts] = histogram.GetValueOrDefault(sms.Parts) + 1;
                shortest = Math.Min(shortest, sms.Length);
                longest = Math.Max(longest, sms.Length);
                languages[row.Language] = languages.GetValueOrDefault(row.Language) + 1;
                parts += sms.Parts;
                if (sms.Alphabet == SmsAlphabet.Ucs2) unicode++;
            }
            buffer.Clear();
            progress?.Report(audienceCount == 0 ? 1 : Math.Min(1, (double)(sendable + control) / audienceCount));
        }

        await foreach (var row in recipients.OrderBy(c => c.Id).Select(ClientFields.Projection).AsAsyncEnumerable().WithCancellation(ct))
        {
            if (ControlGroup.IsControl(campaign.Id, row.Id, campaign.Settings.ControlGroupPercent))
            {
                control++;
                continue;
            }
            sendable++;
            buffer.Add(row);
            if (buffer.Count == Batch) await FlushAsync();
        }
        if (buffer.Count > 0) await FlushAsync();
        progress?.Report(1);

        var duration = Duration(sendable, parts, partsPerSecond, campaign.Settings.SpeedLimit);
        return new CampaignEstimate(
            audienceCount, sendable, control, audienceCount - sendable - control, histogram, unicode, parts,
            parts * (route?.PartPrice ?? 0m), route?.Currency ?? Currency, duration, FinishUtc(campaign, start, duration))
        {
            Length = sendable == 0 ? (0, 0) : (shortest, longest),
            Provider = route?.ProviderName,
            Languages = languages,
        };
    }

    private async Task<Dictionary<long, Dictionary<string, string>>> LoadAttributesAsync(List<ClientFields> rows, CancellationToken ct)
    {
        // A second context: the first one's connection is busy streaming the recipients.
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await ClientAttributeText.LoadAsync(db, rows.Select(r => r.Id).ToList(), ct);
    }

    /// <summary>The routed provider's speed (settings <c>MaxPartsPerSecond</c>), or the default.</summary>
    private static async Task<int> PartsPerSecondAsync(PortalDbContext db, int? providerId, CancellationToken ct)
    {
        if (providerId is not int id) return DefaultPartsPerSecond;
        var settings = await db.Providers.AsNoTracking().Where(p => p.Id == id).Select(p => p.SettingsJson).FirstOrDefaultAsync(ct);
        return settings is null ? DefaultPartsPerSecond : PartsPerSecond(settings);
    }

    internal static int PartsPerSecond(string settingsJson)
    {
        try
        {
            using var document = JsonDocument.Parse(string.IsNullOrWhiteSpace(settingsJson) ? "{}" : settingsJson);
            if (document.RootElement.ValueKind != JsonValueKind.Object) return DefaultPartsPerSecond;
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if ((property.NameEquals("MaxPartsPerSecond") || property.Name.Equals("maxPartsPerSecond", StringComparison.OrdinalIgnoreCase) || property.Name.Equals("speed", StringComparison.OrdinalIgnoreCase))
                    && property.Value.ValueKind == JsonValueKind.Number && property.Value.TryGetInt32(out var speed) && speed > 0)
                {
                    return speed;
                }
            }
        }
        catch (JsonException)
        {
            // Unreadable settings are the provider editor's problem; the estimate falls back to the default.
        }
        return DefaultPartsPerSecond;
    }

    internal static TimeSpan Duration(int messages, long parts, int partsPerSecond, int? speedLimit)
    {
        if (messages == 0) return TimeSpan.Zero;
        var averageParts = Math.Max(1.0, (double)parts / messages);
        var rate = partsPerSecond / averageParts;
        if (speedLimit is int limit && limit < rate) rate = limit;
        return TimeSpan.FromSeconds(messages / rate);
    }

    /// <summary>Spends the sending time only outside quiet hours, walking Moscow-time days from <paramref name="start"/>.</summary>
    internal static DateTime FinishUtc(Campaign campaign, DateTime start, TimeSpan duration)
    {
        if (!campaign.Settings.QuietHoursEnabled || campaign.Settings.QuietFromMinute == campaign.Settings.QuietToMinute) return start + duration;
        var at = start;
        var left = duration;
        for (var guard = 0; left > TimeSpan.Zero && guard < 10_000; guard++)
        {
            var local = TimeZoneInfo.ConvertTimeFromUtc(at, Moscow);
            var minute = local.Hour * 60 + local.Minute;
            if (campaign.IsQuiet(minute))
            {
                // Jump to the end of the quiet window (today or tomorrow, local time).
                var end = local.Date.AddMinutes(campaign.Settings.QuietToMinute);
                if (end <= local) end = end.AddDays(1);
                at = TimeZoneInfo.ConvertTimeToUtc(DateTime.SpecifyKind(end, DateTimeKind.Unspecified), Moscow);
                continue;
            }
            var quietStart = local.Date.AddMinutes(campaign.Settings.QuietFromMinute);
            if (quietStart <= local) quietStart = quietStart.AddDays(1);
            var window = quietStart - local;
            var spend = window < left ? window : left;
            at += spend;
            left -= spend;
        }
        return DateTime.SpecifyKind(at, DateTimeKind.Utc);
    }

    /// <summary>The columns a template can read; no phone, no consents.</summary>
    private sealed class ClientFields
    {
        public static readonly System.Linq.Expressions.Expression<Func<Client, ClientFields>> Projection = c => new ClientFields
        {
            Id = c.Id, ExternalId = c.ExternalId, FirstName = c.FirstName, MiddleName = c.MiddleName, LastName = c.LastName,
            Gender = c.Gender, BirthDate = c.BirthDate, Language = c.Language, RegionCode = c.RegionCode, City = c.City,
            TimeZone = c.TimeZone, RegisteredAt = c.RegisteredAt, LoyaltyTier = c.LoyaltyTier, Tariff = c.Tariff,
            Balance = c.Balance, TotalSpend = c.TotalSpend, PurchaseCount = c.PurchaseCount, LastPurchaseAt = c.LastPurchaseAt,
        };

        public long Id { get; init; }
        public string? ExternalId { get; init; }
        public string? FirstName { get; init; }
        public string? MiddleName { get; init; }
        public string? LastName { get; init; }
        public Gender Gender { get; init; }
        public DateOnly? BirthDate { get; init; }
        public string Language { get; init; } = "ru";
        public string? RegionCode { get; init; }
        public string? City { get; init; }
        public string TimeZone { get; init; } = "Europe/Moscow";
        public DateTime RegisteredAt { get; init; }
        public LoyaltyTier LoyaltyTier { get; init; }
        public string? Tariff { get; init; }
        public decimal Balance { get; init; }
        public decimal TotalSpend { get; init; }
        public int PurchaseCount { get; init; }
        public DateTime? LastPurchaseAt { get; init; }

        /// <summary>One <see cref="Client"/> is reused for every row: rendering reads it and keeps nothing.</summary>
        public void CopyTo(Client client)
        {
            client.ExternalId = ExternalId;
            client.FirstName = FirstName;
            client.MiddleName = MiddleName;
            client.LastName = LastName;
            client.Gender = Gender;
            client.BirthDate = BirthDate;
            client.Language = Language;
            client.RegionCode = RegionCode;
            client.City = City;
            client.TimeZone = TimeZone;
            client.RegisteredAt = RegisteredAt;
            client.LoyaltyTier = LoyaltyTier;
            client.Tariff = Tariff;
            client.Balance = Balance;
            client.TotalSpend = TotalSpend;
            client.PurchaseCount = PurchaseCount;
            client.LastPurchaseAt = LastPurchaseAt;
        }
    }
}
