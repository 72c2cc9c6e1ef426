using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Encodings.Web;
using Fluid;
using Fluid.Values;
using Portal.Domain.Clients;

namespace Portal.Domain.Templates;

/// <summary>
/// The sandbox's model: a value whose only members are a fixed list of names. It is not an
/// <see cref="ObjectValue"/> and nothing is registered with Fluid's member access strategy, so a
/// template cannot reach a CLR member (<c>client.GetType</c>, <c>client.Phone</c>) at all; printing
/// or serialising the object itself (<c>{{ client | json }}</c>) yields nothing.
/// </summary>
internal abstract class ScopeValue : FluidValue
{
    public override FluidValues Type => FluidValues.Object;
    public override bool Equals(FluidValue? other) => ReferenceEquals(this, other);
    public override bool ToBooleanValue() => true;
    public override decimal ToNumberValue() => 0;
    public override string ToStringValue() => "";
    public override object ToObjectValue() => "";
    public override int GetHashCode() => 0;
    public override bool Equals(object? obj) => ReferenceEquals(this, obj);

    [Obsolete("Fluid's synchronous WriteTo; nothing to write.")]
    public override void WriteTo(TextWriter writer, TextEncoder encoder, CultureInfo cultureInfo) { }

    public override ValueTask WriteToAsync(TextWriter writer, TextEncoder encoder, CultureInfo cultureInfo) => default;

    public override ValueTask<FluidValue> GetValueAsync(string name, TemplateContext context) => new(Get(name));

    public override ValueTask<FluidValue> GetIndexAsync(FluidValue index, TemplateContext context) => new(Get(index.ToStringValue()));

    protected abstract FluidValue Get(string name);

    protected static FluidValue Text(string? value) => value is null ? NilValue.Instance : new StringValue(value);

    protected static FluidValue Date(DateTime? utc, TimeZoneInfo zone) =>
        utc is { } at ? new DateTimeValue(TimeZoneInfo.ConvertTime(new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc)), zone)) : NilValue.Instance;
}

/// <summary><c>client.*</c>: the client being rendered, switched per render without allocating.</summary>
internal sealed class ClientScope : ScopeValue
{
    private static readonly ConcurrentDictionary<string, TimeZoneInfo> Zones = new(StringComparer.Ordinal);

    private Client client = null!;
    private bool english;
    private TimeZoneInfo? zone;

    public void Set(Client value, bool isEnglish)
    {
        client = value;
        english = isEnglish;
        zone = null;
    }

    public TimeZoneInfo Zone => zone ??= Zones.GetOrAdd(client.TimeZone, static id =>
        TimeZoneInfo.TryFindSystemTimeZoneById(id, out var found) ? found : TimeZoneInfo.Utc);

    protected override FluidValue Get(string name) => name switch
    {
        "first_name" => Text(client.FirstName),
        "middle_name" => Text(client.MiddleName),
        "last_name" => Text(client.LastName),
        "full_name" => Text(FullName()),
        "gender" => client.Gender switch
        {
            Gender.Male => new StringValue("male"),
            Gender.Female => new StringValue("female"),
            _ => NilValue.Instance,
        },
        "birth_date" => client.BirthDate is { } birth ? new DateTimeValue(new DateTimeOffset(birth.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero)) : NilValue.Instance,
        "city" => Text(client.City),
        "region" => Text(RussianRegions.Find(client.RegionCode) is { } region ? english ? region.NameEn : region.NameRu : null),
        "tariff" => Text(client.Tariff),
        "loyalty_tier" => client.LoyaltyTier == LoyaltyTier.None ? NilValue.Instance : new StringValue(client.LoyaltyTier.ToString().ToLowerInvariant()),
        "balance" => NumberValue.Create(client.Balance),
        "total_spend" => NumberValue.Create(client.TotalSpend),
        "purchase_count" => NumberValue.Create(client.PurchaseCount),
        "last_purchase_at" => Date(client.LastPurchaseAt, Zone),
        "registered_at" => Date(client.RegisteredAt, Zone),
        "external_id" => Text(client.ExternalId),
        "language" => Text(client.Language),
        _ => NilValue.Instance,
    };

    private string? FullName()
    {
        var parts = new[] { client.FirstName, client.MiddleName, client.LastName }.Where(p => !string.IsNullOrWhiteSpace(p));
        var joined = string.Join(' ', parts);
        return joined.Length == 0 ? null : joined;
    }
}

/// <summary><c>attr.*</c>: the client's custom attributes as text, by key.</summary>
internal sealed class AttributesScope : ScopeValue
{
    private IReadOnlyDictionary<string, string>? attributes;

    public void Set(IReadOnlyDictionary<string, string>? value) => attributes = value;

    protected override FluidValue Get(string name) =>
        attributes is not null && attributes.TryGetValue(name, out var value) ? new StringValue(value) : NilValue.Instance;
}

/// <summary><c>campaign.*</c>: the same for every recipient, so its values are built once per campaign.</summary>
internal sealed class CampaignScope(ClientScope client) : ScopeValue
{
    private CampaignMergeFields? campaign;
    private FluidValue name = NilValue.Instance;
    private FluidValue sender = NilValue.Instance;

    public void Set(CampaignMergeFields value)
    {
        if (ReferenceEquals(value, campaign)) return;
        campaign = value;
        name = Text(value.Name);
        sender = Text(value.SenderId);
    }

    protected override FluidValue Get(string field) => field switch
    {
        "name" => name,
        "sender" => sender,
        // The client's local date: a 23:30 UTC send is tomorrow in Vladivostok.
        "date" => campaign is null ? NilValue.Instance : Date(campaign.SendDateUtc, client.Zone),
        _ => NilValue.Instance,
    };
}
