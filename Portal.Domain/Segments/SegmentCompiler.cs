using System.Linq.Expressions;
using System.Reflection;
using Portal.Domain.Clients;
using Portal.Domain.Messages;

namespace Portal.Domain.Segments;

/// <summary>
/// Turns a rule tree into ONE <c>Expression&lt;Func&lt;Client, bool&gt;&gt;</c> that EF Core
/// translates to a single SQL statement on SQLite and PostgreSQL: only members both providers
/// translate (comparisons, <c>Contains</c> on lists, <c>StartsWith</c>, <c>DateOnly.Month/Day</c>,
/// <c>Any</c>/<c>Count</c> over the <see cref="SegmentSources"/> sets). Relative dates are computed
/// here from <see cref="SegmentContext.Now"/> and every value is a query parameter, never SQL text.
/// </summary>
public sealed class SegmentCompiler(SegmentContext context)
{
    private static readonly ParameterExpression C = Expression.Parameter(typeof(Client), "c");

    private static readonly MessageStatus[] SentStatuses =
    [
        MessageStatus.Submitted, MessageStatus.Delivered, MessageStatus.Undeliverable, MessageStatus.Expired,
        MessageStatus.Uncertain, MessageStatus.Unknown,
    ];
    private static readonly MessageStatus[] FailedStatuses = [MessageStatus.Undeliverable, MessageStatus.Expired, MessageStatus.Rejected];
    private static readonly MessageStatus[] NotSentStatuses = [MessageStatus.Control, MessageStatus.Cancelled];

    /// <summary>Opted-out clients are never in a sendable audience (erased clients are opted out too).</summary>
    public static Expression<Func<Client, bool>> Sendable { get; } = c => c.OptedOutAt == null;

    /// <param name="rule">The rule; it is validated first.</param>
    /// <param name="sendable">Add the opt-out guard (true for anything that may be sent to).</param>
    /// <param name="segmentId">The saved segment this rule belongs to, so a reference to itself is a cycle.</param>
    /// <exception cref="SegmentRuleException">The rule is invalid or its segment references form a cycle.</exception>
    public Expression<Func<Client, bool>> Compile(SegmentRule rule, bool sendable = true, int? segmentId = null)
    {
        var path = new List<int>();
        if (segmentId is { } self)
        {
            path.Add(self);
        }
        var body = Rule(rule, path);
        if (sendable)
        {
            body = Expression.AndAlso(body, Bind(Sendable));
        }
        return Expression.Lambda<Func<Client, bool>>(body, C);
    }

    /// <summary>One condition alone, for "why is this client in or out".</summary>
    public Expression<Func<Client, bool>> CompileCondition(RuleCondition condition, int? segmentId = null)
    {
        var rule = new SegmentRule { Root = new RuleGroup { Children = [condition] } };
        SegmentRuleValidator.EnsureValid(rule, context);
        return Expression.Lambda<Func<Client, bool>>(Condition(condition, segmentId is { } id ? [id] : []), C);
    }

    /// <summary>An exclusion of the rule alone (a segment or a list), for the explanation.</summary>
    public Expression<Func<Client, bool>> CompileSegmentMembership(int segmentId, int? selfId = null) =>
        Expression.Lambda<Func<Client, bool>>(SegmentMembership([segmentId], selfId is { } id ? [id] : []), C);

    public Expression<Func<Client, bool>> CompileListMembership(IReadOnlyList<int> listIds) =>
        Expression.Lambda<Func<Client, bool>>(ListMembership(listIds), C);

    private Expression Rule(SegmentRule rule, List<int> path)
    {
        SegmentRuleValidator.EnsureValid(rule, context);
        Expression body = Group(rule.Root, path);
        if (rule.ExcludeSegments.Count > 0)
        {
            body = Expression.AndAlso(body, Expression.Not(SegmentMembership(rule.ExcludeSegments, path)));
        }
        if (rule.ExcludeLists.Count > 0)
        {
            body = Expression.AndAlso(body, Expression.Not(ListMembership(rule.ExcludeLists)));
        }
        return body;
    }

