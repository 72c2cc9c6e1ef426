using System.Text.Json.Nodes;
using Portal.Domain.Clients;
using Portal.Domain.Messages;
using Portal.Domain.Segments;

namespace Portal.Tests.Domain.Segments;

/// <summary>
/// The compiled predicate evaluated in memory, one criterion and operator at a time, on each side of
/// its boundary (issue 21: the mutation tests found the compiler tested only through the database).
/// Ids, the event roll-ups and attribute definition ids are set with reflection: the database sets them.
/// </summary>
public class SegmentCompilerTests
{
    private static readonly DateTime Now = new(2026, 12, 4, 10, 0, 0, DateTimeKind.Utc);

    private static RuleCondition When(string criterion, RuleOperator op, string? value = null) =>
        new() { Criterion = criterion, Operator = op, Value = value is null ? null : JsonNode.Parse(value) };

    private static void Set(object target, string property, object? value) =>
        target.GetType().GetProperty(property)!.SetValue(target, value);

    private static Client NewClient(long id = 1, Action<Client>? set = null)
    {
        var client = new Client(PhoneNumber.Parse("+79161234567"), "A", "B", Now.AddYears(-2));
        Set(client, nameof(Client.Id), id);
        set?.Invoke(client);
        return client;
    }

    private static SegmentContext Context(SegmentSources? sources = null, bool rollups = true) =>
        new(Now, sources ?? SegmentSources.Empty) { EventRollups = rollups };

    private static SegmentSources Sources(IEnumerable<ClientEvent>? events = null, IEnumerable<ClientTag>? tags = null,
        IEnumerable<ClientAttribute>? attributes = null, IEnumerable<Message>? messages = null,
        IEnumerable<InboundMessage>? replies = null, IEnumerable<StaticListMember>? members = null) =>
        new((events ?? []).AsQueryable(), (tags ?? []).AsQueryable(), (attributes ?? []).AsQueryable(),
            (messages ?? []).AsQueryable(), (replies ?? []).AsQueryable(), (members ?? []).AsQueryable());

    private static bool Matches(RuleCondition condition, Client client, SegmentContext? context = null) =>
        new SegmentCompiler(context ?? Context()).CompileCondition(condition).Compile()(client);

    private static bool Matches(SegmentRule rule, Client client, SegmentContext? context = null) =>
        new SegmentCompiler(context ?? Context()).Compile(rule, sendable: false).Compile()(client);

    [Theory]
    [InlineData(RuleOperator.Equals, "100", 100, true)]
    [InlineData(RuleOperator.Equals, "100", 99, false)]
    [InlineData(RuleOperator.NotEquals, "100", 100, false)]
    [InlineData(RuleOperator.NotEquals, "100", 99, true)]
    [InlineData(RuleOperator.LessThan, "100", 99, true)]
    [InlineData(RuleOperator.LessThan, "100", 100, false)]
    [InlineData(RuleOperator.LessOrEqual, "100", 100, true)]
    [InlineData(RuleOperator.LessOrEqual, "100", 101, false)]
    [InlineData(RuleOperator.GreaterThan, "100", 101, true)]
    [InlineData(RuleOperator.GreaterThan, "100", 100, false)]
    [InlineData(RuleOperator.GreaterOrEqual, "100", 100, true)]
    [InlineData(RuleOperator.GreaterOrEqual, "100", 99, false)]
    [InlineData(RuleOperator.Between, "[90,100]", 90, true)]
    [InlineData(RuleOperator.Between, "[90,100]", 100, true)]
    [InlineData(RuleOperator.Between, "[90,100]", 89, false)]
    [InlineData(RuleOperator.Between, "[90,100]", 101, false)]
    public void Balance_EachOperator_ComparesAtTheBoundary(RuleOperator op, string value, int balance, bool expected)
    {
        Assert.Equal(expected, Matches(When(Criteria.Balance, op, value), NewClient(set: c => c.Balance = balance)));
        Assert.Equal(expected, Matches(When(Criteria.PurchaseCount, op, value), NewClient(set: c => c.PurchaseCount = balance)));
    }

    [Theory]
    [InlineData(RuleOperator.GreaterOrEqual, "30", "1996-12-04", true)]
    [InlineData(RuleOperator.GreaterOrEqual, "30", "1996-12-05", false)]
    [InlineData(RuleOperator.GreaterThan, "30", "1995-12-04", true)]
    [InlineData(RuleOperator.GreaterThan, "30", "1995-12-05", false)]
    [InlineData(RuleOperator.LessThan, "30", "1996-12-05", true)]
    [InlineData(RuleOperator.LessThan, "30", "1996-12-04", false)]
    [InlineData(RuleOperator.LessOrEqual, "30", "1995-12-05", true)]
    [InlineData(RuleOperator.LessOrEqual, "30", "1995-12-04", false)]
    [InlineData(RuleOperator.Equals, "30", "1996-12-04", true)]
    [InlineData(RuleOperator.Equals, "30", "1995-12-05", true)]
    [InlineData(RuleOperator.Equals, "30", "1995-12-04", false)]
    [InlineData(RuleOperator.Equals, "30", "1996-12-05", false)]
    [InlineData(RuleOperator.NotEquals, "30", "1996-12-04", false)]
    [InlineData(RuleOperator.NotEquals, "30", "1995-12-05", false)]
    [InlineData(RuleOperator.NotEquals, "30", "1995-12-04", true)]
    [InlineData(RuleOperator.NotEquals, "30", "1996-12-05", true)]
    [InlineData(RuleOperator.Between, "[30,31]", "1994-12-05", true)]
    [InlineData(RuleOperator.Between, "[30,31]", "1994-12-04", false)]
    [InlineData(RuleOperator.Between, "[30,31]", "1996-12-04", true)]
    [InlineData(RuleOperator.Between, "[30,31]", "1996-12-05", false)]
    [InlineData(RuleOperator.IsEmpty, null, "1996-12-04", false)]
    [InlineData(RuleOperator.IsEmpty, null, null, true)]
    [InlineData(RuleOperator.IsNotEmpty, null, "1996-12-04", true)]
    [InlineData(RuleOperator.IsNotEmpty, null, null, false)]
    [InlineData(RuleOperator.GreaterOrEqual, "0", null, false)]
    public void Age_EachOperator_CountsBirthdaysToday(RuleOperator op, string? value, string? birth, bool expected) =>
        Assert.Equal(expected, Matches(When(Criteria.Age, op, value), NewClient(set: c => c.BirthDate = birth is null ? null : DateOnly.Parse(birth))));

