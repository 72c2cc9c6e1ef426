using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Portal.Domain.Clients;

namespace Portal.Domain.Segments;

/// <summary>
/// Reads a condition's JSON value into typed values (long, decimal, string, DateOnly, bool, int
/// ids, or a day count), with the reason when it cannot.
/// </summary>
public static class ConditionValues
{
    public const int MaxDays = 36_500;

    /// <summary>The value kind and operators of a condition, attributes resolved; null when the criterion is unknown.</summary>
    public static (Criterion Criterion, ValueKind Kind, IReadOnlyList<RuleOperator> Operators)? Shape(RuleCondition condition, SegmentContext context)
    {
        var criterion = Criteria.Find(condition.Criterion);
        if (criterion is null)
        {
            return null;
        }
        if (criterion.Id == Criteria.Attribute && condition.Key is { } key && context.Attributes.TryGetValue(key, out var definition))
        {
            var (kind, operators) = Criteria.ForAttribute(definition.Type);
            return (criterion, kind, operators);
        }
        return (criterion, criterion.Kind, criterion.Operators);
    }

    public static bool TryRead(RuleCondition condition, Criterion criterion, ValueKind kind, out object[] values, out string? error)
    {
        var op = condition.Operator;
        var itemKind = Criteria.TakesDays(op) ? ValueKind.Integer : kind;
        var arity = Criteria.Arity(op, kind);
        values = [];
        error = null;
        var items = condition.Value switch
        {
            null => [],
            JsonArray a => a.ToList(),
            var single => [single],
        };
        if (arity == 0)
        {
            return true;
        }
        if (items.Count == 0 || items.Any(i => i is null))
        {
            error = arity switch
            {
                2 => "Enter both ends of the range.",
                -1 => "Choose at least one value.",
                _ => "Enter a value.",
            };
            return false;
        }
        if (arity == 1 && items.Count != 1)
        {
            error = "Enter exactly one value.";
            return false;
        }
        if (arity == 2 && items.Count != 2)
        {
            error = "'between' needs exactly two values: from and to.";
            return false;
        }
        var read = new object[items.Count];
        for (var i = 0; i < items.Count; i++)
        {
            if (!TryReadOne(items[i]!, itemKind, criterion, out read[i], out error))
            {
                return false;
            }
            if (Criteria.TakesDays(op) && (long)read[i] is < 0 or > MaxDays)
            {
                error = $"The number of days must be between 0 and {MaxDays}.";
                return false;
            }
        }
        if (arity == 2 && Comparer<object>.Default.Compare(read[0], read[1]) > 0)
        {
            error = "The range starts after it ends: put the smaller value first.";
            return false;
        }
        values = read;
        return true;
    }

    private static bool TryReadOne(JsonNode node, ValueKind kind, Criterion criterion, out object value, out string? error)
    {
        value = 0;
        error = null;
        var v = node as JsonValue;
        switch (kind)
        {
            case ValueKind.Integer:
                if (v is not null && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<long>(out var l))
                {
                    value = l;
                    return true;
                }
                error = $"Expected a whole number, got {node.ToJsonString()}.";
                return false;
            case ValueKind.Money:
                if (v is not null && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<decimal>(out var d))
                {
                    value = d;
                    return true;
                }
                error = $"Expected a number, got {node.ToJsonString()}.";
                return false;
            case ValueKind.Text or ValueKind.Choice:
                if (v is not null && v.TryGetValue<string>(out var s) && s.Trim().Length > 0)
                {
                    s = s.Trim();
                    if (kind == ValueKind.Choice && criterion.Options is { } options)
                    {
                        var match = options.FirstOrDefault(o => string.Equals(o.Code, s, StringComparison.OrdinalIgnoreCase));
                        if (match is null)
                        {
                            error = $"'{s}' is not one of: {string.Join(", ", options.Select(o => o.Code))}.";
                            return false;
                        }
                        s = match.Code;
                    }
                    value = s;
                    return true;
                }
                error = $"Expected text, got {node.ToJsonString()}.";
                return false;
            case ValueKind.Date:
                if (v is not null && v.TryGetValue<string>(out var text) &&
                    DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
                {
                    value = date;
                    return true;
                }
                error = $"Expected a date as yyyy-MM-dd, got {node.ToJsonString()}.";
                return false;
            case ValueKind.Boolean:
                if (v is not null && v.TryGetValue<bool>(out var b))
                {
                    value = b;
                    return true;
                }
                error = $"Expected true or false, got {node.ToJsonString()}.";
                return false;
            case ValueKind.Lists or ValueKind.Segments:
                if (v is not null && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<int>(out var id))
                {
                    value = id;
                    return true;
                }
                error = $"Expected the id of a {(kind == ValueKind.Lists ? "static list" : "saved segment")}, got {node.ToJsonString()}.";
                return false;
            case ValueKind.None:
                error = "This criterion takes no value.";
                return false;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
        }
    }

    /// <summary>Whether an event type name is known (the builder offers exactly these).</summary>
    public static bool TryEventType(string? key, out ClientEventType type) =>
        Enum.TryParse(key, ignoreCase: false, out type) && Enum.IsDefined(type);
}