    private Expression Group(RuleGroup group, List<int> path)
    {
        Expression? body = null;
        foreach (var child in group.Children)
        {
            var next = child switch
            {
                RuleGroup g => Group(g, path),
                RuleCondition c => Condition(c, path),
                _ => throw new SegmentRuleException("", "Each item of a group is a condition or a group."),
            };
            body = body is null ? next : group.Logic == GroupLogic.Or ? Expression.OrElse(body, next) : Expression.AndAlso(body, next);
        }
        body ??= Expression.Constant(true);
        return group.Not ? Expression.Not(body) : body;
    }

    private Expression Condition(RuleCondition c, List<int> path)
    {
        var (criterion, kind, _) = ConditionValues.Shape(c, context)
            ?? throw new SegmentRuleException("", $"Unknown criterion '{c.Criterion}'.");
        if (!ConditionValues.TryRead(c, criterion, kind, out var values, out var error))
        {
            throw new SegmentRuleException("", error!);
        }
        var op = c.Operator;
        var today = DateOnly.FromDateTime(context.Now);
        var s = context.Sources;
        return criterion.Id switch
        {
            Criteria.Age => Elapsed(Bind<DateOnly?>(x => x.BirthDate), op, values, n => (DateOnly?)today.AddYears(-n)),
            Criteria.Gender => Compare(Bind(x => x.Gender), op, values),
            Criteria.Birthday => Birthday(today, (long)values[0]),
            Criteria.Language => Compare(Bind(x => x.Language), op, values),
            Criteria.Region => Compare(Bind(x => x.RegionCode), op, values),
            Criteria.City => Compare(Bind(x => x.City), op, values),
            Criteria.TimeZone => Compare(Bind(x => x.TimeZone), op, values),
            Criteria.MobileOperator => Compare(Bind(x => x.Operator), op, values),
            Criteria.PhonePrefix => Compare(Bind(x => x.Phone), op, [PhonePrefix((string)values[0])]),
            Criteria.Status => Compare(Bind(x => x.Status), op, values),
            Criteria.RegisteredAt => Compare(Bind(x => x.RegisteredAt), op, values),
            Criteria.TenureMonths => Elapsed(Bind(x => x.RegisteredAt), op, values, n => context.Now.AddMonths(-n)),
            Criteria.LoyaltyTier => Compare(Bind(x => x.LoyaltyTier), op, values),
            Criteria.Tariff => Compare(Bind(x => x.Tariff), op, values),
            Criteria.Balance => Compare(Bind(x => x.Balance), op, values),
            Criteria.ExternalId => Compare(Bind(x => x.ExternalId), op, values),
            Criteria.TotalSpend => Compare(Bind(x => x.TotalSpend), op, values),
            Criteria.PurchaseCount => Compare(Bind(x => x.PurchaseCount), op, values),
            // Average = TotalSpend / PurchaseCount; clients without purchases have no average.
            Criteria.AveragePurchase => Expression.AndAlso(Bind(x => x.PurchaseCount > 0),
                Compare(Bind(x => x.TotalSpend / x.PurchaseCount), op, values)),
            Criteria.LastPurchaseAt => Compare(Bind(x => x.LastPurchaseAt), op, values),
            Criteria.LastActivityAt => Compare(Bind(x => x.LastActivityAt), op, values),
            Criteria.MessagesReceived => MessagesReceived(s.Messages, context.Now.AddDays(-c.Days!.Value), op, values),
            Criteria.Event => HasOrNot(op, context.EventRollups ? EventFromRollups(s.Events, c) : Event(s.Events, c)),
            Criteria.Tag => Tags(s.Tags, op, values),
            Criteria.Attribute => Attribute(s.Attributes, context.Attributes[c.Key!], op, values),
            Criteria.AdvertisingConsent => Compare(Bind(x => x.AdvertisingConsent.Granted), op, values),
            Criteria.ServiceConsent => Compare(Bind(x => x.ServiceConsent.Granted), op, values),
            Criteria.ReceivedCampaign => HasOrNot(op, CampaignMessages(s.Messages, c.CampaignId!.Value, SentStatuses)),
            Criteria.DeliveredInCampaign => HasOrNot(op, CampaignMessages(s.Messages, c.CampaignId!.Value, [MessageStatus.Delivered])),
            Criteria.NotDeliveredInCampaign => HasOrNot(op, CampaignMessages(s.Messages, c.CampaignId!.Value, FailedStatuses)),
            Criteria.RepliedToCampaign => HasOrNot(op, Replied(s.Replies, c.CampaignId!.Value)),
            Criteria.StaticList => Member(op, ListMembership(values.Cast<int>().ToList())),
            Criteria.Segment => Member(op, SegmentMembership(values.Cast<int>().ToList(), path)),
            _ => throw new SegmentRuleException("", $"Criterion '{criterion.Id}' has no compiler."),
        };
    }

