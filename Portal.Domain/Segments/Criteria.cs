using Portal.Domain.Clients;
using static Portal.Domain.Segments.RuleOperator;

namespace Portal.Domain.Segments;

/// <summary>One code a choice criterion accepts, with its English label (the UI localizes it).</summary>
public sealed record CriterionOption(string Code, string Label);

/// <summary>
/// One thing an audience can select on. <see cref="Label"/> is English and the key for the UI's
/// translation; <see cref="Operators"/> are the ones that make sense for the value's type.
/// </summary>
public sealed record Criterion(
    string Id, CriterionCategory Category, string Label, ValueKind Kind,
    IReadOnlyList<RuleOperator> Operators, CriterionParameters Parameters = CriterionParameters.None,
    IReadOnlyList<CriterionOption>? Options = null);

/// <summary>The catalogue of criteria (issue 5 asks for at least 25; there are 33).</summary>
public static class Criteria
{
    public static readonly RuleOperator[] NumberOperators = [RuleOperator.Equals, NotEquals, LessThan, LessOrEqual, GreaterThan, GreaterOrEqual, Between];
    public static readonly RuleOperator[] OptionalNumberOperators = [.. NumberOperators, IsEmpty, IsNotEmpty];
    public static readonly RuleOperator[] DateOperators = [Before, After, Between, WithinLastDays, MoreThanDaysAgo];
    public static readonly RuleOperator[] OptionalDateOperators = [.. DateOperators, IsEmpty, IsNotEmpty];
    public static readonly RuleOperator[] TextOperators = [RuleOperator.Equals, NotEquals, In, NotIn, Contains, StartsWith, IsEmpty, IsNotEmpty];
    public static readonly RuleOperator[] ChoiceOperators = [RuleOperator.Equals, NotEquals, In, NotIn];
    public static readonly RuleOperator[] OptionalChoiceOperators = [.. ChoiceOperators, IsEmpty, IsNotEmpty];
    public static readonly RuleOperator[] BooleanOperators = [RuleOperator.Equals];
    public static readonly RuleOperator[] OptionalBooleanOperators = [RuleOperator.Equals, IsEmpty, IsNotEmpty];
    public static readonly RuleOperator[] HasOperators = [Has, HasNot];
    public static readonly RuleOperator[] MembershipOperators = [In, NotIn];

    public const string Age = "age";
    public const string Gender = "gender";
    public const string Birthday = "birthday";
    public const string Language = "language";
    public const string Region = "region";
    public const string City = "city";
    public const string TimeZone = "timeZone";
    public const string MobileOperator = "mobileOperator";
    public const string PhonePrefix = "phonePrefix";
    public const string Status = "status";
    public const string RegisteredAt = "registeredAt";
    public const string TenureMonths = "tenureMonths";
    public const string LoyaltyTier = "loyaltyTier";
    public const string Tariff = "tariff";
    public const string Balance = "balance";
    public const string ExternalId = "externalId";
    public const string TotalSpend = "totalSpend";
    public const string PurchaseCount = "purchaseCount";
    public const string AveragePurchase = "averagePurchase";
    public const string LastPurchaseAt = "lastPurchaseAt";
    public const string LastActivityAt = "lastActivityAt";
    public const string MessagesReceived = "messagesReceived";
    public const string Event = "event";
    public const string Tag = "tag";
    public const string Attribute = "attribute";
    public const string AdvertisingConsent = "advertisingConsent";
    public const string ServiceConsent = "serviceConsent";
    public const string ReceivedCampaign = "receivedCampaign";
    public const string DeliveredInCampaign = "deliveredInCampaign";
    public const string NotDeliveredInCampaign = "notDeliveredInCampaign";
    public const string RepliedToCampaign = "repliedToCampaign";
    public const string StaticList = "staticList";
    public const string Segment = "segment";

    private static IReadOnlyList<CriterionOption> EnumOptions<T>() where T : struct, Enum =>
        Enum.GetNames<T>().Select(n => new CriterionOption(n, n)).ToList();

