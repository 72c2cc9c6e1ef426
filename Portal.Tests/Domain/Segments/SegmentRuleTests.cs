using Portal.Domain.Clients;
using Portal.Domain.Segments;

namespace Portal.Tests.Domain.Segments;

public class SegmentRuleTests
{
    private static readonly DateTime Now = new(2026, 12, 28, 10, 0, 0, DateTimeKind.Utc);

    private static readonly SegmentContext Context = new(Now, SegmentSources.Empty)
    {
        Attributes = new Dictionary<string, AttributeDefinition> { ["credit_limit"] = new("credit_limit", AttributeType.Number, "Credit limit") },
        StaticLists = new HashSet<int> { 1 },
        Campaigns = new HashSet<int> { 5 },
    };

    private static string One(string condition) => "{\"version\":1,\"root\":{\"logic\":\"and\",\"children\":[" + condition + "]}}";

    private static IReadOnlyList<RuleError> Errors(string json) => SegmentRuleValidator.Validate(SegmentRuleJson.Parse(json), Context);

    [Fact]
    public void Json_RoundTrips_ANestedRule()
    {
        var rule = new SegmentRule
        {
            Root = new RuleGroup
            {
                Logic = GroupLogic.Or,
                Children =
                [
                    new RuleCondition { Criterion = Criteria.Age, Operator = RuleOperator.Between, Value = new System.Text.Json.Nodes.JsonArray(25, 40) },
                    new RuleGroup { Not = true, Children = [new RuleCondition { Criterion = Criteria.Event, Operator = RuleOperator.Has, Key = "Purchase", Days = 30, Amount = 500.5m }] },
                ],
            },
            ExcludeLists = [1],
        };
        var json = SegmentRuleJson.Serialize(rule);
        Assert.Contains("\"version\":1", json);
        Assert.Contains("\"operator\":\"between\"", json);
        Assert.Contains("\"type\":\"group\"", json);
        Assert.Contains("\"logic\":\"or\"", json);
        var back = SegmentRuleJson.Parse(json);
        Assert.Equal(json, SegmentRuleJson.Serialize(back));
        var nested = Assert.IsType<RuleGroup>(back.Root.Children[1]);
        Assert.True(nested.Not);
        Assert.Equal(500.5m, Assert.IsType<RuleCondition>(nested.Children[0]).Amount);
        Assert.Empty(SegmentRuleValidator.Validate(back, Context));
    }

    [Theory]
    [InlineData("{\"root\":{\"children\":[]}}", "no \"version\"")]
    [InlineData("{\"version\":2,\"root\":{\"children\":[]}}", "version 2 is not supported")]
    [InlineData("not json", "not valid JSON")]
    [InlineData("[1,2]", "must be a JSON object")]
    [InlineData("{\"version\":1,\"root\":{\"type\":\"condition\"}}", "root of a rule is a group")]
    [InlineData("{\"version\":1,\"root\":{\"children\":[{\"type\":\"thing\"}]}}", "does not follow format version 1")]
    [InlineData("{\"version\":1,\"root\":{\"children\":[{\"type\":\"condition\",\"criterion\":\"age\",\"operator\":\"roughly\"}]}}", "does not follow format version 1")]
    [InlineData("{\"version\":1,\"root\":{\"children\":[]},\"colour\":\"red\"}", "does not follow format version 1")]
    public void Parse_RejectsMalformedRules_SayingWhy(string json, string reason)
    {
        var e = Assert.Throws<SegmentRuleException>(() => SegmentRuleJson.Parse(json));
        Assert.Contains(reason, e.Message);
    }