    [Theory]
    [InlineData(RuleOperator.GreaterOrEqual, "6", 6, 0, true)]
    [InlineData(RuleOperator.GreaterOrEqual, "6", 6, 1, false)]
    [InlineData(RuleOperator.GreaterThan, "6", 7, 0, true)]
    [InlineData(RuleOperator.GreaterThan, "6", 7, 1, false)]
    [InlineData(RuleOperator.LessThan, "6", 6, 1, true)]
    [InlineData(RuleOperator.LessThan, "6", 6, 0, false)]
    [InlineData(RuleOperator.LessOrEqual, "6", 7, 1, true)]
    [InlineData(RuleOperator.LessOrEqual, "6", 7, 0, false)]
    [InlineData(RuleOperator.Equals, "6", 6, 0, true)]
    [InlineData(RuleOperator.Equals, "6", 7, 1, true)]
    [InlineData(RuleOperator.Equals, "6", 7, 0, false)]
    [InlineData(RuleOperator.Equals, "6", 6, 1, false)]
    [InlineData(RuleOperator.NotEquals, "6", 6, 0, false)]
    [InlineData(RuleOperator.NotEquals, "6", 7, 0, true)]
    [InlineData(RuleOperator.NotEquals, "6", 6, 1, true)]
    [InlineData(RuleOperator.Between, "[6,7]", 8, 1, true)]
    [InlineData(RuleOperator.Between, "[6,7]", 8, 0, false)]
    [InlineData(RuleOperator.Between, "[6,7]", 6, 0, true)]
    [InlineData(RuleOperator.Between, "[6,7]", 6, 1, false)]
    public void TenureMonths_EachOperator_ComparesWholeMonths(RuleOperator op, string value, int months, int seconds, bool expected)
    {
        // Registered exactly `months` months before now, or a second later.
        var client = NewClient(set: c => c.RegisteredAt = Now.AddMonths(-months).AddSeconds(seconds));
        Assert.Equal(expected, Matches(When(Criteria.TenureMonths, op, value), client));
    }

    [Theory]
    [InlineData(RuleOperator.Before, "\"2026-11-01\"", "2026-10-31T23:59:59", true)]
    [InlineData(RuleOperator.Before, "\"2026-11-01\"", "2026-11-01T00:00:00", false)]
    [InlineData(RuleOperator.After, "\"2026-11-01\"", "2026-11-02T00:00:00", true)]
    [InlineData(RuleOperator.After, "\"2026-11-01\"", "2026-11-01T23:59:59", false)]
    [InlineData(RuleOperator.Between, "[\"2026-11-01\",\"2026-11-02\"]", "2026-11-01T00:00:00", true)]
    [InlineData(RuleOperator.Between, "[\"2026-11-01\",\"2026-11-02\"]", "2026-11-02T23:59:59", true)]
    [InlineData(RuleOperator.Between, "[\"2026-11-01\",\"2026-11-02\"]", "2026-11-03T00:00:00", false)]
    [InlineData(RuleOperator.Between, "[\"2026-11-01\",\"2026-11-02\"]", "2026-10-31T23:59:59", false)]
    [InlineData(RuleOperator.WithinLastDays, "7", "2026-11-27T10:00:00", true)]
    [InlineData(RuleOperator.WithinLastDays, "7", "2026-11-27T09:59:59", false)]
    [InlineData(RuleOperator.MoreThanDaysAgo, "7", "2026-11-27T09:59:59", true)]
    [InlineData(RuleOperator.MoreThanDaysAgo, "7", "2026-11-27T10:00:00", false)]
    public void RegistrationDate_EachOperator_ComparesWholeDays(RuleOperator op, string value, string registered, bool expected)
    {
        var at = DateTime.SpecifyKind(DateTime.Parse(registered, System.Globalization.CultureInfo.InvariantCulture), DateTimeKind.Utc);
        Assert.Equal(expected, Matches(When(Criteria.RegisteredAt, op, value), NewClient(set: c => c.RegisteredAt = at)));
        Assert.Equal(expected, Matches(When(Criteria.LastActivityAt, op, value), NewClient(set: c => c.LastActivityAt = at)));
    }

    [Theory]
    [InlineData(RuleOperator.IsEmpty, true, false)]
    [InlineData(RuleOperator.IsEmpty, false, true)]
    [InlineData(RuleOperator.IsNotEmpty, true, true)]
    [InlineData(RuleOperator.IsNotEmpty, false, false)]
    public void LastPurchaseDate_IsEmpty_TestsForNull(RuleOperator op, bool hasDate, bool expected) =>
        Assert.Equal(expected, Matches(When(Criteria.LastPurchaseAt, op), NewClient(set: c => c.LastPurchaseAt = hasDate ? Now : null)));

    [Fact]
    public void LastPurchaseDate_WithoutADate_IsNeitherBeforeNorAfter()
    {
        var client = NewClient();
        Assert.False(Matches(When(Criteria.LastPurchaseAt, RuleOperator.Before, "\"2030-01-01\""), client));
        Assert.False(Matches(When(Criteria.LastPurchaseAt, RuleOperator.After, "\"2000-01-01\""), client));
    }

