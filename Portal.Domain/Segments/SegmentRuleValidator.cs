namespace Portal.Domain.Segments;

/// <summary>
/// Checks a rule tree before it is counted or saved and says, for each problem, where it is
/// (a path like <c>root.children[2]</c>) and what to do about it, in words a campaign manager follows.
/// </summary>
public static class SegmentRuleValidator
{
    public const int MaxConditions = 500;

    public static IReadOnlyList<RuleError> Validate(SegmentRule rule, SegmentContext context)
    {
        var errors = new List<RuleError>();
        if (rule.Version != SegmentRule.CurrentVersion)
        {
            errors.Add(new("version", $"Rule format version {rule.Version} is not supported: this Portal reads version {SegmentRule.CurrentVersion}."));
        }
        if (rule.Root is null)
        {
            errors.Add(new("root", "The rule has no root group."));
            return errors;
        }
        var count = 0;
        Group(rule.Root, "root", isRoot: true, context, errors, ref count);
        if (count > MaxConditions)
        {
            errors.Add(new("root", $"The rule has {count} conditions; at most {MaxConditions} are allowed."));
        }
        foreach (var id in rule.ExcludeSegments ?? [])
        {
            if (!context.Segments.ContainsKey(id))
            {
                errors.Add(new("excludeSegments", $"Excluded segment {id} does not exist (deleted?)."));
            }
        }
        foreach (var id in rule.ExcludeLists ?? [])
        {
            if (context.StaticLists is { } lists && !lists.Contains(id))
            {
                errors.Add(new("excludeLists", $"Excluded static list {id} does not exist (deleted?)."));
            }
        }
        return errors;
    }

    public static void EnsureValid(SegmentRule rule, SegmentContext context)
    {
        var errors = Validate(rule, context);
        if (errors.Count > 0)
        {
            throw new SegmentRuleException(errors);
        }
    }

    private static void Group(RuleGroup group, string path, bool isRoot, SegmentContext context, List<RuleError> errors, ref int count)
    {
        if (!Enum.IsDefined(group.Logic))
        {
            errors.Add(new(path, "A group combines its conditions with 'and' or 'or'."));
        }
        if (group.Children is null || group.Children.Count == 0)
        {
            if (!isRoot)
            {
                errors.Add(new(path, "This group is empty: add a condition to it or remove it."));
            }
            return;
        }
        for (var i = 0; i < group.Children.Count; i++)
        {
            var childPath = $"{path}.children[{i}]";
            switch (group.Children[i])
            {
                case RuleGroup g:
                    Group(g, childPath, isRoot: false, context, errors, ref count);
                    break;
                case RuleCondition c:
                    count++;
                    Condition(c, childPath, context, errors);
                    break;
                default:
                    errors.Add(new(childPath, "Each item of a group is a condition or a group."));
                    break;
            }
        }
    }

    private static void Condition(RuleCondition c, string path, SegmentContext context, List<RuleError> errors)
    {
        if (string.IsNullOrWhiteSpace(c.Criterion))
        {
            errors.Add(new(path, "Choose a criterion."));
            return;
        }
        if (c.Criterion == Criteria.Attribute && (c.Key is null || !context.Attributes.ContainsKey(c.Key)))
        {
            errors.Add(new(path, c.Key is null
                ? "Choose which custom attribute to test."
                : $"There is no custom attribute '{c.Key}'" + (context.Attributes.Count == 0 ? "." : $": known are {string.Join(", ", context.Attributes.Keys.Order())}.")));
            return;
        }
        if (ConditionValues.Shape(c, context) is not var (criterion, kind, operators))
        {
            errors.Add(new(path, $"Unknown criterion '{c.Criterion}'."));
            return;
        }
        if (!operators.Contains(c.Operator))
        {
            errors.Add(new(path, $"'{Words(c.Operator)}' does not apply to {criterion.Label}: use {string.Join(", ", operators.Select(Words))}."));
            return;
        }
        var p = criterion.Parameters;
        if (p.HasFlag(CriterionParameters.EventType) && !ConditionValues.TryEventType(c.Key, out _))
        {
            errors.Add(new(path, $"Choose the event type ({string.Join(", ", criterion.Options!.Select(o => o.Code))})."));
        }
        if (p.HasFlag(CriterionParameters.Campaign))
        {
            if (c.CampaignId is null)
            {
                errors.Add(new(path, "Choose the campaign."));
            }
            else if (context.Campaigns is { } campaigns && !campaigns.Contains(c.CampaignId.Value))
            {
                errors.Add(new(path, $"Campaign {c.CampaignId} does not exist."));
            }
        }
        if (p.HasFlag(CriterionParameters.Days) && !p.HasFlag(CriterionParameters.EventType) && c.Days is null)
        {
            errors.Add(new(path, "Enter the number of days to look back."));
        }
        if (c.Days is { } days && (days < 1 || days > ConditionValues.MaxDays))
        {
            errors.Add(new(path, $"The number of days must be between 1 and {ConditionValues.MaxDays}."));
        }
        if (c.Amount is < 0)
        {
            errors.Add(new(path, "The minimum amount cannot be negative."));
        }
        if (!ConditionValues.TryRead(c, criterion, kind, out var values, out var error))
        {
            errors.Add(new(path, $"{criterion.Label}, {Words(c.Operator)}: {error}"));
            return;
        }
        if (kind == ValueKind.Lists && context.StaticLists is { } lists)
        {
            foreach (var id in values.Cast<int>().Where(id => !lists.Contains(id)))
            {
                errors.Add(new(path, $"Static list {id} does not exist (deleted?)."));
            }
        }
        if (kind == ValueKind.Segments)
        {
            foreach (var id in values.Cast<int>().Where(id => !context.Segments.ContainsKey(id)))
            {
                errors.Add(new(path, $"Saved segment {id} does not exist (deleted?)."));
            }
        }
    }

    /// <summary>"GreaterOrEqual" reads as "greater or equal".</summary>
    public static string Words(RuleOperator op)
    {
        var name = op.ToString();
        var sb = new System.Text.StringBuilder();
        foreach (var ch in name)
        {
            if (char.IsUpper(ch) && sb.Length > 0)
            {
                sb.Append(' ');
            }
            sb.Append(char.ToLowerInvariant(ch));
        }
        return sb.ToString();
    }
}
