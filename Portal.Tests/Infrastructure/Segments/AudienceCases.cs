using Portal.Infrastructure.Seeding;

namespace Portal.Tests.Infrastructure.Segments;

/// <summary>
/// One condition per criterion and operator (placeholders {campaign}, {list}, {gold} are the
/// fixture's ids). <c>Columns</c> marks cases that touch only the Clients row, which the tests also
/// evaluate in memory with LINQ to objects as an independent oracle.
/// </summary>
public static class AudienceCases
{
    public sealed record Case(string Name, string Criterion, string Operator, string Condition, bool Columns);

    private static Case C(string criterion, string op, string valueJson, bool columns = true, string extra = "") =>
        new($"{criterion} {op} {valueJson}{extra}".Trim(), criterion, op,
            $$"""{"type":"condition","criterion":"{{criterion}}","operator":"{{op}}"{{(valueJson.Length > 0 ? $",\"value\":{valueJson}" : "")}}{{extra}}}""", columns);

    private static readonly DemoClient Sample = DemoClientGenerator.Create(9, AudienceData.Reference);
    private static readonly DemoClient SingleBuyer = DemoClientGenerator.Generate(0, 3000, AudienceData.Reference).First(c => c.PurchaseCount == 1);

    public static IReadOnlyList<Case> All { get; } =
    [
        C("age", "equals", "30"), C("age", "notEquals", "30"), C("age", "lessThan", "25"), C("age", "lessOrEqual", "25"),
        C("age", "greaterThan", "60"), C("age", "greaterOrEqual", "60"), C("age", "between", "[25,40]"),
        C("age", "isEmpty", ""), C("age", "isNotEmpty", ""),
        C("gender", "equals", "\"Female\""), C("gender", "notEquals", "\"Female\""), C("gender", "in", "[\"Male\",\"Unknown\"]"), C("gender", "notIn", "[\"Male\"]"),
        C("birthday", "withinNextDays", "45"), C("birthday", "withinNextDays", "7"), C("birthday", "withinNextDays", "0"),
        C("language", "equals", "\"en\""), C("language", "notEquals", "\"ru\""), C("language", "in", "[\"ru\",\"en\"]"), C("language", "notIn", "[\"en\"]"),
        C("region", "equals", "\"MOW\""), C("region", "notEquals", "\"MOW\""), C("region", "in", "[\"MOW\",\"SPE\",\"KDA\"]"), C("region", "notIn", "[\"MOW\",\"SPE\"]"),
        C("region", "isEmpty", ""), C("region", "isNotEmpty", ""),
        C("city", "equals", "\"Москва\""), C("city", "notEquals", "\"Москва\""), C("city", "in", "[\"Казань\",\"Самара\"]"), C("city", "notIn", "[\"Москва\"]"),
        C("city", "contains", "\"ка\""), C("city", "startsWith", "\"Ка\""), C("city", "isEmpty", ""), C("city", "isNotEmpty", ""),
        C("timeZone", "equals", "\"Europe/Moscow\""), C("timeZone", "notEquals", "\"Europe/Moscow\""),
        C("timeZone", "in", "[\"Asia/Yekaterinburg\",\"Asia/Omsk\"]"), C("timeZone", "notIn", "[\"Europe/Moscow\"]"),
        C("mobileOperator", "equals", "\"MTS\""), C("mobileOperator", "notEquals", "\"MTS\""), C("mobileOperator", "in", "[\"Beeline\",\"T2\"]"), C("mobileOperator", "notIn", "[\"MegaFon\"]"),
        C("phonePrefix", "startsWith", "\"916\""), C("phonePrefix", "startsWith", "\"8 (903)\""),
        C("status", "equals", "\"Active\""), C("status", "notEquals", "\"Active\""), C("status", "in", "[\"Inactive\",\"Blocked\"]"), C("status", "notIn", "[\"Active\"]"),
        C("registeredAt", "before", "\"2022-01-01\""), C("registeredAt", "after", "\"2024-06-30\""), C("registeredAt", "between", "[\"2020-01-01\",\"2022-12-31\"]"),
        C("registeredAt", "withinLastDays", "365"), C("registeredAt", "moreThanDaysAgo", "1000"),
        C("tenureMonths", "equals", "36"), C("tenureMonths", "notEquals", "36"), C("tenureMonths", "lessThan", "12"), C("tenureMonths", "lessOrEqual", "12"),
        C("tenureMonths", "greaterThan", "60"), C("tenureMonths", "greaterOrEqual", "60"), C("tenureMonths", "between", "[12,48]"),
        C("loyaltyTier", "equals", "\"Gold\""), C("loyaltyTier", "notEquals", "\"None\""), C("loyaltyTier", "in", "[\"Silver\",\"Platinum\"]"), C("loyaltyTier", "notIn", "[\"None\"]"),
        C("loyaltyTier", "lessThan", "\"Gold\""), C("loyaltyTier", "lessOrEqual", "\"Silver\""), C("loyaltyTier", "greaterThan", "\"Silver\""), C("loyaltyTier", "greaterOrEqual", "\"Silver\""),
        C("tariff", "equals", "\"Премиум\""), C("tariff", "notEquals", "\"Премиум\""), C("tariff", "in", "[\"Базовый\",\"Бизнес\"]"), C("tariff", "notIn", "[\"Базовый\"]"),
        C("tariff", "contains", "\"ан\""), C("tariff", "startsWith", "\"Б\""), C("tariff", "isEmpty", ""), C("tariff", "isNotEmpty", ""),
        C("balance", "equals", Sample.Balance.ToString(System.Globalization.CultureInfo.InvariantCulture)), C("balance", "notEquals", "0"),
        C("balance", "lessThan", "0"), C("balance", "lessOrEqual", "100.5"), C("balance", "greaterThan", "4000"), C("balance", "greaterOrEqual", "4000"), C("balance", "between", "[0,2000]"),
        C("externalId", "equals", $"\"{Sample.ExternalId}\""), C("externalId", "notEquals", $"\"{Sample.ExternalId}\""),
        C("externalId", "in", "[\"DEMO-00000001\",\"DEMO-00000002\",\"NOPE\"]"), C("externalId", "notIn", "[\"DEMO-00000001\"]"),
        C("externalId", "contains", "\"0001\""), C("externalId", "startsWith", "\"DEMO-000010\""), C("externalId", "isEmpty", ""), C("externalId", "isNotEmpty", ""),
        C("totalSpend", "equals", "0"), C("totalSpend", "notEquals", "0"), C("totalSpend", "lessThan", "10000"), C("totalSpend", "lessOrEqual", "10000"),
        C("totalSpend", "greaterThan", "50000"), C("totalSpend", "greaterOrEqual", "50000"), C("totalSpend", "between", "[10000,100000]"),
        C("purchaseCount", "equals", "5"), C("purchaseCount", "notEquals", "5"), C("purchaseCount", "lessThan", "3"), C("purchaseCount", "lessOrEqual", "3"),
        C("purchaseCount", "greaterThan", "10"), C("purchaseCount", "greaterOrEqual", "10"), C("purchaseCount", "between", "[2,10]"),
        C("averagePurchase", "equals", SingleBuyer.TotalSpend.ToString(System.Globalization.CultureInfo.InvariantCulture)), C("averagePurchase", "notEquals", "1500"),
        C("averagePurchase", "lessThan", "1000"), C("averagePurchase", "lessOrEqual", "1000"), C("averagePurchase", "greaterThan", "2000"),
        C("averagePurchase", "greaterOrEqual", "2000"), C("averagePurchase", "between", "[1000,2000]"),
        C("lastPurchaseAt", "before", "\"2026-01-01\""), C("lastPurchaseAt", "after", "\"2026-10-01\""), C("lastPurchaseAt", "between", "[\"2026-06-01\",\"2026-09-30\"]"),
        C("lastPurchaseAt", "withinLastDays", "30"), C("lastPurchaseAt", "moreThanDaysAgo", "180"), C("lastPurchaseAt", "isEmpty", ""), C("lastPurchaseAt", "isNotEmpty", ""),
        C("lastActivityAt", "before", "\"2026-08-01\""), C("lastActivityAt", "after", "\"2026-11-01\""), C("lastActivityAt", "between", "[\"2026-09-01\",\"2026-09-30\"]"),
        C("lastActivityAt", "withinLastDays", "14"), C("lastActivityAt", "moreThanDaysAgo", "90"), C("lastActivityAt", "isEmpty", ""), C("lastActivityAt", "isNotEmpty", ""),
        C("messagesReceived", "equals", "1", false, ",\"days\":30"), C("messagesReceived", "notEquals", "0", false, ",\"days\":30"),
        C("messagesReceived", "lessThan", "1", false, ",\"days\":90"), C("messagesReceived", "lessOrEqual", "1", false, ",\"days\":90"),
        C("messagesReceived", "greaterThan", "1", false, ",\"days\":365"), C("messagesReceived", "greaterOrEqual", "1", false, ",\"days\":365"),
        C("messagesReceived", "between", "[1,2]", false, ",\"days\":365"),
        C("event", "has", "", false, ",\"key\":\"Purchase\",\"days\":90"), C("event", "hasNot", "", false, ",\"key\":\"Purchase\",\"days\":90"),
        C("event", "has", "", false, ",\"key\":\"Login\""), C("event", "has", "", false, ",\"key\":\"Purchase\",\"days\":365,\"amount\":5000"),
        C("event", "hasNot", "", false, ",\"key\":\"Payment\",\"amount\":2000"),
        C("tag", "in", "[\"vip\"]", false), C("tag", "in", "[\"VIP\",\"churn-risk\"]", false), C("tag", "notIn", "[\"vip\",\"b2b\"]", false),
        C("attribute", "equals", "\"prepaid\"", false, ",\"key\":\"contract_type\""), C("attribute", "notEquals", "\"prepaid\"", false, ",\"key\":\"contract_type\""),
        C("attribute", "in", "[\"prepaid\",\"other\"]", false, ",\"key\":\"contract_type\""), C("attribute", "notIn", "[\"postpaid\"]", false, ",\"key\":\"contract_type\""),
        C("attribute", "contains", "\"post\"", false, ",\"key\":\"contract_type\""), C("attribute", "startsWith", "\"pre\"", false, ",\"key\":\"contract_type\""),
        C("attribute", "isEmpty", "", false, ",\"key\":\"contract_type\""), C("attribute", "isNotEmpty", "", false, ",\"key\":\"contract_type\""),
        C("attribute", "equals", "5000", false, ",\"key\":\"credit_limit\""), C("attribute", "notEquals", "5000", false, ",\"key\":\"credit_limit\""),
        C("attribute", "lessThan", "10000", false, ",\"key\":\"credit_limit\""), C("attribute", "lessOrEqual", "10000", false, ",\"key\":\"credit_limit\""),
        C("attribute", "greaterThan", "40000", false, ",\"key\":\"credit_limit\""), C("attribute", "greaterOrEqual", "40000", false, ",\"key\":\"credit_limit\""),
        C("attribute", "between", "[10000,20000]", false, ",\"key\":\"credit_limit\""),
        C("attribute", "isEmpty", "", false, ",\"key\":\"credit_limit\""), C("attribute", "isNotEmpty", "", false, ",\"key\":\"credit_limit\""),
        C("attribute", "before", "\"2026-11-25\"", false, ",\"key\":\"contract_end\""), C("attribute", "after", "\"2027-01-31\"", false, ",\"key\":\"contract_end\""),
        C("attribute", "between", "[\"2026-12-01\",\"2027-02-28\"]", false, ",\"key\":\"contract_end\""),
        C("attribute", "withinLastDays", "30", false, ",\"key\":\"contract_end\""), C("attribute", "moreThanDaysAgo", "100", false, ",\"key\":\"contract_end\""),
        C("attribute", "isEmpty", "", false, ",\"key\":\"contract_end\""), C("attribute", "isNotEmpty", "", false, ",\"key\":\"contract_end\""),
        C("attribute", "equals", "true", false, ",\"key\":\"has_card\""), C("attribute", "isEmpty", "", false, ",\"key\":\"has_card\""),
        C("attribute", "isNotEmpty", "", false, ",\"key\":\"has_card\""),
        C("advertisingConsent", "equals", "true"), C("advertisingConsent", "equals", "false"),
        C("serviceConsent", "equals", "true"), C("serviceConsent", "equals", "false"),
        C("receivedCampaign", "has", "", false, ",\"campaignId\":{campaign}"), C("receivedCampaign", "hasNot", "", false, ",\"campaignId\":{campaign}"),
        C("deliveredInCampaign", "has", "", false, ",\"campaignId\":{campaign}"), C("deliveredInCampaign", "hasNot", "", false, ",\"campaignId\":{campaign}"),
        C("notDeliveredInCampaign", "has", "", false, ",\"campaignId\":{campaign}"), C("notDeliveredInCampaign", "hasNot", "", false, ",\"campaignId\":{campaign}"),
        C("repliedToCampaign", "has", "", false, ",\"campaignId\":{campaign}"), C("repliedToCampaign", "hasNot", "", false, ",\"campaignId\":{campaign}"),
        C("staticList", "in", "[{list}]", false), C("staticList", "notIn", "[{list}]", false),
        C("segment", "in", "[{gold}]", false), C("segment", "notIn", "[{gold}]", false),
    ];

    public static TheoryData<string> Names => [.. All.Select(c => c.Name)];

    public static Case Find(string name) => All.Single(c => c.Name == name);
}