    [Theory]
    [InlineData(RuleOperator.Equals, "\"Москва\"", "Москва", true)]
    [InlineData(RuleOperator.Equals, "\"москва\"", "Москва", false)]
    [InlineData(RuleOperator.NotEquals, "\"Москва\"", "Тверь", true)]
    [InlineData(RuleOperator.Contains, "\"оскв\"", "Москва", true)]
    [InlineData(RuleOperator.Contains, "\"МОСК\"", "Москва", true)]
    [InlineData(RuleOperator.Contains, "\"твер\"", "Москва", false)]
    [InlineData(RuleOperator.Contains, "\"моск\"", null, false)]
    [InlineData(RuleOperator.Contains, "\"a1\"", "XA1Y", true)]
    [InlineData(RuleOperator.Contains, "\"12\"", "x12y", true)]
    [InlineData(RuleOperator.Contains, "\"Ⓐ\"", "xⒶy", true)]   // not a letter, though it has a lower case: the column stays as it is
    [InlineData(RuleOperator.Contains, "\"ⓐ\"", "xⒶy", false)]
    [InlineData(RuleOperator.StartsWith, "\"моск\"", "Москва", true)]
    [InlineData(RuleOperator.StartsWith, "\"сква\"", "Москва", false)]
    [InlineData(RuleOperator.StartsWith, "\"моск\"", null, false)]
    [InlineData(RuleOperator.IsEmpty, null, null, true)]
    [InlineData(RuleOperator.IsEmpty, null, "", true)]
    [InlineData(RuleOperator.IsEmpty, null, "Тверь", false)]
    [InlineData(RuleOperator.IsNotEmpty, null, null, false)]
    [InlineData(RuleOperator.IsNotEmpty, null, "", false)]
    [InlineData(RuleOperator.IsNotEmpty, null, "Тверь", true)]
    [InlineData(RuleOperator.In, "[\"Тверь\",\"Москва\"]", "Москва", true)]
    [InlineData(RuleOperator.In, "[\"Тверь\",\"Москва\"]", "Казань", false)]
    [InlineData(RuleOperator.NotIn, "[\"Тверь\",\"Москва\"]", "Москва", false)]
    [InlineData(RuleOperator.NotIn, "[\"Тверь\",\"Москва\"]", "Казань", true)]
    public void City_EachTextOperator_MatchesCaseAsIssue5Says(RuleOperator op, string? value, string? city, bool expected)
    {
        Assert.Equal(expected, Matches(When(Criteria.City, op, value), NewClient(set: c => c.City = city)));
        Assert.Equal(expected, Matches(When(Criteria.Tariff, op, value), NewClient(set: c => c.Tariff = city)));
        Assert.Equal(expected, Matches(When(Criteria.ExternalId, op, value), NewClient(set: c => c.ExternalId = city)));
    }

    [Theory]
    [InlineData("\"+7 (916)\"", true)]
    [InlineData("\"8916\"", true)]
    [InlineData("\"916\"", true)]
    [InlineData("\"89\"", true)]
    [InlineData("\"79\"", true)]
    [InlineData("\"7\"", true)]
    [InlineData("\"8\"", false)]
    [InlineData("\"926\"", false)]
    [InlineData("\"8926\"", false)]
    public void PhonePrefix_ReadsLocalForms_AsE164(string typed, bool expected) =>
        Assert.Equal(expected, Matches(When(Criteria.PhonePrefix, RuleOperator.StartsWith, typed), NewClient()));

    [Theory]
    [InlineData(Criteria.Gender, RuleOperator.Equals, "\"female\"", true)]
    [InlineData(Criteria.Gender, RuleOperator.Equals, "\"Male\"", false)]
    [InlineData(Criteria.Gender, RuleOperator.NotEquals, "\"Male\"", true)]
    [InlineData(Criteria.Gender, RuleOperator.In, "[\"Male\",\"Female\"]", true)]
    [InlineData(Criteria.Gender, RuleOperator.NotIn, "[\"Male\",\"Female\"]", false)]
    [InlineData(Criteria.Language, RuleOperator.Equals, "\"EN\"", true)]
    [InlineData(Criteria.Language, RuleOperator.Equals, "\"ru\"", false)]
    [InlineData(Criteria.Region, RuleOperator.In, "[\"spe\",\"mow\"]", true)]
    [InlineData(Criteria.Region, RuleOperator.In, "[\"spe\"]", false)]
    [InlineData(Criteria.Region, RuleOperator.IsEmpty, null, false)]
    [InlineData(Criteria.Region, RuleOperator.IsNotEmpty, null, true)]
    [InlineData(Criteria.TimeZone, RuleOperator.Equals, "\"Asia/Yekaterinburg\"", true)]
    [InlineData(Criteria.TimeZone, RuleOperator.Equals, "\"Europe/Moscow\"", false)]
    [InlineData(Criteria.Status, RuleOperator.Equals, "\"Blocked\"", true)]
    [InlineData(Criteria.Status, RuleOperator.Equals, "\"Active\"", false)]
    [InlineData(Criteria.LoyaltyTier, RuleOperator.Equals, "\"Gold\"", true)]
    [InlineData(Criteria.LoyaltyTier, RuleOperator.NotEquals, "\"Gold\"", false)]
    [InlineData(Criteria.LoyaltyTier, RuleOperator.GreaterOrEqual, "\"Gold\"", true)]
    [InlineData(Criteria.LoyaltyTier, RuleOperator.GreaterOrEqual, "\"Platinum\"", false)]
    [InlineData(Criteria.LoyaltyTier, RuleOperator.GreaterThan, "\"Silver\"", true)]
    [InlineData(Criteria.LoyaltyTier, RuleOperator.GreaterThan, "\"Gold\"", false)]
    [InlineData(Criteria.LoyaltyTier, RuleOperator.LessThan, "\"Platinum\"", true)]
    [InlineData(Criteria.LoyaltyTier, RuleOperator.LessThan, "\"Gold\"", false)]
    [InlineData(Criteria.LoyaltyTier, RuleOperator.LessOrEqual, "\"Gold\"", true)]
    [InlineData(Criteria.LoyaltyTier, RuleOperator.LessOrEqual, "\"Silver\"", false)]
    [InlineData(Criteria.AdvertisingConsent, RuleOperator.Equals, "true", true)]
    [InlineData(Criteria.AdvertisingConsent, RuleOperator.Equals, "false", false)]
    [InlineData(Criteria.ServiceConsent, RuleOperator.Equals, "false", true)]
    [InlineData(Criteria.ServiceConsent, RuleOperator.Equals, "true", false)]
    public void Choices_CompareTheClientsCodes(string criterion, RuleOperator op, string? value, bool expected)
    {
        var client = NewClient(set: c =>
        {
            c.Gender = Gender.Female;
            c.Language = "en";
            c.RegionCode = "MOW";
            c.TimeZone = "Asia/Yekaterinburg";
            c.LoyaltyTier = LoyaltyTier.Gold;
            c.Block(Now);
            c.SetConsent(ConsentPurpose.Advertising, true, Now, "crm", null);
        });
        Assert.Equal(expected, Matches(When(criterion, op, value), client));
    }