    private static Expression HasOrNot(RuleOperator op, Expression has) => op == RuleOperator.HasNot ? Expression.Not(has) : has;

    private static Expression Member(RuleOperator op, Expression member) => op == RuleOperator.NotIn ? Expression.Not(member) : member;

    private Expression SegmentMembership(IReadOnlyList<int> ids, List<int> path)
    {
        Expression? body = null;
        foreach (var id in ids)
        {
            var segment = context.Segments.TryGetValue(id, out var found)
                ? found
                : throw new SegmentRuleException("", $"Saved segment {id} does not exist (deleted?).");
            if (path.Contains(id))
            {
                var names = path.SkipWhile(p => p != id).Append(id).Select(p => context.Segments.TryGetValue(p, out var x) ? $"'{x.Name}'" : p.ToString());
                throw new SegmentRuleException("", $"Segments refer to each other in a circle: {string.Join(" → ", names)}. Remove one of these references.");
            }
            SegmentRule rule;
            try
            {
                rule = SegmentRuleJson.Parse(segment.RulesJson);
            }
            catch (SegmentRuleException e)
            {
                throw new SegmentRuleException(e.Errors.Select(x => x with { Message = $"in saved segment '{segment.Name}': {x.Message}" }).ToList());
            }
            path.Add(id);
            var next = Rule(rule, path);
            path.RemoveAt(path.Count - 1);
            body = body is null ? next : Expression.OrElse(body, next);
        }
        return body ?? Expression.Constant(false);
    }

    private Expression ListMembership(IReadOnlyList<int> listIds)
    {
        var members = context.Sources.ListMembers;
        var ids = listIds.ToList();
        return Bind<bool>(c => members.Any(m => m.ClientId == c.Id && ids.Contains(m.ListId)));
    }

    private Expression Event(IQueryable<ClientEvent> events, RuleCondition condition)
    {
        ConditionValues.TryEventType(condition.Key, out var type);
        DateTime? since = condition.Days is { } d ? context.Now.AddDays(-d) : null;
        return (since, condition.Amount) switch
        {
            (null, null) => Bind<bool>(c => events.Any(e => e.ClientId == c.Id && e.Type == type)),
            ({ } from, null) => Bind<bool>(c => events.Any(e => e.ClientId == c.Id && e.Type == type && e.OccurredAt >= from)),
            (null, { } min) => Bind<bool>(c => events.Any(e => e.ClientId == c.Id && e.Type == type && e.Amount > min)),
            ({ } from, { } min) => Bind<bool>(c => events.Any(e => e.ClientId == c.Id && e.Type == type && e.OccurredAt >= from && e.Amount > min)),
        };
    }

