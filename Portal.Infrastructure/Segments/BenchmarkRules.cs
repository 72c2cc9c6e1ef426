using Portal.Domain.Segments;

namespace Portal.Infrastructure.Segments.Benchmarks;

/// <summary>The audiences of issue 5's targets, shared by the bench verb and the parity tests.</summary>
public static class BenchmarkRules
{
    /// <summary>A typical campaign audience: five criteria, one of them over events.</summary>
    public static SegmentRule Five() => SegmentRuleJson.Parse("""
        {"version":1,"root":{"type":"group","logic":"and","children":[
          {"type":"condition","criterion":"region","operator":"in","value":["MOW","MOS","SPE"]},
          {"type":"condition","criterion":"age","operator":"between","value":[25,45]},
          {"type":"condition","criterion":"advertisingConsent","operator":"equals","value":true},
          {"type":"condition","criterion":"totalSpend","operator":"greaterThan","value":10000},
          {"type":"condition","criterion":"event","operator":"has","key":"Purchase","days":90}]}}
        """);

    /// <summary>27 criteria in groups nested three deep, with NOT, over clients, events, messages, lists and a saved segment.</summary>
    public static SegmentRule TwentyFive(int campaignId, int listId, int segmentId) => SegmentRuleJson.Parse($$$"""
        {"version":1,"root":{"type":"group","logic":"and","children":[
          {"type":"condition","criterion":"age","operator":"between","value":[20,60]},
          {"type":"condition","criterion":"status","operator":"equals","value":"Active"},
          {"type":"condition","criterion":"advertisingConsent","operator":"equals","value":true},
          {"type":"group","logic":"or","children":[
            {"type":"condition","criterion":"region","operator":"in","value":["MOW","SPE","MOS","KDA","TA"]},
            {"type":"condition","criterion":"timeZone","operator":"in","value":["Asia/Yekaterinburg"]},
            {"type":"group","logic":"and","children":[
              {"type":"condition","criterion":"city","operator":"startsWith","value":"Н"},
              {"type":"condition","criterion":"mobileOperator","operator":"in","value":["MTS","MegaFon"]}]}]},
          {"type":"group","logic":"and","not":true,"children":[
            {"type":"condition","criterion":"loyaltyTier","operator":"equals","value":"None"},
            {"type":"condition","criterion":"totalSpend","operator":"lessThan","value":1000}]},
          {"type":"condition","criterion":"lastActivityAt","operator":"withinLastDays","value":180},
          {"type":"condition","criterion":"registeredAt","operator":"before","value":"2026-06-01"},
          {"type":"condition","criterion":"tenureMonths","operator":"greaterOrEqual","value":3},
          {"type":"group","logic":"or","children":[
            {"type":"condition","criterion":"event","operator":"has","key":"Purchase","days":365,"amount":500},
            {"type":"condition","criterion":"event","operator":"has","key":"Payment","days":90},
            {"type":"condition","criterion":"purchaseCount","operator":"greaterOrEqual","value":3}]},
          {"type":"condition","criterion":"averagePurchase","operator":"greaterThan","value":300},
          {"type":"condition","criterion":"balance","operator":"greaterThan","value":-500},
          {"type":"condition","criterion":"language","operator":"equals","value":"ru"},
          {"type":"condition","criterion":"gender","operator":"in","value":["Male","Female"]},
          {"type":"condition","criterion":"tariff","operator":"notIn","value":["Бизнес"]},
          {"type":"condition","criterion":"lastPurchaseAt","operator":"isNotEmpty"},
          {"type":"condition","criterion":"receivedCampaign","operator":"hasNot","campaignId":{{{campaignId}}}},
          {"type":"condition","criterion":"messagesReceived","operator":"lessThan","value":3,"days":30},
          {"type":"condition","criterion":"staticList","operator":"notIn","value":[{{{listId}}}]},
          {"type":"condition","criterion":"segment","operator":"notIn","value":[{{{segmentId}}}]}]}}
        """);
}
