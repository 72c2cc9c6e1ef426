using System.Text.Json.Nodes;
using Portal.Domain.Clients;
using Portal.Domain.Common;
using Portal.Domain.Segments;

namespace Portal.Tests.Domain.Segments;

/// <summary>
/// The rule model's edges (issue 21): each validation message word for word with its path, the
/// limits on either side, the value reader's kinds and arities, the criterion catalogue as a table,
/// the JSON form's options, the personal-data check and the two entities.
/// </summary>
public class SegmentRuleEdgeTests
{
    private static readonly DateTime Now = new(2026, 12, 4, 10, 0, 0, DateTimeKind.Utc);

    private static readonly SegmentContext Context = new(Now, SegmentSources.Empty)
    {
        Attributes = new Dictionary<string, AttributeDefinition>
        {
            ["plan"] = new("plan", AttributeType.Text, "Plan"),
            ["limit"] = new("limit", AttributeType.Number, "Limit"),
        },
        Segments = new Dictionary<int, Segment> { [3] = new("Gold", null, "{}", "me", Now) },
        StaticLists = new HashSet<int> { 1 },
        Campaigns = new HashSet<int> { 5 },
    };

    private static RuleCondition When(string criterion, RuleOperator op, string? value = null) =>
        new() { Criterion = criterion, Operator = op, Value = value is null ? null : JsonNode.Parse(value) };

    private static SegmentRule With(params RuleNode[] children) => new() { Root = new RuleGroup { Children = [.. children] } };

    private static string Single(RuleCondition condition, SegmentContext? context = null)
    {
        var error = Assert.Single(SegmentRuleValidator.Validate(With(condition), context ?? Context));
        Assert.Equal("root.children[0]", error.Path);
        return error.Message;
    }

    private static void Valid(RuleCondition condition, SegmentContext? context = null) =>
        Assert.Empty(SegmentRuleValidator.Validate(With(condition), context ?? Context));

    private sealed class OtherNode : RuleNode
    {
        public override RuleNode Clone() => this;
    }

    [Fact]
    public void Validate_AnotherVersion_IsRefusedWithBothNumbers()
    {
        var error = Assert.Single(SegmentRuleValidator.Validate(new SegmentRule { Version = 2 }, Context));
        Assert.Equal(new RuleError("version", "Rule format version 2 is not supported: this Portal reads version 1."), error);
    }

    [Fact]
    public void Validate_NoRoot_IsOneError()
    {
        var errors = SegmentRuleValidator.Validate(new SegmentRule { Root = null!, ExcludeLists = [99] }, Context);
        Assert.Equal([new RuleError("root", "The rule has no root group.")], errors);
    }

    [Fact]
    public void Validate_AGroupWithoutLogic_AndAnUnknownNode_SayWhatAGroupIs()
    {
        var errors = SegmentRuleValidator.Validate(new SegmentRule { Root = new RuleGroup { Logic = 0, Children = [new OtherNode()] } }, Context);
        Assert.Equal(
        [
            new RuleError("root", "A group combines its conditions with 'and' or 'or'."),
            new RuleError("root.children[0]", "Each item of a group is a condition or a group."),
        ], errors);
        Assert.Empty(SegmentRuleValidator.Validate(new SegmentRule { Root = new RuleGroup { Logic = GroupLogic.Or } }, Context));
    }

    [Fact]
    public void Validate_AnEmptyNestedGroup_IsRefused_AnEmptyRootIsEveryone()
    {
        Assert.Empty(SegmentRuleValidator.Validate(new SegmentRule { Root = new RuleGroup { Children = null! } }, Context));
        var error = Assert.Single(SegmentRuleValidator.Validate(With(new RuleGroup { Children = null! }), Context));
        Assert.Equal(new RuleError("root.children[0]", "This group is empty: add a condition to it or remove it."), error);
    }

    [Theory]
    [InlineData(500, false)]
    [InlineData(501, true)]
    public void Validate_AtMost500Conditions_CountedInNestedGroupsToo(int count, bool refused)
    {
        var conditions = Enumerable.Range(0, count).Select(_ => (RuleNode)When(Criteria.Age, RuleOperator.IsEmpty)).ToList();
        var rule = With(conditions[0], new RuleGroup { Children = conditions.Skip(1).ToList() });
        var errors = SegmentRuleValidator.Validate(rule, Context);
        Assert.Equal(refused ? [new RuleError("root", "The rule has 501 conditions; at most 500 are allowed.")] : [], errors);
    }

    [Fact]
    public void Validate_MissingExclusions_AreNamed_ListsOnlyWhenKnown()
    {
        var rule = new SegmentRule { ExcludeSegments = [3, 4], ExcludeLists = [1, 2] };
        Assert.Equal(
        [
            new RuleError("excludeSegments", "Excluded segment 4 does not exist (deleted?)."),
            new RuleError("excludeLists", "Excluded static list 2 does not exist (deleted?)."),
        ], SegmentRuleValidator.Validate(rule, Context));
        Assert.Empty(SegmentRuleValidator.Validate(new SegmentRule { ExcludeLists = [2], ExcludeSegments = null! }, Context with { StaticLists = null }));
        Assert.Empty(SegmentRuleValidator.Validate(new SegmentRule { ExcludeLists = null! }, Context));
    }