    /// <summary>
    /// An event criterion over the roll-up columns where they answer it exactly; <c>EXISTS</c> otherwise.
    /// "Has" = the latest event exists; "in the last N days" = the latest is within them; "amount
    /// above Y" = the largest amount is above Y. Both at once: the latest within N days and the
    /// largest above Y are necessary; the latest's own amount above Y is sufficient; only clients
    /// between the two (an older large purchase, a small recent one) are probed with <c>EXISTS</c>.
    /// Custom events and amounts of logins and visits have no roll-up and always probe.
    /// </summary>
    private Expression EventFromRollups(IQueryable<ClientEvent> events, RuleCondition condition)
    {
        ConditionValues.TryEventType(condition.Key, out var type);
        var rollup = RollupColumns.GetValueOrDefault(type);
        DateTime? since = condition.Days is { } d ? context.Now.AddDays(-d) : null;
        if (rollup is null || (condition.Amount is not null && rollup.MaxAmount is null))
        {
            return Event(events, condition);
        }
        var at = Bind(rollup.Last);
        Expression recent = since is { } from
            ? Expression.AndAlso(Expression.NotEqual(at, Expression.Constant(null, typeof(DateTime?))),
                Expression.GreaterThanOrEqual(at, Parameter<DateTime?>(from)))
            : Expression.NotEqual(at, Expression.Constant(null, typeof(DateTime?)));
        if (condition.Amount is not { } min)
        {
            return recent;
        }
        Expression Above(Expression<Func<Client, decimal?>> amount)
        {
            var value = Bind(amount);
            return Expression.AndAlso(Expression.NotEqual(value, Expression.Constant(null, typeof(decimal?))),
                Expression.GreaterThan(value, Parameter<decimal?>(min)));
        }
        if (since is null)
        {
            return Above(rollup.MaxAmount!);
        }
        return Expression.AndAlso(Expression.AndAlso(recent, Above(rollup.MaxAmount!)),
            Expression.OrElse(Above(rollup.LastAmount!), Event(events, condition)));
    }

    /// <summary>The roll-up columns of an event type: the latest event's time, its amount, the largest amount.</summary>
    private sealed record Rollup(Expression<Func<Client, DateTime?>> Last,
        Expression<Func<Client, decimal?>>? LastAmount = null, Expression<Func<Client, decimal?>>? MaxAmount = null);

    private static readonly Dictionary<ClientEventType, Rollup> RollupColumns = new()
    {
        [ClientEventType.Purchase] = new(x => x.LastPurchaseEventAt, x => x.LastPurchaseEventAmount, x => x.MaxPurchaseEventAmount),
        [ClientEventType.Payment] = new(x => x.LastPaymentEventAt, x => x.LastPaymentEventAmount, x => x.MaxPaymentEventAmount),
        [ClientEventType.Login] = new(x => x.LastLoginEventAt),
        [ClientEventType.Visit] = new(x => x.LastVisitEventAt),
    };

    /// <summary>
    /// "Messages received in the last N days" compared with k, as "at least j messages" tests:
    /// each is an <c>EXISTS</c> that skips j-1 of the client's recent messages and stops at the
    /// j-th (index on ClientId, CreatedAt), instead of counting all of them for every client.
    /// </summary>
    private Expression MessagesReceived(IQueryable<Message> messages, DateTime since, RuleOperator op, object[] values)
    {
        var excluded = NotSentStatuses.ToList();
        Expression AtLeast(long j)
        {
            if (j <= 0)
            {
                return Expression.Constant(true);
            }
            var skip = (int)Math.Min(j - 1, int.MaxValue);
            return Bind<bool>(c => messages.Where(m => m.ClientId == c.Id && m.CreatedAt >= since && !excluded.Contains(m.Status))
                .OrderBy(m => m.CreatedAt).Skip(skip).Any());
        }
        Expression Below(long j) => j <= 0 ? Expression.Constant(false) : Expression.Not(AtLeast(j));
        var k = values.Length > 0 ? Convert.ToInt64(values[0], System.Globalization.CultureInfo.InvariantCulture) : 0;
        return op switch
        {
            RuleOperator.GreaterOrEqual => AtLeast(k),
            RuleOperator.GreaterThan => AtLeast(k + 1),
            RuleOperator.LessThan => Below(k),
            RuleOperator.LessOrEqual => Below(k + 1),
            RuleOperator.Equals => Expression.AndAlso(AtLeast(k), Below(k + 1)),
            RuleOperator.NotEquals => Expression.OrElse(Below(k), AtLeast(k + 1)),
            RuleOperator.Between => Expression.AndAlso(AtLeast(k), Below(Convert.ToInt64(values[1], System.Globalization.CultureInfo.InvariantCulture) + 1)),
            _ => throw Unsupported(op),
        };
    }

