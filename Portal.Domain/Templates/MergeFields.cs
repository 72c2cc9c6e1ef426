namespace Portal.Domain.Templates;

/// <summary>One field a template may read, e.g. <c>client.first_name</c>; <see cref="PersonalData"/> values are masked in previews for roles without personal data.</summary>
public sealed record MergeField(string Path, string Label, bool PersonalData = false)
{
    /// <summary>The Liquid output tag that inserts the field.</summary>
    public string Tag => $"{{{{ {Path} }}}}";
}

/// <summary>
/// The flat model templates see: nothing else is reachable (no CLR members, no phone), so a template
/// cannot read more than these fields. The picker in the editor lists the same fields.
/// </summary>
public static class MergeFields
{
    public const string ClientRoot = "client";
    public const string AttributesRoot = "attr";
    public const string CampaignRoot = "campaign";

    public static IReadOnlyList<MergeField> Client { get; } =
    [
        new("client.first_name", "First name", true),
        new("client.middle_name", "Middle name", true),
        new("client.last_name", "Last name", true),
        new("client.full_name", "Full name", true),
        new("client.gender", "Gender"),
        new("client.birth_date", "Birth date", true),
        new("client.city", "City"),
        new("client.region", "Region"),
        new("client.tariff", "Tariff"),
        new("client.loyalty_tier", "Loyalty tier"),
        new("client.balance", "Balance"),
        new("client.total_spend", "Total spend"),
        new("client.purchase_count", "Purchase count"),
        new("client.last_purchase_at", "Last purchase"),
        new("client.registered_at", "Registered"),
        new("client.external_id", "External id", true),
        new("client.language", "Language"),
    ];

    public static IReadOnlyList<MergeField> Campaign { get; } =
    [
        new("campaign.name", "Campaign name"),
        new("campaign.sender", "Sender id"),
        new("campaign.date", "Send date"),
    ];

    public static MergeField Attribute(string key, string label) => new($"{AttributesRoot}.{key}", label);

    private static readonly HashSet<string> ClientNames = Client.Select(f => f.Path[(ClientRoot.Length + 1)..]).ToHashSet(StringComparer.Ordinal);
    private static readonly HashSet<string> CampaignNames = Campaign.Select(f => f.Path[(CampaignRoot.Length + 1)..]).ToHashSet(StringComparer.Ordinal);

    internal static bool IsClientField(string name) => ClientNames.Contains(name);
    internal static bool IsCampaignField(string name) => CampaignNames.Contains(name);
}
