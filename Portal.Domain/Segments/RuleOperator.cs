namespace Portal.Domain.Segments;

/// <summary>The operators of issue 5; <see cref="Criteria"/> says which fit each criterion.</summary>
public enum RuleOperator
{
    Equals = 1,
    NotEquals,
    LessThan,
    LessOrEqual,
    GreaterThan,
    GreaterOrEqual,
    Between,
    In,
    NotIn,
    Contains,
    StartsWith,
    IsEmpty,
    IsNotEmpty,
    WithinLastDays,
    MoreThanDaysAgo,
    Before,
    After,
    /// <summary>The client has (at least one) such event, message, reply or membership.</summary>
    Has,
    HasNot,
    WithinNextDays,
}

/// <summary>What a criterion's value is, so the UI shows the right input and the compiler parses it.</summary>
public enum ValueKind
{
    /// <summary>No value (has / has not, is empty).</summary>
    None = 0,
    Integer,
    Money,
    Text,
    Date,
    /// <summary>One or more codes from the criterion's options (regions, operators, tiers...).</summary>
    Choice,
    Boolean,
    /// <summary>Ids of static lists.</summary>
    Lists,
    /// <summary>Ids of saved segments.</summary>
    Segments,
}

/// <summary>Where a criterion sits in the builder's criterion menu.</summary>
public enum CriterionCategory
{
    Profile = 1,
    Location,
    Phone,
    Account,
    Purchases,
    Activity,
    Events,
    Tags,
    Attributes,
    Consent,
    Campaigns,
    Lists,
}

/// <summary>Which extra parameter a criterion needs besides its value.</summary>
[Flags]
public enum CriterionParameters
{
    None = 0,
    EventType = 1,
    Attribute = 2,
    Campaign = 4,
    Days = 8,
    Amount = 16,
}