    private static Expression CampaignMessages(IQueryable<Message> messages, int campaignId, MessageStatus[] statuses)
    {
        var list = statuses.ToList();
        return Bind<bool>(c => messages.Any(m => m.ClientId == c.Id && m.CampaignId == campaignId && list.Contains(m.Status)));
    }

    private static Expression Replied(IQueryable<InboundMessage> replies, int campaignId) =>
        Bind<bool>(c => replies.Any(r => r.ClientId == c.Id && r.CampaignId == campaignId));

    private static Expression Tags(IQueryable<ClientTag> tags, RuleOperator op, object[] values)
    {
        var wanted = values.Cast<string>().Select(t => t.Trim().ToLowerInvariant()).Distinct().ToList();
        return Member(op, Bind<bool>(c => tags.Any(t => t.ClientId == c.Id && wanted.Contains(t.Tag))));
    }

    /// <summary>
    /// A typed custom attribute: positive operators ask "has a value that matches"; not equals,
    /// not in and is empty ask "has no value that matches", so clients without the attribute count
    /// as they would for a column (null is not equal to anything).
    /// </summary>
    private Expression Attribute(IQueryable<ClientAttribute> attributes, AttributeDefinition definition, RuleOperator op, object[] values)
    {
        var a = Expression.Parameter(typeof(ClientAttribute), "a");
        Expression column = definition.Type switch
        {
            AttributeType.Text => Expression.Property(a, nameof(ClientAttribute.Text)),
            AttributeType.Number => Expression.Property(a, nameof(ClientAttribute.Number)),
            AttributeType.Date => Expression.Property(a, nameof(ClientAttribute.Date)),
            AttributeType.Boolean => Expression.Property(a, nameof(ClientAttribute.Boolean)),
            _ => throw new SegmentRuleException("", $"Attribute type {definition.Type} has no compiler."),
        };
        var (positive, negate) = op switch
        {
            RuleOperator.NotEquals => (RuleOperator.Equals, true),
            RuleOperator.NotIn => (RuleOperator.In, true),
            RuleOperator.IsEmpty => (RuleOperator.IsNotEmpty, true),
            _ => (op, false),
        };
        var match = Compare(column, positive, values);
        var definitionId = definition.Id;
        var sameClient = Expression.AndAlso(
            Expression.Equal(Expression.Property(a, nameof(ClientAttribute.ClientId)), Expression.Property(C, nameof(Client.Id))),
            Expression.Equal(Expression.Property(a, nameof(ClientAttribute.DefinitionId)), Parameter(definitionId)));
        var predicate = Expression.Lambda<Func<ClientAttribute, bool>>(Expression.AndAlso(sameClient, match), a);
        Expression any = Expression.Call(typeof(Queryable), nameof(Queryable.Any), [typeof(ClientAttribute)], Parameter(attributes), Expression.Quote(predicate));
        return negate ? Expression.Not(any) : any;
    }

    /// <summary>
    /// Month*100+day of the birth date within [today, today+N], wrapping at the year end
    /// (Dec 28 + 7 days = 1228..1231 or 101..104). A Feb 29 birthday falls between 228 and 301.
    /// </summary>
    private static Expression Birthday(DateOnly today, long days)
    {
        if (days >= 365)
        {
            return Bind<bool>(c => c.BirthDate != null);
        }
        var end = today.AddDays((int)days);
        var from = today.Month * 100 + today.Day;
        var to = end.Month * 100 + end.Day;
        return from <= to
            ? Bind<bool>(c => c.BirthDate != null && c.BirthDate.Value.Month * 100 + c.BirthDate.Value.Day >= from &&
                              c.BirthDate.Value.Month * 100 + c.BirthDate.Value.Day <= to)
            : Bind<bool>(c => c.BirthDate != null && (c.BirthDate.Value.Month * 100 + c.BirthDate.Value.Day >= from ||
                                                       c.BirthDate.Value.Month * 100 + c.BirthDate.Value.Day <= to));
    }