    [Fact]
    public void MobileOperator_ComparesTheOperatorOfThePhone()
    {
        var client = NewClient();
        Assert.True(Matches(When(Criteria.MobileOperator, RuleOperator.Equals, $"\"{client.Operator}\""), client));
        var other = MobileOperators.All.First(o => o != client.Operator);
        Assert.False(Matches(When(Criteria.MobileOperator, RuleOperator.Equals, $"\"{other}\""), client));
    }

    [Theory]
    [InlineData(RuleOperator.Equals, "100", 300, 3, true)]
    [InlineData(RuleOperator.Equals, "100", 300, 2, false)]
    [InlineData(RuleOperator.GreaterThan, "99", 300, 3, true)]
    [InlineData(RuleOperator.LessThan, "100", 300, 3, false)]
    [InlineData(RuleOperator.LessThan, "1", 0, 0, false)]
    [InlineData(RuleOperator.GreaterOrEqual, "0", 0, 0, false)]
    public void AveragePurchase_IsSpendOverCount_AndNoneWithoutPurchases(RuleOperator op, string value, int spend, int count, bool expected) =>
        Assert.Equal(expected, Matches(When(Criteria.AveragePurchase, op, value), NewClient(set: c => { c.TotalSpend = spend; c.PurchaseCount = count; })));

    private static readonly Message[] RecentMessages =
    [
        new(5, 1, "+79161234567", Now.AddDays(-30)) { Status = MessageStatus.Delivered },   // the window's first moment
        new(5, 1, "+79161234567", Now.AddHours(-1)) { Status = MessageStatus.Submitted },
        new(5, 1, "+79161234567", Now.AddDays(-30).AddSeconds(-1)) { Status = MessageStatus.Delivered },
        new(5, 1, "+79161234567", Now.AddHours(-2)) { Status = MessageStatus.Control },
        new(5, 1, "+79161234567", Now.AddHours(-3)) { Status = MessageStatus.Cancelled },
        new(5, 1, "+79161234567", Now.AddHours(-4)) { Status = MessageStatus.Control },   // three not sent, two sent
        new(5, 2, "+79161234568", Now.AddHours(-1)) { Status = MessageStatus.Delivered },
    ];

    [Theory]
    [InlineData(RuleOperator.GreaterOrEqual, "2", true)]
    [InlineData(RuleOperator.GreaterOrEqual, "3", false)]
    [InlineData(RuleOperator.GreaterOrEqual, "0", true)]
    [InlineData(RuleOperator.GreaterThan, "1", true)]
    [InlineData(RuleOperator.GreaterThan, "2", false)]
    [InlineData(RuleOperator.LessThan, "3", true)]
    [InlineData(RuleOperator.LessThan, "2", false)]
    [InlineData(RuleOperator.LessOrEqual, "2", true)]
    [InlineData(RuleOperator.LessOrEqual, "1", false)]
    [InlineData(RuleOperator.Equals, "2", true)]
    [InlineData(RuleOperator.Equals, "1", false)]
    [InlineData(RuleOperator.Equals, "3", false)]
    [InlineData(RuleOperator.NotEquals, "2", false)]
    [InlineData(RuleOperator.NotEquals, "1", true)]
    [InlineData(RuleOperator.NotEquals, "3", true)]
    [InlineData(RuleOperator.Between, "[2,3]", true)]
    [InlineData(RuleOperator.Between, "[1,2]", true)]
    [InlineData(RuleOperator.Between, "[3,4]", false)]
    [InlineData(RuleOperator.Between, "[0,1]", false)]
    public void MessagesReceived_CountsSentMessagesInTheWindow(RuleOperator op, string value, bool expected)
    {
        var condition = When(Criteria.MessagesReceived, op, value);
        condition.Days = 30;
        Assert.Equal(expected, Matches(condition, NewClient(), Context(Sources(messages: RecentMessages))));
    }

    [Theory]
    [InlineData(RuleOperator.GreaterOrEqual, "0", true)]
    [InlineData(RuleOperator.GreaterOrEqual, "1", false)]
    [InlineData(RuleOperator.LessThan, "0", false)]
    [InlineData(RuleOperator.LessThan, "1", true)]
    [InlineData(RuleOperator.LessOrEqual, "0", true)]
    [InlineData(RuleOperator.Equals, "0", true)]
    [InlineData(RuleOperator.NotEquals, "0", false)]
    [InlineData(RuleOperator.Between, "[0,0]", true)]
    public void MessagesReceived_WithoutMessages_IsZero(RuleOperator op, string value, bool expected)
    {
        var condition = When(Criteria.MessagesReceived, op, value);
        condition.Days = 30;
        Assert.Equal(expected, Matches(condition, NewClient(), Context(Sources(messages: RecentMessages.Where(m => m.ClientId == 2)))));
    }

    private static readonly ClientEvent[] Events =
    [
        new(1, ClientEventType.Purchase, Now.AddDays(-10), 500m),
        new(1, ClientEventType.Login, Now.AddDays(-1), 7m),
        new(2, ClientEventType.Visit, Now.AddDays(-1)),
        new(2, ClientEventType.Purchase, Now.AddDays(-1), 9000m),
        new(1, ClientEventType.Custom, Now.AddDays(-3), name: "quiz"),
    ];

    private static RuleCondition EventCondition(string type, RuleOperator op = RuleOperator.Has, int? days = null, decimal? amount = null)
    {
        var condition = When(Criteria.Event, op);
        condition.Key = type;
        condition.Days = days;
        condition.Amount = amount;
        return condition;
    }