    [Fact]
    public void EnsureValid_ThrowsWithEveryError_OrNothing()
    {
        SegmentRuleValidator.EnsureValid(SegmentRule.Everyone(), Context);
        var e = Assert.Throws<SegmentRuleException>(() => SegmentRuleValidator.EnsureValid(new SegmentRule { Version = 0, ExcludeLists = [7] }, Context));
        Assert.Equal(2, e.Errors.Count);
        Assert.Equal("version: Rule format version 0 is not supported: this Portal reads version 1." + Environment.NewLine +
                     "excludeLists: Excluded static list 7 does not exist (deleted?).", e.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public void Validate_NoCriterion_AsksForOne(string criterion) =>
        Assert.Equal("Choose a criterion.", Single(When(criterion, RuleOperator.Equals, "1")));

    [Fact]
    public void Validate_Attributes_NameTheKnownOnes()
    {
        Assert.Equal("Choose which custom attribute to test.", Single(When(Criteria.Attribute, RuleOperator.Equals, "\"x\"")));
        var unknown = When(Criteria.Attribute, RuleOperator.Equals, "\"x\"");
        unknown.Key = "shoe";
        Assert.Equal("There is no custom attribute 'shoe': known are limit, plan.", Single(unknown));
        Assert.Equal("There is no custom attribute 'shoe'.", Single(unknown, Context with { Attributes = new Dictionary<string, AttributeDefinition>() }));
        var known = When(Criteria.Attribute, RuleOperator.Contains, "\"gold\"");
        known.Key = "plan";
        Valid(known);
    }

    [Fact]
    public void Validate_AnOperatorThatDoesNotFit_ListsTheOnesThatDo()
    {
        Assert.Equal("Unknown criterion 'shoeSize'.", Single(When("shoeSize", RuleOperator.Equals, "1")));
        Assert.Equal("'greater or equal' does not apply to Gender: use equals, not equals, in, not in.",
            Single(When(Criteria.Gender, RuleOperator.GreaterOrEqual, "\"Male\"")));
        var limit = When(Criteria.Attribute, RuleOperator.Contains, "\"1\"");
        limit.Key = "limit";
        Assert.Equal("'contains' does not apply to Custom attribute: use equals, not equals, less than, less or equal, greater than, " +
                     "greater or equal, between, is empty, is not empty.", Single(limit));
    }

    [Theory]
    [InlineData(null, "Choose the event type (Purchase, Payment, Login, Visit, Custom).")]
    [InlineData("purchase", "Choose the event type (Purchase, Payment, Login, Visit, Custom).")]
    [InlineData("5", "Choose the event type (Purchase, Payment, Login, Visit, Custom).")]
    [InlineData("Purchase", null)]
    [InlineData("99", null)]
    public void Validate_EventType_IsOneOfTheNames(string? key, string? message)
    {
        var condition = When(Criteria.Event, RuleOperator.Has);
        condition.Key = key;
        if (message is null)
        {
            Valid(condition);
        }
        else
        {
            Assert.Equal(message, Single(condition));
        }
    }

    [Fact]
    public void Validate_Campaign_MustBeChosen_AndExist_WhenKnown()
    {
        var condition = When(Criteria.DeliveredInCampaign, RuleOperator.HasNot);
        Assert.Equal("Choose the campaign.", Single(condition));
        condition.CampaignId = 9;
        Assert.Equal("Campaign 9 does not exist.", Single(condition));
        Valid(condition, Context with { Campaigns = null });
        condition.CampaignId = 5;
        Valid(condition);
    }

    [Theory]
    [InlineData(null, "Enter the number of days to look back.")]
    [InlineData(0, "The number of days must be between 1 and 36500.")]
    [InlineData(1, null)]
    [InlineData(36500, null)]
    [InlineData(36501, "The number of days must be between 1 and 36500.")]
    public void Validate_LookBackDays_From1To36500(int? days, string? message)
    {
        var received = When(Criteria.MessagesReceived, RuleOperator.GreaterThan, "0");
        received.Days = days;
        var purchase = When(Criteria.Event, RuleOperator.Has);
        purchase.Key = "Purchase";
        purchase.Days = days;
        if (message is null)
        {
            Valid(received);
            Valid(purchase);
        }
        else
        {
            Assert.Equal(message, Single(received));
            if (days is null)
            {
                Valid(purchase);   // an event without days means ever
            }
            else
            {
                Assert.Equal(message, Single(purchase));
            }
        }
    }

    [Theory]
    [InlineData(-0.01, "The minimum amount cannot be negative.")]
    [InlineData(0, null)]
    public void Validate_Amount_IsNotNegative(double amount, string? message)
    {
        var condition = When(Criteria.Event, RuleOperator.Has);
        condition.Key = "Payment";
        condition.Amount = (decimal)amount;
        if (message is null)
        {
            Valid(condition);
        }
        else
        {
            Assert.Equal(message, Single(condition));
        }
    }

    [Fact]
    public void Validate_AValueError_NamesTheCriterionAndOperator()
    {
        Assert.Equal("Balance, greater than: Expected a number, got \"many\".", Single(When(Criteria.Balance, RuleOperator.GreaterThan, "\"many\"")));
    }

    [Fact]
    public void Validate_ListsAndSegments_MustExist()
    {
        Assert.Equal("Static list 2 does not exist (deleted?).", Single(When(Criteria.StaticList, RuleOperator.In, "[1,2]")));
        Valid(When(Criteria.StaticList, RuleOperator.In, "[2]"), Context with { StaticLists = null });
        Assert.Equal("Saved segment 4 does not exist (deleted?).", Single(When(Criteria.Segment, RuleOperator.NotIn, "[3,4]")));
        Valid(When(Criteria.Segment, RuleOperator.In, "[3]"));
    }

    [Theory]
    [InlineData(RuleOperator.Equals, "equals")]
    [InlineData(RuleOperator.GreaterOrEqual, "greater or equal")]
    [InlineData(RuleOperator.WithinLastDays, "within last days")]
    [InlineData(RuleOperator.IsNotEmpty, "is not empty")]
    public void Words_SplitsTheOperatorsName(RuleOperator op, string words) =>
        Assert.Equal(words, SegmentRuleValidator.Words(op));

    [Fact]
    public void Context_ByDefault_UsesTheRollups_AndChecksNothingExtra()
    {
        var context = new SegmentContext(Now, SegmentSources.Empty);
        Assert.True(context.EventRollups);
        Assert.Empty(context.Attributes);
        Assert.Empty(context.Segments);
        Assert.Null(context.StaticLists);
        Assert.Null(context.Campaigns);
        Assert.Empty(SegmentSources.Empty.Events);
    }

    // ConditionValues

    private static (bool Ok, object[] Values, string? Error) Read(string criterion, RuleOperator op, string? value, ValueKind? kind = null)
    {
        var c = Criteria.Find(criterion)!;
        var ok = ConditionValues.TryRead(When(criterion, op, value), c, kind ?? c.Kind, out var values, out var error);
        return (ok, values, error);
    }

    [Theory]
    [InlineData(Criteria.Age, RuleOperator.Between, null, "Enter both ends of the range.")]
    [InlineData(Criteria.Age, RuleOperator.Between, "[1,null]", "Enter both ends of the range.")]
    [InlineData(Criteria.Age, RuleOperator.Between, "[1,2,3]", "'between' needs exactly two values: from and to.")]
    [InlineData(Criteria.Age, RuleOperator.Between, "[3,2]", "The range starts after it ends: put the smaller value first.")]
    [InlineData(Criteria.Age, RuleOperator.Equals, "[]", "Enter a value.")]
    [InlineData(Criteria.Age, RuleOperator.Equals, "[1,2]", "Enter exactly one value.")]
    [InlineData(Criteria.Age, RuleOperator.Equals, "1.5", "Expected a whole number, got 1.5.")]
    [InlineData(Criteria.Age, RuleOperator.Equals, "\"1\"", "Expected a whole number, got \"1\".")]
    [InlineData(Criteria.Tag, RuleOperator.In, null, "Choose at least one value.")]
    [InlineData(Criteria.Balance, RuleOperator.Equals, "\"1\"", "Expected a number, got \"1\".")]
    [InlineData(Criteria.City, RuleOperator.Equals, "\"  \"", "Expected text, got \"  \".")]
    [InlineData(Criteria.City, RuleOperator.Equals, "5", "Expected text, got 5.")]
    [InlineData(Criteria.Gender, RuleOperator.Equals, "\"other\"", "'other' is not one of: Unknown, Male, Female.")]
    [InlineData(Criteria.RegisteredAt, RuleOperator.Before, "\"2026-02-30\"", "Expected a date as yyyy-MM-dd, got \"2026-02-30\".")]
    [InlineData(Criteria.RegisteredAt, RuleOperator.Before, "20261201", "Expected a date as yyyy-MM-dd, got 20261201.")]
    [InlineData(Criteria.RegisteredAt, RuleOperator.Between, "[\"2026-12-02\",\"2026-12-01\"]", "The range starts after it ends: put the smaller value first.")]
    [InlineData(Criteria.RegisteredAt, RuleOperator.WithinLastDays, "36501", "The number of days must be between 0 and 36500.")]
    [InlineData(Criteria.RegisteredAt, RuleOperator.WithinLastDays, "-1", "The number of days must be between 0 and 36500.")]
    [InlineData(Criteria.RegisteredAt, RuleOperator.MoreThanDaysAgo, "\"2026-12-01\"", "Expected a whole number, got \"2026-12-01\".")]
    [InlineData(Criteria.Birthday, RuleOperator.WithinNextDays, "36501", "The number of days must be between 0 and 36500.")]
    [InlineData(Criteria.AdvertisingConsent, RuleOperator.Equals, "1", "Expected true or false, got 1.")]
    [InlineData(Criteria.StaticList, RuleOperator.In, "[\"1\"]", "Expected the id of a static list, got \"1\".")]
    [InlineData(Criteria.Segment, RuleOperator.In, "[1.5]", "Expected the id of a saved segment, got 1.5.")]
    [InlineData(Criteria.Age, RuleOperator.Equals, "{}", "Expected a whole number, got {}.")]
    [InlineData(Criteria.Balance, RuleOperator.Equals, "{\"a\":1}", "Expected a number, got {\"a\":1}.")]
    [InlineData(Criteria.City, RuleOperator.Equals, "{}", "Expected text, got {}.")]
    [InlineData(Criteria.RegisteredAt, RuleOperator.Before, "{}", "Expected a date as yyyy-MM-dd, got {}.")]
    [InlineData(Criteria.ServiceConsent, RuleOperator.Equals, "{}", "Expected true or false, got {}.")]
    [InlineData(Criteria.StaticList, RuleOperator.In, "[[1]]", "Expected the id of a static list, got [1].")]
    public void TryRead_RefusesAValue_SayingWhy(string criterion, RuleOperator op, string? value, string error)
    {
        var (ok, values, message) = Read(criterion, op, value);
        Assert.False(ok);
        Assert.Empty(values);
        Assert.Equal(error, message);
    }

    [Fact]
    public void TryRead_ACriterionWithoutAValue_RefusesOne()
    {
        var (ok, _, message) = Read(Criteria.Event, RuleOperator.Equals, "1");
        Assert.False(ok);
        Assert.Equal("This criterion takes no value.", message);
        Assert.True(Read(Criteria.Event, RuleOperator.Has, "1").Ok);
    }

    [Fact]
    public void TryRead_ReadsEachKind_IntoItsType()
    {
        Assert.Equal([30L], Read(Criteria.Age, RuleOperator.Equals, "30").Values);
        Assert.Equal([30L], Read(Criteria.Age, RuleOperator.Equals, "[30]").Values);
        Assert.Equal([25L, 25L], Read(Criteria.Age, RuleOperator.Between, "[25,25]").Values);
        Assert.Equal([12.5m], Read(Criteria.Balance, RuleOperator.Equals, "12.5").Values);
        Assert.Equal(["Тверь"], Read(Criteria.City, RuleOperator.Equals, "\"  Тверь \"").Values);
        Assert.Equal(["Female"], Read(Criteria.Gender, RuleOperator.Equals, "\" FEMALE \"").Values);
        Assert.Equal(["MOW", "SPE"], Read(Criteria.Region, RuleOperator.In, "[\"mow\",\"Spe\"]").Values);
        Assert.Equal([new DateOnly(2026, 2, 28)], Read(Criteria.RegisteredAt, RuleOperator.Before, "\"2026-02-28\"").Values);
        Assert.Equal([0L], Read(Criteria.RegisteredAt, RuleOperator.WithinLastDays, "0").Values);
        Assert.Equal([36500L], Read(Criteria.Birthday, RuleOperator.WithinNextDays, "36500").Values);
        Assert.Equal([false], Read(Criteria.ServiceConsent, RuleOperator.Equals, "false").Values);
        Assert.Equal([1, 2], Read(Criteria.StaticList, RuleOperator.In, "[1,2]").Values);
        Assert.Equal([4], Read(Criteria.Segment, RuleOperator.In, "4").Values);
        Assert.Equal([], Read(Criteria.Age, RuleOperator.IsEmpty, "[1,2]").Values);
        Assert.Equal(["Vip"], Read(Criteria.Tag, RuleOperator.In, "\"Vip\"").Values);
        // A text criterion without options takes any text, a choice kind too when the criterion has none (attributes).
        Assert.Equal(["anything"], Read(Criteria.City, RuleOperator.Equals, "\"anything\"", ValueKind.Choice).Values);
    }

    [Fact]
    public void Shape_ResolvesAnAttributeByItsType_OtherwiseTheCriterion()
    {
        var limit = When(Criteria.Attribute, RuleOperator.Equals);
        limit.Key = "limit";
        var (criterion, kind, operators) = ConditionValues.Shape(limit, Context)!.Value;
        Assert.Equal((Criteria.Attribute, ValueKind.Money), (criterion.Id, kind));
        Assert.Equal(Criteria.OptionalNumberOperators, operators);
        limit.Key = "nope";
        Assert.Equal(ValueKind.Text, ConditionValues.Shape(limit, Context)!.Value.Kind);
        Assert.Null(ConditionValues.Shape(When("nope", RuleOperator.Equals), Context));
        Assert.Equal(ValueKind.Date, ConditionValues.Shape(When(Criteria.RegisteredAt, RuleOperator.Before), Context)!.Value.Kind);
    }

    [Theory]
    [InlineData("Purchase", true, ClientEventType.Purchase)]
    [InlineData("Custom", true, ClientEventType.Custom)]
    [InlineData("3", true, ClientEventType.Login)]
    [InlineData("visit", false, null)]
    [InlineData("7", false, null)]
    [InlineData(null, false, null)]
    public void TryEventType_KnowsTheNamesExactly(string? key, bool known, ClientEventType? type)
    {
        Assert.Equal(known, ConditionValues.TryEventType(key, out var parsed));
        if (known)
        {
            Assert.Equal(type, parsed);
        }
    }

    // Criteria

    [Theory]
    [InlineData(Criteria.Age, CriterionCategory.Profile, "Age", ValueKind.Integer, CriterionParameters.None)]
    [InlineData(Criteria.Gender, CriterionCategory.Profile, "Gender", ValueKind.Choice, CriterionParameters.None)]
    [InlineData(Criteria.Birthday, CriterionCategory.Profile, "Birthday", ValueKind.Integer, CriterionParameters.None)]
    [InlineData(Criteria.Language, CriterionCategory.Profile, "Language", ValueKind.Choice, CriterionParameters.None)]
    [InlineData(Criteria.Region, CriterionCategory.Location, "Region", ValueKind.Choice, CriterionParameters.None)]
    [InlineData(Criteria.City, CriterionCategory.Location, "City", ValueKind.Text, CriterionParameters.None)]
    [InlineData(Criteria.TimeZone, CriterionCategory.Location, "Time zone", ValueKind.Choice, CriterionParameters.None)]
    [InlineData(Criteria.MobileOperator, CriterionCategory.Phone, "Mobile operator", ValueKind.Choice, CriterionParameters.None)]
    [InlineData(Criteria.PhonePrefix, CriterionCategory.Phone, "Phone prefix", ValueKind.Text, CriterionParameters.None)]
    [InlineData(Criteria.Status, CriterionCategory.Account, "Status", ValueKind.Choice, CriterionParameters.None)]
    [InlineData(Criteria.RegisteredAt, CriterionCategory.Account, "Registration date", ValueKind.Date, CriterionParameters.None)]
    [InlineData(Criteria.TenureMonths, CriterionCategory.Account, "Tenure (months)", ValueKind.Integer, CriterionParameters.None)]
    [InlineData(Criteria.LoyaltyTier, CriterionCategory.Account, "Loyalty tier", ValueKind.Choice, CriterionParameters.None)]
    [InlineData(Criteria.Tariff, CriterionCategory.Account, "Tariff or product", ValueKind.Text, CriterionParameters.None)]
    [InlineData(Criteria.Balance, CriterionCategory.Account, "Balance", ValueKind.Money, CriterionParameters.None)]
    [InlineData(Criteria.ExternalId, CriterionCategory.Account, "External id", ValueKind.Text, CriterionParameters.None)]
    [InlineData(Criteria.TotalSpend, CriterionCategory.Purchases, "Total spend", ValueKind.Money, CriterionParameters.None)]
    [InlineData(Criteria.PurchaseCount, CriterionCategory.Purchases, "Purchase count", ValueKind.Integer, CriterionParameters.None)]
    [InlineData(Criteria.AveragePurchase, CriterionCategory.Purchases, "Average purchase", ValueKind.Money, CriterionParameters.None)]
    [InlineData(Criteria.LastPurchaseAt, CriterionCategory.Purchases, "Last purchase date", ValueKind.Date, CriterionParameters.None)]
    [InlineData(Criteria.LastActivityAt, CriterionCategory.Activity, "Last activity date", ValueKind.Date, CriterionParameters.None)]
    [InlineData(Criteria.MessagesReceived, CriterionCategory.Activity, "Messages received in the last N days", ValueKind.Integer, CriterionParameters.Days)]
    [InlineData(Criteria.Event, CriterionCategory.Events, "Event", ValueKind.None,
        CriterionParameters.EventType | CriterionParameters.Days | CriterionParameters.Amount)]
    [InlineData(Criteria.Tag, CriterionCategory.Tags, "Tags", ValueKind.Text, CriterionParameters.None)]
    [InlineData(Criteria.Attribute, CriterionCategory.Attributes, "Custom attribute", ValueKind.Text, CriterionParameters.Attribute)]
    [InlineData(Criteria.AdvertisingConsent, CriterionCategory.Consent, "Advertising consent", ValueKind.Boolean, CriterionParameters.None)]
    [InlineData(Criteria.ServiceConsent, CriterionCategory.Consent, "Service consent", ValueKind.Boolean, CriterionParameters.None)]
    [InlineData(Criteria.ReceivedCampaign, CriterionCategory.Campaigns, "Received campaign", ValueKind.None, CriterionParameters.Campaign)]
    [InlineData(Criteria.DeliveredInCampaign, CriterionCategory.Campaigns, "Message delivered in campaign", ValueKind.None, CriterionParameters.Campaign)]
    [InlineData(Criteria.NotDeliveredInCampaign, CriterionCategory.Campaigns, "Message not delivered in campaign", ValueKind.None, CriterionParameters.Campaign)]
    [InlineData(Criteria.RepliedToCampaign, CriterionCategory.Campaigns, "Replied to campaign", ValueKind.None, CriterionParameters.Campaign)]
    [InlineData(Criteria.StaticList, CriterionCategory.Lists, "Static list", ValueKind.Lists, CriterionParameters.None)]
    [InlineData(Criteria.Segment, CriterionCategory.Lists, "Saved segment", ValueKind.Segments, CriterionParameters.None)]
    public void Catalogue_EachCriterion_HasItsCategoryLabelKindAndParameters(string id, CriterionCategory category, string label, ValueKind kind, CriterionParameters parameters)
    {
        var criterion = Criteria.Find(id)!;
        Assert.Equal((id, category, label, kind, parameters), (criterion.Id, criterion.Category, criterion.Label, criterion.Kind, criterion.Parameters));
    }

    [Fact]
    public void Catalogue_Has33Criteria_InTheBuildersOrder()
    {
        Assert.Equal(33, Criteria.All.Count);
        Assert.Equal(Criteria.Age, Criteria.All[0].Id);
        Assert.Equal(Criteria.Segment, Criteria.All[^1].Id);
        Assert.Null(Criteria.Find(null));
        Assert.Null(Criteria.Find("Age"));
    }

    private static string Ops(string id) => string.Join(",", Criteria.Find(id)!.Operators.Select(SegmentRuleValidator.Words));

    [Theory]
    [InlineData(Criteria.Age, "equals,not equals,less than,less or equal,greater than,greater or equal,between,is empty,is not empty")]
    [InlineData(Criteria.Gender, "equals,not equals,in,not in")]
    [InlineData(Criteria.Birthday, "within next days")]
    [InlineData(Criteria.Region, "equals,not equals,in,not in,is empty,is not empty")]
    [InlineData(Criteria.City, "equals,not equals,in,not in,contains,starts with,is empty,is not empty")]
    [InlineData(Criteria.PhonePrefix, "starts with")]
    [InlineData(Criteria.RegisteredAt, "before,after,between,within last days,more than days ago")]
    [InlineData(Criteria.TenureMonths, "equals,not equals,less than,less or equal,greater than,greater or equal,between")]
    [InlineData(Criteria.LoyaltyTier, "equals,not equals,in,not in,less than,less or equal,greater than,greater or equal")]
    [InlineData(Criteria.LastPurchaseAt, "before,after,between,within last days,more than days ago,is empty,is not empty")]
    [InlineData(Criteria.Event, "has,has not")]
    [InlineData(Criteria.Tag, "in,not in")]
    [InlineData(Criteria.AdvertisingConsent, "equals")]
    [InlineData(Criteria.StaticList, "in,not in")]
    public void Catalogue_EachCriterion_OffersItsOperators(string id, string operators) => Assert.Equal(operators, Ops(id));

    [Fact]
    public void Catalogue_ChoiceOptions_AreTheCodes()
    {
        string Codes(string id) => string.Join(",", Criteria.Find(id)!.Options!.Select(o => o.Code));
        Assert.Equal("Unknown,Male,Female", Codes(Criteria.Gender));
        Assert.Equal([new CriterionOption("ru", "Russian"), new CriterionOption("en", "English")], Criteria.Find(Criteria.Language)!.Options!);
        Assert.Equal("Active,Inactive,Blocked,Erased", Codes(Criteria.Status));
        Assert.Equal("None,Silver,Gold,Platinum", Codes(Criteria.LoyaltyTier));
        Assert.Equal(string.Join(",", MobileOperators.All), Codes(Criteria.MobileOperator));
        Assert.Equal("Purchase,Payment,Login,Visit,Custom", Codes(Criteria.Event));
        var zones = Criteria.Find(Criteria.TimeZone)!.Options!.Select(o => o.Code).ToList();
        Assert.Equal(zones.Distinct().Order(StringComparer.Ordinal), zones);
        Assert.Contains("Europe/Moscow", zones);
        Assert.Equal(new CriterionOption("MOW", "Moscow"), Criteria.Find(Criteria.Region)!.Options!.Single(o => o.Code == "MOW"));
        Assert.Null(Criteria.Find(Criteria.City)!.Options);
    }

    [Theory]
    [InlineData(AttributeType.Text, ValueKind.Text, "equals,not equals,in,not in,contains,starts with,is empty,is not empty")]
    [InlineData(AttributeType.Number, ValueKind.Money, "equals,not equals,less than,less or equal,greater than,greater or equal,between,is empty,is not empty")]
    [InlineData(AttributeType.Date, ValueKind.Date, "before,after,between,within last days,more than days ago,is empty,is not empty")]
    [InlineData(AttributeType.Boolean, ValueKind.Boolean, "equals,is empty,is not empty")]
    public void ForAttribute_TakesTheShapeOfItsType(AttributeType type, ValueKind kind, string operators)
    {
        var (k, ops) = Criteria.ForAttribute(type);
        Assert.Equal(kind, k);
        Assert.Equal(operators, string.Join(",", ops.Select(SegmentRuleValidator.Words)));
    }

    [Fact]
    public void ForAttribute_AnUnknownType_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Criteria.ForAttribute((AttributeType)9));

    [Theory]
    [InlineData(RuleOperator.IsEmpty, ValueKind.Text, 0)]
    [InlineData(RuleOperator.IsNotEmpty, ValueKind.Text, 0)]
    [InlineData(RuleOperator.Has, ValueKind.None, 0)]
    [InlineData(RuleOperator.HasNot, ValueKind.None, 0)]
    [InlineData(RuleOperator.Between, ValueKind.Integer, 2)]
    [InlineData(RuleOperator.In, ValueKind.Text, -1)]
    [InlineData(RuleOperator.NotIn, ValueKind.Choice, -1)]
    [InlineData(RuleOperator.Equals, ValueKind.Lists, -1)]
    [InlineData(RuleOperator.Equals, ValueKind.Segments, -1)]
    [InlineData(RuleOperator.Equals, ValueKind.Integer, 1)]
    [InlineData(RuleOperator.WithinLastDays, ValueKind.Date, 1)]
    public void Arity_CountsTheValues(RuleOperator op, ValueKind kind, int arity) => Assert.Equal(arity, Criteria.Arity(op, kind));

    [Theory]
    [InlineData(RuleOperator.WithinLastDays, true)]
    [InlineData(RuleOperator.MoreThanDaysAgo, true)]
    [InlineData(RuleOperator.WithinNextDays, true)]
    [InlineData(RuleOperator.Before, false)]
    [InlineData(RuleOperator.Equals, false)]
    public void TakesDays_OnlyTheDayOperators(RuleOperator op, bool takesDays) => Assert.Equal(takesDays, Criteria.TakesDays(op));

    // JSON

    [Theory]
    [InlineData("", "", "The rule is empty.")]
    [InlineData("   ", "", "The rule is empty.")]
    [InlineData("null", "", "The rule must be a JSON object with \"version\" and \"root\".")]
    [InlineData("{\"version\":\"1\"}", "version", "The rule has no \"version\": it must say which rule format it uses (1).")]
    [InlineData("{\"version\":{}}", "version", "The rule has no \"version\": it must say which rule format it uses (1).")]
    [InlineData("{\"version\":0}", "version", "Rule format version 0 is not supported: this Portal reads version 1.")]
    [InlineData("{\"version\":1,\"root\":{\"type\":1}}", "root", "The root of a rule is a group.")]
    [InlineData("{\"version\":1,\"root\":{\"type\":\"Group\"}}", "root", "The root of a rule is a group.")]
    public void Parse_Refuses_WithThePathAndTheExactReason(string json, string path, string message)
    {
        var e = Assert.Throws<SegmentRuleException>(() => SegmentRuleJson.Parse(json));
        Assert.Equal(new RuleError(path, message), Assert.Single(e.Errors));
    }

    [Fact]
    public void Parse_ABadShape_SaysWhereAndThatItIsFormat1()
    {
        var e = Assert.Throws<SegmentRuleException>(() => SegmentRuleJson.Parse("{\"version\":1,\"root\":{\"logic\":\"xor\"}}"));
        var error = Assert.Single(e.Errors);
        Assert.Equal("$.root.logic", error.Path);
        Assert.StartsWith("The rule does not follow format version 1: ", error.Message);
        var notJson = Assert.Throws<SegmentRuleException>(() => SegmentRuleJson.Parse("{"));
        Assert.Equal("", notJson.Errors[0].Path);
        Assert.StartsWith("The rule is not valid JSON: ", notJson.Errors[0].Message);
    }

    [Fact]
    public void Parse_AcceptsARootTypedGroup_MetadataAnywhere_AndNoIntegerOperators()
    {
        var rule = SegmentRuleJson.Parse("{\"root\":{\"type\":\"group\",\"logic\":\"or\",\"children\":[{\"criterion\":\"age\",\"operator\":\"isEmpty\",\"type\":\"condition\"}]},\"version\":1}");
        Assert.Equal(GroupLogic.Or, rule.Root.Logic);
        Assert.Equal(RuleOperator.IsEmpty, Assert.IsType<RuleCondition>(Assert.Single(rule.Root.Children)).Operator);
        Assert.Throws<SegmentRuleException>(() => SegmentRuleJson.Parse("{\"version\":1,\"root\":{\"logic\":1}}"));
        Assert.Equal("{\"version\":1,\"root\":{\"logic\":\"and\",\"not\":false,\"children\":[]},\"excludeSegments\":[],\"excludeLists\":[]}",
            SegmentRuleJson.Serialize(SegmentRule.Everyone()));
    }

    [Fact]
    public void RuleError_ReadsAsPathAndMessage()
    {
        Assert.Equal("Choose.", new RuleError("", "Choose.").ToString());
        Assert.Equal("root: Choose.", new RuleError("root", "Choose.").ToString());
    }

    [Fact]
    public void Conditions_AndClone_WalkEveryLevel()
    {
        var age = When(Criteria.Age, RuleOperator.Equals, "30");
        age.Key = "k";
        age.CampaignId = 5;
        age.Days = 7;
        age.Amount = 1.5m;
        var city = When(Criteria.City, RuleOperator.IsEmpty);
        var rule = new SegmentRule { Root = new RuleGroup { Logic = GroupLogic.Or, Not = true, Children = [age, new RuleGroup { Children = [city, new OtherNode()] }] } };
        Assert.Equal([age, city], rule.Conditions());
        var copy = rule.Root.Clone();
        Assert.Equal((GroupLogic.Or, true, 2), (copy.Logic, copy.Not, copy.Children.Count));
        var ageCopy = Assert.IsType<RuleCondition>(copy.Children[0]);
        Assert.NotSame(age, ageCopy);
        Assert.Equal((age.Criterion, age.Operator, age.Key, age.CampaignId, age.Days, age.Amount),
            (ageCopy.Criterion, ageCopy.Operator, ageCopy.Key, ageCopy.CampaignId, ageCopy.Days, ageCopy.Amount));
        Assert.Equal("30", ageCopy.Value!.ToJsonString());
        Assert.NotSame(age.Value, ageCopy.Value);
        Assert.NotSame(rule.Root.Children[1], copy.Children[1]);
        Assert.Null(Assert.IsType<RuleCondition>(((RuleGroup)copy.Children[1]).Children[0]).Value);
    }

    // Personal data (issue 14)

    [Theory]
    [InlineData(RuleOperator.Contains, true)]
    [InlineData(RuleOperator.StartsWith, true)]
    [InlineData(RuleOperator.LessThan, true)]
    [InlineData(RuleOperator.LessOrEqual, true)]
    [InlineData(RuleOperator.GreaterThan, true)]
    [InlineData(RuleOperator.GreaterOrEqual, true)]
    [InlineData(RuleOperator.Between, true)]
    [InlineData(RuleOperator.Before, true)]
    [InlineData(RuleOperator.After, true)]
    [InlineData(RuleOperator.Equals, false)]
    [InlineData(RuleOperator.NotEquals, false)]
    [InlineData(RuleOperator.In, false)]
    [InlineData(RuleOperator.IsEmpty, false)]
    [InlineData(RuleOperator.WithinLastDays, false)]
    public void Access_PartialAttributeMatches_NeedPersonalData(RuleOperator op, bool refused)
    {
        var rule = With(When(Criteria.Age, op), new RuleGroup { Children = [When(Criteria.Attribute, op)] });
        SegmentRuleAccess.Check(rule, seesPersonalData: true);
        if (refused)
        {
            var e = Assert.Throws<SegmentRuleException>(() => SegmentRuleAccess.Check(rule, seesPersonalData: false));
            Assert.Equal([new RuleError("root.children[1].children[0]", SegmentRuleAccess.AttributeMatchRefused)], e.Errors);
        }
        else
        {
            SegmentRuleAccess.Check(rule, seesPersonalData: false);
        }
    }

    [Fact]
    public void Access_PhoneConditions_NeedPersonalData_EveryOneNamed()
    {
        var rule = With(When(Criteria.City, RuleOperator.Equals), When(Criteria.PhonePrefix, RuleOperator.StartsWith),
            new RuleGroup { Children = [When(Criteria.PhonePrefix, RuleOperator.StartsWith)] });
        var e = Assert.Throws<SegmentRuleException>(() => SegmentRuleAccess.Check(rule, seesPersonalData: false));
        Assert.Equal(["root.children[1]", "root.children[2].children[0]"], e.Errors.Select(x => x.Path));
        Assert.All(e.Errors, x => Assert.Equal("Phone conditions need the personal-data permission.", x.Message));
        Assert.Equal("Partial matches on custom attributes need the personal-data permission.", SegmentRuleAccess.AttributeMatchRefused);
        SegmentRuleAccess.Check(rule, seesPersonalData: true);
    }

    // Entities

    [Theory]
    [InlineData("", false)]
    [InlineData("   ", false)]
    [InlineData("A", true)]
    [InlineData(null, true)]   // 200 characters
    [InlineData("201", false)]
    public void Names_Are1To200Characters(string? name, bool ok)
    {
        name = name switch { null => new string('x', 200), "201" => new string('x', 201), _ => name };
        if (ok)
        {
            Assert.Equal(name, new Segment(name, 2, "{}", "me", Now).Name);
            Assert.Equal(name, new StaticList(name, 2, "me", Now).Name);
        }
        else
        {
            Assert.Equal("A segment name is 1 to 200 characters.", Assert.Throws<DomainException>(() => new Segment(name, 2, "{}", "me", Now)).Message);
            Assert.Equal("A list name is 1 to 200 characters.", Assert.Throws<DomainException>(() => new StaticList(name, 2, "me", Now)).Message);
        }
    }

    [Fact]
    public void Segment_KeepsWhatItIsGiven_TrimsItsName_AndChangesRules()
    {
        var segment = new Segment("  Gold ", 2, "{\"version\":1}", "me", Now);
        Assert.Equal(("Gold", 2, "{\"version\":1}", "me", Now, Now, 1), (segment.Name, segment.DepartmentId, segment.RulesJson, segment.CreatedBy, segment.CreatedAt, segment.UpdatedAt, segment.Version));
        Assert.Null(segment.SandboxOwnerId);
        segment.Rename(" Silver ");
        Assert.Equal("Silver", segment.Name);
        segment.ChangeRules("{}", Now.AddHours(1));
        segment.ChangeRules("{ }", Now.AddHours(2));
        Assert.Equal(("{ }", 3, Now.AddHours(2), Now), (segment.RulesJson, segment.Version, segment.UpdatedAt, segment.CreatedAt));
        segment.PlaceInSandbox("trainee-1");
        Assert.Equal("trainee-1", segment.SandboxOwnerId);
        typeof(Segment).GetProperty(nameof(Segment.Id))!.SetValue(segment, 7);
        Assert.Equal("Only a new row can be placed in a sandbox.", Assert.Throws<DomainException>(() => segment.PlaceInSandbox("trainee-2")).Message);
    }

    [Fact]
    public void Rows_MaterialisedWithoutTheirColumns_StartEmpty()
    {
        // The parameterless constructors are EF Core's; a row starts as an empty name and an empty rule object.
        var segment = (Segment)Activator.CreateInstance(typeof(Segment), nonPublic: true)!;
        Assert.Equal(("", "{}", "", 1), (segment.Name, segment.RulesJson, segment.CreatedBy, segment.Version));
        var list = (StaticList)Activator.CreateInstance(typeof(StaticList), nonPublic: true)!;
        Assert.Equal(("", ""), (list.Name, list.CreatedBy));
    }

    [Fact]
    public void StaticList_KeepsWhatItIsGiven_AndItsMembers()
    {
        var list = new StaticList(" VIP ", 3, "me", Now) { MemberCount = 4 };
        Assert.Equal(("VIP", 3, "me", Now, 4), (list.Name, list.DepartmentId, list.CreatedBy, list.CreatedAt, list.MemberCount));
        var member = new StaticListMember(7, 42);
        Assert.Equal((7, 42L), (member.ListId, member.ClientId));
    }
}