    private static string PhonePrefix(string typed)
    {
        var digits = new string(typed.Where(char.IsAsciiDigit).ToArray());
        if (digits.StartsWith('8') && digits.Length > 1)
        {
            digits = "7" + digits[1..];
        }
        else if (digits.StartsWith('9'))
        {
            digits = "7" + digits;
        }
        return "+" + digits;
    }

    /// <summary>
    /// Age and tenure: "elapsed ≥ n" is "the date is on or before boundary(n)", so every
    /// comparison becomes a range on the stored date and can use its index.
    /// </summary>
    private static Expression Elapsed<T>(Expression member, RuleOperator op, object[] values, Func<int, T> boundary)
    {
        Expression AtLeast(long n) => Expression.LessThanOrEqual(member, Parameter(boundary((int)n), member.Type));
        Expression Below(long n) => Expression.GreaterThan(member, Parameter(boundary((int)n), member.Type));
        var n = values.Length > 0 ? (long)values[0] : 0;
        return op switch
        {
            RuleOperator.GreaterOrEqual => AtLeast(n),
            RuleOperator.GreaterThan => AtLeast(n + 1),
            RuleOperator.LessThan => Below(n),
            RuleOperator.LessOrEqual => Below(n + 1),
            RuleOperator.Equals => Expression.AndAlso(AtLeast(n), Below(n + 1)),
            RuleOperator.NotEquals => Expression.OrElse(Below(n), AtLeast(n + 1)),
            RuleOperator.Between => Expression.AndAlso(AtLeast(n), Below((long)values[1] + 1)),
            RuleOperator.IsEmpty => Expression.Equal(member, Expression.Constant(null, member.Type)),
            RuleOperator.IsNotEmpty => Expression.NotEqual(member, Expression.Constant(null, member.Type)),
            _ => throw Unsupported(op),
        };
    }

    /// <summary>A column (or computed value) against typed values, for every operator of every value kind.</summary>
    private Expression Compare(Expression member, RuleOperator op, object[] values)
    {
        var type = member.Type;
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        var isDate = underlying == typeof(DateTime);

        Expression Value(int i)
        {
            var raw = values[i];
            object typed = raw switch
            {
                DateOnly d when isDate => d.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc),
                string s when underlying.IsEnum => Enum.Parse(underlying, s),
                long or decimal when underlying.IsEnum => Enum.ToObject(underlying, Convert.ToInt32(raw)),
                long or decimal => Convert.ChangeType(raw, underlying, System.Globalization.CultureInfo.InvariantCulture),
                _ => raw,
            };
            return Parameter(typed, type);
        }

        Expression Ordered(Func<Expression, Expression, BinaryExpression> compare, Expression right)
        {
            if (underlying.IsEnum)
            {
                // Loyalty tiers are ordered: compare their numbers.
                var intType = type == underlying ? typeof(int) : typeof(int?);
                return compare(Expression.Convert(member, intType), Expression.Convert(right, intType));
            }
            return compare(member, right);
        }

        Expression Since(long days) => Parameter(context.Now.AddDays(-days), type);