    [Theory]
    [InlineData("Purchase", RuleOperator.Has, null, null, true)]
    [InlineData("Purchase", RuleOperator.HasNot, null, null, false)]
    [InlineData("Payment", RuleOperator.Has, null, null, false)]
    [InlineData("Payment", RuleOperator.HasNot, null, null, true)]
    [InlineData("Visit", RuleOperator.Has, null, null, false)]
    [InlineData("Custom", RuleOperator.Has, null, null, true)]
    [InlineData("Custom", RuleOperator.Has, 3, null, true)]
    [InlineData("Custom", RuleOperator.Has, 2, null, false)]
    [InlineData("Purchase", RuleOperator.Has, 10, null, true)]
    [InlineData("Purchase", RuleOperator.Has, 9, null, false)]
    [InlineData("Purchase", RuleOperator.Has, null, 499.99, true)]
    [InlineData("Purchase", RuleOperator.Has, null, 500.0, false)]
    [InlineData("Purchase", RuleOperator.Has, 10, 499.99, true)]
    [InlineData("Purchase", RuleOperator.Has, 9, 499.99, false)]
    [InlineData("Purchase", RuleOperator.Has, 10, 500.0, false)]
    [InlineData("Login", RuleOperator.Has, null, 6.99, true)]
    [InlineData("Login", RuleOperator.Has, null, 7.0, false)]
    [InlineData("Login", RuleOperator.Has, 1, 6.99, true)]
    public void Event_OverTheEvents_TestsTypeWindowAndAmount(string type, RuleOperator op, int? days, double? amount, bool expected)
    {
        var condition = EventCondition(type, op, days, (decimal?)amount);
        Assert.Equal(expected, Matches(condition, NewClient(), Context(Sources(events: Events), rollups: false)));
        if (type is "Login" or "Custom")
        {
            // Amounts of logins and custom events have no roll-up: the roll-up compiler probes the events too.
            Assert.Equal(expected, Matches(condition, NewClient(), Context(Sources(events: Events), rollups: true)));
        }
    }

    [Theory]
    [InlineData("Purchase", nameof(Client.LastPurchaseEventAt))]
    [InlineData("Payment", nameof(Client.LastPaymentEventAt))]
    [InlineData("Login", nameof(Client.LastLoginEventAt))]
    [InlineData("Visit", nameof(Client.LastVisitEventAt))]
    public void Event_WithRollups_ReadsTheLatestEventColumn(string type, string column)
    {
        var context = Context(Sources(events: []));
        Assert.True(Matches(EventCondition(type), NewClient(set: c => Set(c, column, Now.AddDays(-5))), context));
        Assert.False(Matches(EventCondition(type), NewClient(), context));
        Assert.True(Matches(EventCondition(type, RuleOperator.HasNot), NewClient(), context));
        Assert.True(Matches(EventCondition(type, days: 5), NewClient(set: c => Set(c, column, Now.AddDays(-5))), context));
        Assert.False(Matches(EventCondition(type, days: 5), NewClient(set: c => Set(c, column, Now.AddDays(-5).AddSeconds(-1))), context));
        Assert.False(Matches(EventCondition(type, days: 5), NewClient(), context));
    }

    [Theory]
    [InlineData("Purchase", "LastPurchaseEventAt", "LastPurchaseEventAmount", "MaxPurchaseEventAmount")]
    [InlineData("Payment", "LastPaymentEventAt", "LastPaymentEventAmount", "MaxPaymentEventAmount")]
    public void Event_WithRollups_AmountAboveReadsTheLargest(string type, string at, string last, string max)
    {
        Client With(DateTime? when, decimal? lastAmount, decimal? maxAmount) => NewClient(set: c =>
        {
            Set(c, at, when);
            Set(c, last, lastAmount);
            Set(c, max, maxAmount);
        });
        var empty = Context(Sources(events: []));
        Assert.True(Matches(EventCondition(type, amount: 100m), With(Now.AddDays(-50), 10m, 101m), empty));
        Assert.False(Matches(EventCondition(type, amount: 100m), With(Now.AddDays(-50), 10m, 100m), empty));
        Assert.False(Matches(EventCondition(type, amount: 100m), With(null, null, null), empty));
        // Both: the latest within the window and its own amount above: no probe needed.
        Assert.True(Matches(EventCondition(type, days: 5, amount: 100m), With(Now.AddDays(-5), 101m, 101m), empty));
        Assert.False(Matches(EventCondition(type, days: 5, amount: 100m), With(Now.AddDays(-6), 101m, 101m), empty));
        Assert.False(Matches(EventCondition(type, days: 5, amount: 100m), With(Now.AddDays(-5), 101m, 100m), empty));
        Assert.False(Matches(EventCondition(type, days: 5, amount: 100m), With(null, null, null), empty));
        // A small recent one and an older large one: the events decide.
        var eventType = Enum.Parse<ClientEventType>(type);
        var recentLarge = Context(Sources(events: [new(1, eventType, Now.AddDays(-4), 150m), new(1, eventType, Now.AddDays(-1), 10m)]));
        var oldLarge = Context(Sources(events: [new(1, eventType, Now.AddDays(-40), 150m), new(1, eventType, Now.AddDays(-1), 10m)]));
        Assert.True(Matches(EventCondition(type, days: 5, amount: 100m), With(Now.AddDays(-1), 10m, 150m), recentLarge));
        Assert.False(Matches(EventCondition(type, days: 5, amount: 100m), With(Now.AddDays(-1), 10m, 150m), oldLarge));
    }

    [Theory]
    [InlineData(RuleOperator.In, "[\"VIP\"]", true)]
    [InlineData(RuleOperator.In, "[\"gold\",\"vip\"]", true)]
    [InlineData(RuleOperator.In, "[\"b2b\"]", false)]
    [InlineData(RuleOperator.NotIn, "[\"Vip\"]", false)]
    [InlineData(RuleOperator.NotIn, "[\"b2b\"]", true)]
    public void Tags_MatchTheClientsOwnTags_IgnoringCase(RuleOperator op, string value, bool expected) =>
        Assert.Equal(expected, Matches(When(Criteria.Tag, op, value), NewClient(),
            Context(Sources(tags: [new ClientTag(1, "vip"), new ClientTag(2, "b2b")]))));

