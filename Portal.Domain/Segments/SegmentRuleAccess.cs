namespace Portal.Domain.Segments;

/// <summary>
/// Issue 14: conditions a role without personal data may not count, sample or save, because the
/// live count answers them one query at a time: a phone prefix recovers a masked number in about
/// 50 counts, and a text match on a custom attribute (masked for that role) its value. An exact
/// attribute value only confirms what the user already knows, like a search by a full number.
/// </summary>
public static class SegmentRuleAccess
{
    public const string PhoneCriterionRefused = "Phone conditions need the personal-data permission.";
    public const string AttributeMatchRefused = "Partial matches on custom attributes need the personal-data permission.";

    /// <exception cref="SegmentRuleException">A condition the reader may not use.</exception>
    public static void Check(SegmentRule rule, bool seesPersonalData)
    {
        if (seesPersonalData) return;
        var errors = new List<RuleError>();
        Walk(rule.Root, "root", errors);
        if (errors.Count > 0) throw new SegmentRuleException(errors);
    }

    private static void Walk(RuleGroup group, string path, List<RuleError> errors)
    {
        for (var i = 0; i < group.Children.Count; i++)
        {
            var childPath = $"{path}.children[{i}]";
            switch (group.Children[i])
            {
                case RuleGroup g:
                    Walk(g, childPath, errors);
                    break;
                case RuleCondition { Criterion: Criteria.PhonePrefix }:
                    errors.Add(new(childPath, PhoneCriterionRefused));
                    break;
                case RuleCondition { Criterion: Criteria.Attribute, Operator: RuleOperator.Contains or RuleOperator.StartsWith
                    or RuleOperator.LessThan or RuleOperator.LessOrEqual or RuleOperator.GreaterThan or RuleOperator.GreaterOrEqual
                    or RuleOperator.Between or RuleOperator.Before or RuleOperator.After }:
                    errors.Add(new(childPath, AttributeMatchRefused));
                    break;
            }
        }
    }
}
