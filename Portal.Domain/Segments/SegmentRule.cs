using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Portal.Domain.Segments;

/// <summary>
/// An audience as a rule tree, stored as JSON in <see cref="Segment.RulesJson"/>:
/// <code>
/// { "version": 1,
///   "root": { "logic": "and", "not": false, "children": [
///       { "type": "condition", "criterion": "age", "operator": "between", "value": [25, 40] },
///       { "type": "group", "logic": "or", "not": true, "children": [ ... ] } ] },
///   "excludeSegments": [3], "excludeLists": [7] }
/// </code>
/// The version lets a later Portal read old rules (and refuse rules from a newer one).
/// </summary>
public sealed class SegmentRule
{
    public const int CurrentVersion = 1;

    public int Version { get; set; } = CurrentVersion;
    public RuleGroup Root { get; set; } = new();
    /// <summary>Clients in any of these saved segments are left out.</summary>
    public List<int> ExcludeSegments { get; set; } = [];
    /// <summary>Clients on any of these static lists are left out.</summary>
    public List<int> ExcludeLists { get; set; } = [];

    public static SegmentRule Everyone() => new();

    public IEnumerable<RuleCondition> Conditions() => Root.Conditions();
}

public enum GroupLogic
{
    And = 1,
    Or = 2,
}

[JsonPolymorphic(TypeDiscriminatorPropertyName = "type", UnknownDerivedTypeHandling = JsonUnknownDerivedTypeHandling.FailSerialization)]
[JsonDerivedType(typeof(RuleGroup), "group")]
[JsonDerivedType(typeof(RuleCondition), "condition")]
public abstract class RuleNode
{
    public abstract RuleNode Clone();
}

/// <summary>AND/OR over its children, optionally negated; groups nest to any depth.</summary>
public sealed class RuleGroup : RuleNode
{
    public GroupLogic Logic { get; set; } = GroupLogic.And;
    public bool Not { get; set; }
    public List<RuleNode> Children { get; set; } = [];

    public IEnumerable<RuleCondition> Conditions() =>
        Children.SelectMany(n => n switch
        {
            RuleCondition c => [c],
            RuleGroup g => g.Conditions(),
            _ => [],
        });

    public override RuleGroup Clone() => new() { Logic = Logic, Not = Not, Children = Children.Select(c => c.Clone()).ToList() };
}

/// <summary>
/// One test of one client: a criterion from <see cref="Criteria"/>, an operator that fits its type,
/// and a value. Some criteria take a parameter: <see cref="Key"/> (event type, attribute key),
/// <see cref="CampaignId"/>, <see cref="Days"/> (a look-back window) and <see cref="Amount"/>.
/// </summary>
public sealed class RuleCondition : RuleNode
{
    public string Criterion { get; set; } = "";
    public RuleOperator Operator { get; set; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JsonNode? Value { get; set; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Key { get; set; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? CampaignId { get; set; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Days { get; set; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public decimal? Amount { get; set; }

    public override RuleCondition Clone() => new()
    {
        Criterion = Criterion, Operator = Operator, Value = Value?.DeepClone(), Key = Key,
        CampaignId = CampaignId, Days = Days, Amount = Amount,
    };
}

/// <summary>Reads and writes the JSON form; every failure is a <see cref="SegmentRuleException"/> with a readable reason.</summary>
public static class SegmentRuleJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        AllowOutOfOrderMetadataProperties = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false) },
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        WriteIndented = false,
    };

    public static string Serialize(SegmentRule rule) => JsonSerializer.Serialize(rule, Options);

    public static SegmentRule Parse(string json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            throw new SegmentRuleException("", "The rule is empty.");
        }
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(json);
        }
        catch (JsonException e)
        {
            throw new SegmentRuleException("", $"The rule is not valid JSON: {e.Message}");
        }
        if (node is not JsonObject obj)
        {
            throw new SegmentRuleException("", "The rule must be a JSON object with \"version\" and \"root\".");
        }
        if (!obj.TryGetPropertyValue("version", out var v) || v is not JsonValue value || !value.TryGetValue<int>(out var version))
        {
            throw new SegmentRuleException("version", "The rule has no \"version\": it must say which rule format it uses (1).");
        }
        if (version != SegmentRule.CurrentVersion)
        {
            throw new SegmentRuleException("version",
                $"Rule format version {version} is not supported: this Portal reads version {SegmentRule.CurrentVersion}.");
        }
        // The root is always a group; "type": "group" there is accepted for symmetry with nested groups.
        if (obj["root"] is JsonObject root && root["type"] is JsonValue type)
        {
            if (type.GetValueKind() != JsonValueKind.String || type.GetValue<string>() != "group")
            {
                throw new SegmentRuleException("root", "The root of a rule is a group.");
            }
            root.Remove("type");
        }
        try
        {
            return obj.Deserialize<SegmentRule>(Options) ?? throw new SegmentRuleException("", "The rule is null.");
        }
        catch (JsonException e)
        {
            throw new SegmentRuleException(e.Path ?? "", $"The rule does not follow format version 1: {e.Message}");
        }
    }
}

public sealed record RuleError(string Path, string Message)
{
    public override string ToString() => string.IsNullOrEmpty(Path) ? Message : $"{Path}: {Message}";
}

/// <summary>A rule that cannot be used, with every reason found.</summary>
public sealed class SegmentRuleException : Exception
{
    public SegmentRuleException(IReadOnlyList<RuleError> errors)
        : base(string.Join(Environment.NewLine, errors)) => Errors = errors;

    public SegmentRuleException(string path, string message) : this([new RuleError(path, message)]) { }

    public IReadOnlyList<RuleError> Errors { get; }
}