    private static AttributeDefinition Definition(int id, string key, AttributeType type)
    {
        var definition = new AttributeDefinition(key, type, key);
        Set(definition, nameof(AttributeDefinition.Id), id);
        return definition;
    }

    private static readonly SegmentContext AttributeContext = Context(Sources(attributes:
    [
        new ClientAttribute(1, 1, text: "Premium Plus"),
        new ClientAttribute(1, 2, number: 150m),
        new ClientAttribute(1, 3, date: new DateTime(2026, 11, 15, 0, 0, 0, DateTimeKind.Utc)),
        new ClientAttribute(1, 4, boolean: true),
        new ClientAttribute(1, 9, text: "Other"),
        new ClientAttribute(2, 1, text: "basic"),
    ])) with
    {
        Attributes = new Dictionary<string, AttributeDefinition>
        {
            ["plan"] = Definition(1, "plan", AttributeType.Text),
            ["limit"] = Definition(2, "limit", AttributeType.Number),
            ["since"] = Definition(3, "since", AttributeType.Date),
            ["vip"] = Definition(4, "vip", AttributeType.Boolean),
        },
    };

    [Theory]
    [InlineData("plan", RuleOperator.Equals, "\"Premium Plus\"", 1, true)]
    [InlineData("plan", RuleOperator.Equals, "\"basic\"", 1, false)]
    [InlineData("plan", RuleOperator.Equals, "\"Other\"", 1, false)]
    [InlineData("plan", RuleOperator.NotEquals, "\"basic\"", 1, true)]
    [InlineData("plan", RuleOperator.NotEquals, "\"Premium Plus\"", 1, false)]
    [InlineData("plan", RuleOperator.NotEquals, "\"Premium Plus\"", 3, true)]
    [InlineData("plan", RuleOperator.Contains, "\"premium\"", 1, true)]
    [InlineData("plan", RuleOperator.Contains, "\"bas\"", 1, false)]
    [InlineData("plan", RuleOperator.StartsWith, "\"plus\"", 1, false)]
    [InlineData("plan", RuleOperator.StartsWith, "\"prem\"", 1, true)]
    [InlineData("plan", RuleOperator.In, "[\"basic\",\"Premium Plus\"]", 1, true)]
    [InlineData("plan", RuleOperator.In, "[\"basic\"]", 1, false)]
    [InlineData("plan", RuleOperator.NotIn, "[\"basic\"]", 1, true)]
    [InlineData("plan", RuleOperator.NotIn, "[\"Premium Plus\"]", 1, false)]
    [InlineData("plan", RuleOperator.IsEmpty, null, 1, false)]
    [InlineData("plan", RuleOperator.IsEmpty, null, 3, true)]
    [InlineData("plan", RuleOperator.IsNotEmpty, null, 1, true)]
    [InlineData("plan", RuleOperator.IsNotEmpty, null, 3, false)]
    [InlineData("limit", RuleOperator.GreaterThan, "149", 1, true)]
    [InlineData("limit", RuleOperator.GreaterThan, "150", 1, false)]
    [InlineData("limit", RuleOperator.Between, "[100,150]", 1, true)]
    [InlineData("limit", RuleOperator.LessThan, "150", 1, false)]
    [InlineData("limit", RuleOperator.Equals, "150", 2, false)]
    [InlineData("since", RuleOperator.Before, "\"2026-11-16\"", 1, true)]
    [InlineData("since", RuleOperator.Before, "\"2026-11-15\"", 1, false)]
    [InlineData("since", RuleOperator.After, "\"2026-11-15\"", 1, false)]
    [InlineData("since", RuleOperator.After, "\"2026-11-14\"", 1, true)]
    [InlineData("since", RuleOperator.WithinLastDays, "20", 1, true)]
    [InlineData("since", RuleOperator.WithinLastDays, "19", 1, false)]
    [InlineData("vip", RuleOperator.Equals, "true", 1, true)]
    [InlineData("vip", RuleOperator.Equals, "false", 1, false)]
    [InlineData("vip", RuleOperator.IsEmpty, null, 2, true)]
    public void Attribute_TypedComparison_OnTheClientsOwnValue(string key, RuleOperator op, string? value, long clientId, bool expected)
    {
        var condition = When(Criteria.Attribute, op, value);
        condition.Key = key;
        Assert.Equal(expected, Matches(condition, NewClient(clientId), AttributeContext));
    }

    [Theory]
    [InlineData(MessageStatus.Queued, false, false, false)]
    [InlineData(MessageStatus.Deferred, false, false, false)]
    [InlineData(MessageStatus.Control, false, false, false)]
    [InlineData(MessageStatus.Submitted, true, false, false)]
    [InlineData(MessageStatus.Delivered, true, true, false)]
    [InlineData(MessageStatus.Undeliverable, true, false, true)]
    [InlineData(MessageStatus.Expired, true, false, true)]
    [InlineData(MessageStatus.Rejected, false, false, true)]
    [InlineData(MessageStatus.Uncertain, true, false, false)]
    [InlineData(MessageStatus.Unknown, true, false, false)]
    [InlineData(MessageStatus.Cancelled, false, false, false)]
    [InlineData(MessageStatus.Submitting, false, false, false)]
    public void CampaignCriteria_CountTheMessageByItsStatus(MessageStatus status, bool received, bool delivered, bool notDelivered)
    {
        var context = Context(Sources(messages:
        [
            new Message(5, 1, "+79161234567", Now) { Status = status },
            new Message(6, 1, "+79161234567", Now) { Status = MessageStatus.Delivered },
            new Message(5, 2, "+79161234568", Now) { Status = MessageStatus.Delivered },
        ]));
        foreach (var (criterion, expected) in new[] { (Criteria.ReceivedCampaign, received), (Criteria.DeliveredInCampaign, delivered), (Criteria.NotDeliveredInCampaign, notDelivered) })
        {
            var has = When(criterion, RuleOperator.Has);
            has.CampaignId = 5;
            Assert.Equal(expected, Matches(has, NewClient(), context));
            var hasNot = When(criterion, RuleOperator.HasNot);
            hasNot.CampaignId = 5;
            Assert.Equal(!expected, Matches(hasNot, NewClient(), context));
            has.CampaignId = 7;
            Assert.False(Matches(has, NewClient(), context));
        }
    }