        Expression NextDay(int i) => Parameter(((DateOnly)values[i]).AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc), type);

        var isString = type == typeof(string);
        var nullable = !type.IsValueType || Nullable.GetUnderlyingType(type) is not null;
        Expression nonNull = nullable ? Expression.NotEqual(member, Expression.Constant(null, type)) : Expression.Constant(true);
        return op switch
        {
            RuleOperator.Equals => Expression.Equal(member, Value(0)),
            RuleOperator.NotEquals => Expression.NotEqual(member, Value(0)),
            RuleOperator.LessThan => Ordered(Expression.LessThan, Value(0)),
            RuleOperator.LessOrEqual => Ordered(Expression.LessThanOrEqual, Value(0)),
            RuleOperator.GreaterThan => Ordered(Expression.GreaterThan, Value(0)),
            RuleOperator.GreaterOrEqual => Ordered(Expression.GreaterThanOrEqual, Value(0)),
            RuleOperator.Between when isDate => Expression.AndAlso(Expression.GreaterThanOrEqual(member, Value(0)), Expression.LessThan(member, NextDay(1))),
            RuleOperator.Between => Expression.AndAlso(Ordered(Expression.GreaterThanOrEqual, Value(0)), Ordered(Expression.LessThanOrEqual, Value(1))),
            RuleOperator.Before => Expression.LessThan(member, Value(0)),
            RuleOperator.After => Expression.GreaterThanOrEqual(member, NextDay(0)),
            RuleOperator.WithinLastDays => Expression.GreaterThanOrEqual(member, Since((long)values[0])),
            RuleOperator.MoreThanDaysAgo => Expression.LessThan(member, Since((long)values[0])),
            RuleOperator.In => In(member, values, Value),
            RuleOperator.NotIn => Expression.Not(In(member, values, Value)),
            RuleOperator.Contains when isString => Expression.AndAlso(nonNull, Expression.Call(Folded(member, values[0]), StringMethod(nameof(string.Contains)), FoldedValue(values[0]))),
            RuleOperator.StartsWith when isString => Expression.AndAlso(nonNull, Expression.Call(Folded(member, values[0]), StringMethod(nameof(string.StartsWith)), FoldedValue(values[0]))),
            RuleOperator.IsEmpty when isString => Expression.OrElse(Expression.Not(nonNull), Expression.Equal(member, Expression.Constant(""))),
            RuleOperator.IsNotEmpty when isString => Expression.AndAlso(nonNull, Expression.NotEqual(member, Expression.Constant(""))),
            RuleOperator.IsEmpty => Expression.Not(nonNull),
            RuleOperator.IsNotEmpty => nonNull,
            _ => throw Unsupported(op),
        };
    }

    /// <summary>
    /// "Contains" and "starts with" ignore case (issue 5: "москва" finds "Москва"): the column is
    /// compared as <c>lower(column)</c> with the value lowered here. A value without letters (a phone
    /// prefix, a number) leaves the column as it is, so such conditions keep their index.
    /// </summary>
    private static Expression Folded(Expression member, object value) =>
        HasLetters(value) ? Expression.Call(member, typeof(string).GetMethod(nameof(string.ToLower), Type.EmptyTypes)!) : member;

    private static Expression FoldedValue(object value) =>
        Parameter(HasLetters(value) ? ((string)value).ToLowerInvariant() : (string)value, typeof(string));

    private static bool HasLetters(object value) => value is string text && text.Any(char.IsLetter);

    private static Expression In(Expression member, object[] values, Func<int, Expression> value)
    {
        // A typed List<T> parameter: EF sends it as one collection parameter (IN / = ANY).
        var listType = typeof(List<>).MakeGenericType(member.Type);
        var list = (System.Collections.IList)Activator.CreateInstance(listType)!;
        for (var i = 0; i < values.Length; i++)
        {
            list.Add(Expression.Lambda(value(i)).Compile().DynamicInvoke());
        }
        return Expression.Call(typeof(Enumerable), nameof(Enumerable.Contains), [member.Type], Parameter(list, listType), member);
    }

    private static MethodInfo StringMethod(string name) => typeof(string).GetMethod(name, [typeof(string)])!;

    private static SegmentRuleException Unsupported(RuleOperator op) =>
        new("", $"Operator '{SegmentRuleValidator.Words(op)}' is not supported here.");

    /// <summary>A value EF sends as a query parameter: member access on a constant holder, as a C# closure would be.</summary>
    private static Expression Parameter(object? value, Type type)
    {
        var boxType = typeof(Box<>).MakeGenericType(type);
        var box = Activator.CreateInstance(boxType, value);
        return Expression.Property(Expression.Constant(box), "Value");
    }

    private static Expression Parameter<T>(T value) => Parameter(value, typeof(T));

    private sealed class Box<T>(T value)
    {
        public T Value { get; } = value;
    }

    private static Expression Bind<T>(Expression<Func<Client, T>> lambda) => new Rebind(lambda.Parameters[0], C).Visit(lambda.Body);

    private sealed class Rebind(ParameterExpression from, ParameterExpression to) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => node == from ? to : node;
    }
}