    public static IReadOnlyList<Criterion> All { get; } =
    [
        new(Age, CriterionCategory.Profile, "Age", ValueKind.Integer, OptionalNumberOperators),
        new(Gender, CriterionCategory.Profile, "Gender", ValueKind.Choice, ChoiceOperators, Options: EnumOptions<Gender>()),
        new(Birthday, CriterionCategory.Profile, "Birthday", ValueKind.Integer, [WithinNextDays]),
        new(Language, CriterionCategory.Profile, "Language", ValueKind.Choice, ChoiceOperators,
            Options: [new("ru", "Russian"), new("en", "English")]),
        new(Region, CriterionCategory.Location, "Region", ValueKind.Choice, OptionalChoiceOperators,
            Options: RussianRegions.All.Select(r => new CriterionOption(r.Code, r.NameEn)).ToList()),
        new(City, CriterionCategory.Location, "City", ValueKind.Text, TextOperators),
        new(TimeZone, CriterionCategory.Location, "Time zone", ValueKind.Choice, ChoiceOperators,
            Options: RussianRegions.All.Select(r => r.TimeZone).Distinct().Order(StringComparer.Ordinal).Select(z => new CriterionOption(z, z)).ToList()),
        new(MobileOperator, CriterionCategory.Phone, "Mobile operator", ValueKind.Choice, ChoiceOperators,
            Options: MobileOperators.All.Select(o => new CriterionOption(o, o)).ToList()),
        new(PhonePrefix, CriterionCategory.Phone, "Phone prefix", ValueKind.Text, [StartsWith]),
        new(Status, CriterionCategory.Account, "Status", ValueKind.Choice, ChoiceOperators, Options: EnumOptions<ClientStatus>()),
        new(RegisteredAt, CriterionCategory.Account, "Registration date", ValueKind.Date, DateOperators),
        new(TenureMonths, CriterionCategory.Account, "Tenure (months)", ValueKind.Integer, NumberOperators),
        new(LoyaltyTier, CriterionCategory.Account, "Loyalty tier", ValueKind.Choice,
            [.. ChoiceOperators, LessThan, LessOrEqual, GreaterThan, GreaterOrEqual], Options: EnumOptions<LoyaltyTier>()),
        new(Tariff, CriterionCategory.Account, "Tariff or product", ValueKind.Text, TextOperators),
        new(Balance, CriterionCategory.Account, "Balance", ValueKind.Money, NumberOperators),
        new(ExternalId, CriterionCategory.Account, "External id", ValueKind.Text, TextOperators),
        new(TotalSpend, CriterionCategory.Purchases, "Total spend", ValueKind.Money, NumberOperators),
        new(PurchaseCount, CriterionCategory.Purchases, "Purchase count", ValueKind.Integer, NumberOperators),
        new(AveragePurchase, CriterionCategory.Purchases, "Average purchase", ValueKind.Money, NumberOperators),
        new(LastPurchaseAt, CriterionCategory.Purchases, "Last purchase date", ValueKind.Date, OptionalDateOperators),
        new(LastActivityAt, CriterionCategory.Activity, "Last activity date", ValueKind.Date, OptionalDateOperators),
        new(MessagesReceived, CriterionCategory.Activity, "Messages received in the last N days", ValueKind.Integer, NumberOperators,
            CriterionParameters.Days),
        new(Event, CriterionCategory.Events, "Event", ValueKind.None, HasOperators,
            CriterionParameters.EventType | CriterionParameters.Days | CriterionParameters.Amount,
            Options: EnumOptions<ClientEventType>()),
        new(Tag, CriterionCategory.Tags, "Tags", ValueKind.Text, [In, NotIn]),
        new(Attribute, CriterionCategory.Attributes, "Custom attribute", ValueKind.Text, TextOperators, CriterionParameters.Attribute),
        new(AdvertisingConsent, CriterionCategory.Consent, "Advertising consent", ValueKind.Boolean, BooleanOperators),
        new(ServiceConsent, CriterionCategory.Consent, "Service consent", ValueKind.Boolean, BooleanOperators),
        new(ReceivedCampaign, CriterionCategory.Campaigns, "Received campaign", ValueKind.None, HasOperators, CriterionParameters.Campaign),
        new(DeliveredInCampaign, CriterionCategory.Campaigns, "Message delivered in campaign", ValueKind.None, HasOperators, CriterionParameters.Campaign),
        new(NotDeliveredInCampaign, CriterionCategory.Campaigns, "Message not delivered in campaign", ValueKind.None, HasOperators, CriterionParameters.Campaign),
        new(RepliedToCampaign, CriterionCategory.Campaigns, "Replied to campaign", ValueKind.None, HasOperators, CriterionParameters.Campaign),
        new(StaticList, CriterionCategory.Lists, "Static list", ValueKind.Lists, MembershipOperators),
        new(Segment, CriterionCategory.Lists, "Saved segment", ValueKind.Segments, MembershipOperators),
    ];

    private static readonly Dictionary<string, Criterion> ById = All.ToDictionary(c => c.Id, StringComparer.Ordinal);

    public static Criterion? Find(string? id) => id is not null && ById.TryGetValue(id, out var c) ? c : null;

    /// <summary>A custom attribute's criterion takes the shape of the attribute's type.</summary>
    public static (ValueKind Kind, IReadOnlyList<RuleOperator> Operators) ForAttribute(AttributeType type) => type switch
    {
        AttributeType.Text => (ValueKind.Text, TextOperators),
        AttributeType.Number => (ValueKind.Money, OptionalNumberOperators),
        AttributeType.Date => (ValueKind.Date, OptionalDateOperators),
        AttributeType.Boolean => (ValueKind.Boolean, OptionalBooleanOperators),
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    /// <summary>How many values an operator takes: 0, 1, 2 (between) or a list (in / not in, -1).</summary>
    public static int Arity(RuleOperator op, ValueKind kind) => op switch
    {
        IsEmpty or IsNotEmpty or Has or HasNot => 0,
        Between => 2,
        In or NotIn => -1,
        _ when kind is ValueKind.Lists or ValueKind.Segments => -1,
        _ => 1,
    };

    /// <summary>Operators whose value is a number of days whatever the criterion's own type.</summary>
    public static bool TakesDays(RuleOperator op) => op is WithinLastDays or MoreThanDaysAgo or WithinNextDays;
}