    [Theory]
    [InlineData(5, RuleOperator.Has, true)]
    [InlineData(5, RuleOperator.HasNot, false)]
    [InlineData(6, RuleOperator.Has, false)]
    [InlineData(7, RuleOperator.Has, false)]
    [InlineData(7, RuleOperator.HasNot, true)]
    public void RepliedToCampaign_LooksForTheClientsReplies(int campaignId, RuleOperator op, bool expected)
    {
        var context = Context(Sources(replies:
        [
            new InboundMessage("+79161234567", "4242", "Да", Now, InboundKind.Reply) { ClientId = 1, CampaignId = 5 },
            new InboundMessage("+79161234568", "4242", "Да", Now, InboundKind.Reply) { ClientId = 2, CampaignId = 7 },
        ]));
        var condition = When(Criteria.RepliedToCampaign, op);
        condition.CampaignId = campaignId;
        Assert.Equal(expected, Matches(condition, NewClient(), context));
    }

    private static readonly SegmentContext ListContext = Context(Sources(members: [new StaticListMember(1, 1), new StaticListMember(2, 2)]));

    [Theory]
    [InlineData(RuleOperator.In, "[1]", true)]
    [InlineData(RuleOperator.In, "[2,1]", true)]
    [InlineData(RuleOperator.In, "[2]", false)]
    [InlineData(RuleOperator.NotIn, "[1]", false)]
    [InlineData(RuleOperator.NotIn, "[2]", true)]
    [InlineData(RuleOperator.In, "2", false)]
    public void StaticList_IsMembershipOfTheClient(RuleOperator op, string value, bool expected)
    {
        Assert.Equal(expected, Matches(When(Criteria.StaticList, op, value), NewClient(), ListContext));
    }

    [Fact]
    public void ListMembership_AndExcludedLists_UseTheMembers()
    {
        var compiler = new SegmentCompiler(ListContext);
        Assert.True(compiler.CompileListMembership([1]).Compile()(NewClient()));
        Assert.False(compiler.CompileListMembership([2]).Compile()(NewClient()));
        Assert.False(Matches(new SegmentRule { ExcludeLists = [1] }, NewClient(), ListContext));
        Assert.True(Matches(new SegmentRule { ExcludeLists = [2] }, NewClient(), ListContext));
    }

    private static Segment Saved(string name, string json) => new(name, null, json, "me", Now);

    private static string Rule(string condition) => "{\"version\":1,\"root\":{\"children\":[" + condition + "]}}";

    private static string InSegments(params int[] ids) =>
        Rule("{\"type\":\"condition\",\"criterion\":\"segment\",\"operator\":\"in\",\"value\":[" + string.Join(",", ids) + "]}");

    private static readonly SegmentContext SegmentsContext = Context() with
    {
        Segments = new Dictionary<int, Segment>
        {
            [10] = Saved("Rich", Rule("{\"type\":\"condition\",\"criterion\":\"balance\",\"operator\":\"greaterOrEqual\",\"value\":100}")),
            [11] = Saved("Nested", InSegments(10)),
            [12] = Saved("A", InSegments(13)),
            [13] = Saved("B", InSegments(12)),
            [14] = Saved("Broken", "{}"),
            [15] = Saved("Poor", Rule("{\"type\":\"condition\",\"criterion\":\"balance\",\"operator\":\"lessThan\",\"value\":0}")),
            [16] = Saved("Entry", InSegments(12)),
        },
    };

    [Theory]
    [InlineData(RuleOperator.In, "[10]", 150, true)]
    [InlineData(RuleOperator.In, "[10]", 50, false)]
    [InlineData(RuleOperator.NotIn, "[10]", 50, true)]
    [InlineData(RuleOperator.NotIn, "[10]", 150, false)]
    [InlineData(RuleOperator.In, "[11]", 150, true)]
    [InlineData(RuleOperator.In, "[11]", 50, false)]
    [InlineData(RuleOperator.In, "[15,10]", 150, true)]
    [InlineData(RuleOperator.In, "[15,10]", -1, true)]
    [InlineData(RuleOperator.In, "[15,10]", 50, false)]
    public void Segment_IsMembershipOfTheSavedRule(RuleOperator op, string value, int balance, bool expected) =>
        Assert.Equal(expected, Matches(When(Criteria.Segment, op, value), NewClient(set: c => c.Balance = balance), SegmentsContext));

    [Fact]
    public void Segment_TheSameSegmentTwice_IsNoCycle()
    {
        var rule = SegmentRuleJson.Parse(Rule(
            "{\"type\":\"condition\",\"criterion\":\"segment\",\"operator\":\"in\",\"value\":[10]}," +
            "{\"type\":\"condition\",\"criterion\":\"segment\",\"operator\":\"in\",\"value\":[11]}"));
        Assert.True(Matches(rule, NewClient(set: c => c.Balance = 100), SegmentsContext));
        Assert.False(Matches(rule, NewClient(set: c => c.Balance = 99), SegmentsContext));
    }

    [Fact]
    public void Segment_ACircle_IsRefused_NamingItsSegmentsInOrder()
    {
        var e = Assert.Throws<SegmentRuleException>(() => new SegmentCompiler(SegmentsContext).Compile(SegmentRuleJson.Parse(InSegments(16))));
        Assert.Equal("Segments refer to each other in a circle: 'A' → 'B' → 'A'. Remove one of these references.", Assert.Single(e.Errors).Message);
    }

    [Fact]
    public void Segment_ReferringToItself_IsACircle_InEveryEntryPoint()
    {
        var compiler = new SegmentCompiler(SegmentsContext);
        const string circle = "Segments refer to each other in a circle: 'Rich' → 'Rich'. Remove one of these references.";
        Assert.Equal(circle, Assert.Throws<SegmentRuleException>(() => compiler.Compile(SegmentRuleJson.Parse(InSegments(10)), segmentId: 10)).Message);
        Assert.Equal(circle, Assert.Throws<SegmentRuleException>(() => compiler.CompileCondition(When(Criteria.Segment, RuleOperator.In, "[10]"), segmentId: 10)).Message);
        Assert.Equal(circle, Assert.Throws<SegmentRuleException>(() => compiler.CompileSegmentMembership(10, selfId: 10)).Message);
        Assert.True(compiler.Compile(SegmentRuleJson.Parse(InSegments(10)), segmentId: 11).Compile()(NewClient(set: c => c.Balance = 100)));
        Assert.True(compiler.CompileSegmentMembership(10).Compile()(NewClient(set: c => c.Balance = 100)));
        Assert.False(compiler.CompileSegmentMembership(10, selfId: 11).Compile()(NewClient(set: c => c.Balance = 99)));
    }