    [Theory]
    [InlineData("{\"type\":\"condition\",\"criterion\":\"shoeSize\",\"operator\":\"equals\",\"value\":42}", "Unknown criterion 'shoeSize'")]
    [InlineData("{\"type\":\"condition\",\"criterion\":\"age\",\"operator\":\"contains\",\"value\":\"3\"}", "'contains' does not apply to Age: use equals, not equals")]
    [InlineData("{\"type\":\"condition\",\"criterion\":\"age\",\"operator\":\"equals\",\"value\":\"thirty\"}", "Expected a whole number, got \"thirty\"")]
    [InlineData("{\"type\":\"condition\",\"criterion\":\"age\",\"operator\":\"equals\"}", "Enter a value")]
    [InlineData("{\"type\":\"condition\",\"criterion\":\"age\",\"operator\":\"between\",\"value\":[40,25]}", "The range starts after it ends")]
    [InlineData("{\"type\":\"condition\",\"criterion\":\"age\",\"operator\":\"between\",\"value\":[25]}", "needs exactly two values")]
    [InlineData("{\"type\":\"condition\",\"criterion\":\"region\",\"operator\":\"in\",\"value\":[\"MOW\",\"XXX\"]}", "'XXX' is not one of: MOW")]
    [InlineData("{\"type\":\"condition\",\"criterion\":\"region\",\"operator\":\"in\",\"value\":[]}", "Choose at least one value")]
    [InlineData("{\"type\":\"condition\",\"criterion\":\"registeredAt\",\"operator\":\"before\",\"value\":\"25.11.2026\"}", "Expected a date as yyyy-MM-dd")]
    [InlineData("{\"type\":\"condition\",\"criterion\":\"registeredAt\",\"operator\":\"withinLastDays\",\"value\":-3}", "between 0 and 36500")]
    [InlineData("{\"type\":\"condition\",\"criterion\":\"event\",\"operator\":\"has\",\"key\":\"Dance\"}", "Choose the event type (Purchase, Payment")]
    [InlineData("{\"type\":\"condition\",\"criterion\":\"event\",\"operator\":\"has\",\"key\":\"Purchase\",\"amount\":-1}", "cannot be negative")]
    [InlineData("{\"type\":\"condition\",\"criterion\":\"receivedCampaign\",\"operator\":\"has\"}", "Choose the campaign")]
    [InlineData("{\"type\":\"condition\",\"criterion\":\"receivedCampaign\",\"operator\":\"has\",\"campaignId\":9}", "Campaign 9 does not exist")]
    [InlineData("{\"type\":\"condition\",\"criterion\":\"messagesReceived\",\"operator\":\"lessThan\",\"value\":3}", "number of days to look back")]
    [InlineData("{\"type\":\"condition\",\"criterion\":\"attribute\",\"operator\":\"equals\",\"key\":\"shoe\",\"value\":1}", "no custom attribute 'shoe': known are credit_limit")]
    [InlineData("{\"type\":\"condition\",\"criterion\":\"attribute\",\"operator\":\"contains\",\"key\":\"credit_limit\",\"value\":\"1\"}", "'contains' does not apply")]
    [InlineData("{\"type\":\"condition\",\"criterion\":\"staticList\",\"operator\":\"in\",\"value\":[2]}", "Static list 2 does not exist")]
    [InlineData("{\"type\":\"condition\",\"criterion\":\"segment\",\"operator\":\"in\",\"value\":[7]}", "Saved segment 7 does not exist")]
    [InlineData("{\"type\":\"condition\",\"criterion\":\"advertisingConsent\",\"operator\":\"equals\",\"value\":\"yes\"}", "Expected true or false")]
    [InlineData("{\"type\":\"group\",\"logic\":\"or\",\"children\":[]}", "This group is empty")]
    [InlineData("{\"type\":\"condition\",\"operator\":\"equals\"}", "Choose a criterion")]
    public void Validate_RejectsInvalidConditions_WithTheReasonAndPath(string condition, string reason)
    {
        var errors = Errors(One(condition));
        var error = Assert.Single(errors);
        Assert.Contains(reason, error.Message);
        Assert.Equal("root.children[0]", error.Path);
        Assert.Throws<SegmentRuleException>(() => new SegmentCompiler(Context).Compile(SegmentRuleJson.Parse(One(condition))));
    }

    [Fact]
    public void Validate_ReportsEveryProblem_WithItsPath()
    {
        var errors = Errors("""
            {"version":1,"root":{"children":[
              {"type":"condition","criterion":"age","operator":"equals","value":30},
              {"type":"group","children":[{"type":"condition","criterion":"city","operator":"greaterThan","value":"A"}]},
              {"type":"condition","criterion":"nope","operator":"equals","value":1}]},
             "excludeLists":[3]}
            """);
        Assert.Equal(["root.children[1].children[0]", "root.children[2]", "excludeLists"], errors.Select(e => e.Path));
    }

    [Fact]
    public void Catalogue_HasAtLeast25Criteria_EachWithOperatorsAndUniqueIds()
    {
        Assert.True(Criteria.All.Count >= 25);
        Assert.Equal(Criteria.All.Count, Criteria.All.Select(c => c.Id).Distinct().Count());
        Assert.All(Criteria.All, c => Assert.NotEmpty(c.Operators));
        Assert.All(Criteria.All.Where(c => c.Kind == ValueKind.Choice), c => Assert.NotEmpty(c.Options!));
    }

    [Theory]
    [InlineData(2026, 12, 28, 7, "1985-01-03", true)]   // across the year end
    [InlineData(2026, 12, 28, 7, "1985-01-05", false)]
    [InlineData(2026, 12, 28, 7, "1990-12-27", false)]
    [InlineData(2026, 12, 28, 0, "1990-12-28", true)]
    [InlineData(2027, 2, 27, 3, "1996-02-29", true)]    // Feb 29 in a common year
    [InlineData(2026, 6, 1, 400, "1970-03-03", true)]
    public void Birthday_WithinNextDays_WrapsTheYearEnd(int y, int m, int d, int days, string birth, bool expected)
    {
        var context = new SegmentContext(new DateTime(y, m, d, 9, 0, 0, DateTimeKind.Utc), SegmentSources.Empty);
        var rule = SegmentRuleJson.Parse(One($"{{\"type\":\"condition\",\"criterion\":\"birthday\",\"operator\":\"withinNextDays\",\"value\":{days}}}"));
        var predicate = new SegmentCompiler(context).Compile(rule, sendable: false).Compile();
        var client = new Client(PhoneNumber.Parse("+79161234567"), "A", "B", context.Now) { BirthDate = DateOnly.Parse(birth) };
        Assert.Equal(expected, predicate(client));
    }

    [Fact]
    public void Compile_LeavesOutOptedOutClients_UnlessAskedNotTo()
    {
        var client = new Client(PhoneNumber.Parse("+79161234567"), "A", "B", Now);
        client.OptOut(Now, "STOP");
        var compiler = new SegmentCompiler(new SegmentContext(Now, SegmentSources.Empty));
        Assert.False(compiler.Compile(SegmentRule.Everyone()).Compile()(client));
        Assert.True(compiler.Compile(SegmentRule.Everyone(), sendable: false).Compile()(client));
    }

    [Fact]
    public void Segment_ChangeRules_BumpsTheVersion()
    {
        var segment = new Segment("Gold", null, SegmentRuleJson.Serialize(SegmentRule.Everyone()), "me", Now);
        segment.ChangeRules(SegmentRuleJson.Serialize(new SegmentRule { ExcludeLists = [1] }), Now.AddMinutes(1));
        Assert.Equal(2, segment.Version);
        Assert.Equal([1], SegmentRuleJson.Parse(segment.RulesJson).ExcludeLists);
    }
}