    [Fact]
    public void Segment_WithABrokenSavedRule_SaysWhichSegment()
    {
        var e = Assert.Throws<SegmentRuleException>(() => new SegmentCompiler(SegmentsContext).CompileSegmentMembership(14));
        var error = Assert.Single(e.Errors);
        Assert.Equal("version", error.Path);
        Assert.Equal("in saved segment 'Broken': The rule has no \"version\": it must say which rule format it uses (1).", error.Message);
    }

    [Fact]
    public void CompileCondition_ValidatesTheConditionFirst()
    {
        var condition = When(Criteria.ReceivedCampaign, RuleOperator.Has);
        condition.CampaignId = 9;
        var compiler = new SegmentCompiler(Context() with { Campaigns = new HashSet<int> { 5 } });
        var error = Assert.Single(Assert.Throws<SegmentRuleException>(() => compiler.CompileCondition(condition)).Errors);
        Assert.Equal(new RuleError("root.children[0]", "Campaign 9 does not exist."), error);
        condition.CampaignId = 5;
        Assert.False(compiler.CompileCondition(condition).Compile()(NewClient()));
    }

    [Fact]
    public void Segment_Missing_IsRefused()
    {
        var e = Assert.Throws<SegmentRuleException>(() => new SegmentCompiler(SegmentsContext).CompileSegmentMembership(99));
        Assert.Equal("Saved segment 99 does not exist (deleted?).", e.Message);
    }

    [Fact]
    public void ExcludedSegments_LeaveTheirMembersOut()
    {
        var rule = new SegmentRule { ExcludeSegments = [10] };
        Assert.False(Matches(rule, NewClient(set: c => c.Balance = 100), SegmentsContext));
        Assert.True(Matches(rule, NewClient(set: c => c.Balance = 99), SegmentsContext));
    }

    private static RuleCondition Balance(RuleOperator op, int value) => When(Criteria.Balance, op, value.ToString(System.Globalization.CultureInfo.InvariantCulture));

    [Theory]
    [InlineData(GroupLogic.And, false, 150, false)]
    [InlineData(GroupLogic.And, false, 250, true)]
    [InlineData(GroupLogic.And, true, 150, true)]
    [InlineData(GroupLogic.And, true, 250, false)]
    [InlineData(GroupLogic.Or, false, 150, true)]
    [InlineData(GroupLogic.Or, false, 50, false)]
    [InlineData(GroupLogic.Or, true, 150, false)]
    [InlineData(GroupLogic.Or, true, 50, true)]
    public void Group_CombinesItsChildren_AndMayBeNegated(GroupLogic logic, bool not, int balance, bool expected)
    {
        // balance ≥ 100 and/or (nested) balance > 200.
        var rule = new SegmentRule
        {
            Root = new RuleGroup
            {
                Logic = logic, Not = not,
                Children = [Balance(RuleOperator.GreaterOrEqual, 100), new RuleGroup { Children = [Balance(RuleOperator.GreaterThan, 200)] }],
            },
        };
        Assert.Equal(expected, Matches(rule, NewClient(set: c => c.Balance = balance)));
    }

    [Theory]
    [InlineData("2026-06-10", 5, "1980-06-09", false)]
    [InlineData("2026-06-10", 5, "1980-06-10", true)]
    [InlineData("2026-06-10", 5, "1980-06-15", true)]
    [InlineData("2026-06-10", 5, "1980-06-16", false)]
    [InlineData("2026-06-10", 5, "1980-07-12", false)]
    [InlineData("2026-06-10", 5, "1980-05-12", false)]
    [InlineData("2026-12-28", 7, "1980-12-27", false)]
    [InlineData("2026-12-28", 0, "1980-06-30", false)]
    [InlineData("2026-12-28", 0, "1980-12-29", false)]
    [InlineData("2026-12-28", 7, "1980-12-28", true)]
    [InlineData("2026-12-28", 7, "1980-12-31", true)]
    [InlineData("2026-12-28", 7, "1980-01-04", true)]
    [InlineData("2026-12-28", 7, "1980-01-05", false)]
    [InlineData("2026-12-28", 7, "1980-06-30", false)]
    [InlineData("2026-12-28", 7, "1980-11-30", false)]
    [InlineData("2026-06-01", 365, "1970-03-03", true)]
    [InlineData("2026-06-01", 364, "1970-05-31", true)]
    [InlineData("2027-03-01", 364, "1996-02-29", false)]
    [InlineData("2027-03-01", 365, "1996-02-29", true)]
    [InlineData("2026-06-01", 400, null, false)]
    [InlineData("2026-06-01", 5, null, false)]
    [InlineData("2026-12-28", 7, null, false)]
    public void Birthday_WithinNextDays_IsAMonthDayRange(string today, int days, string? birth, bool expected)
    {
        var context = new SegmentContext(DateOnly.Parse(today, System.Globalization.CultureInfo.InvariantCulture).ToDateTime(new TimeOnly(9, 0), DateTimeKind.Utc), SegmentSources.Empty);
        var client = NewClient(set: c => c.BirthDate = birth is null ? null : DateOnly.Parse(birth, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(expected, Matches(When(Criteria.Birthday, RuleOperator.WithinNextDays, days.ToString(System.Globalization.CultureInfo.InvariantCulture)), client, context));
    }

    [Fact]
    public void Group_EmptyRoot_IsEveryone_AndNegatedNoOne()
    {
        Assert.True(Matches(SegmentRule.Everyone(), NewClient()));
        Assert.False(Matches(new SegmentRule { Root = new RuleGroup { Not = true } }, NewClient()));
    }
}
