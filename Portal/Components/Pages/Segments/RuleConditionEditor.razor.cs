using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Components;
using Portal.Domain.Clients;
using Portal.Domain.Segments;
using Portal.Infrastructure.Segments;

namespace Portal.Components.Pages.Segments;

/// <summary>
/// One condition of the rule builder: criterion, operator filtered by the criterion's type, and
/// the input that fits the value (number, date picker, multi-select, yes/no, text). Edits the
/// <see cref="RuleCondition"/> in place and reports every change.
/// </summary>
public partial class RuleConditionEditor
{
    /// <summary>The condition being edited (changed in place).</summary>
    [Parameter, EditorRequired] public RuleCondition Condition { get; set; } = default!;
    /// <summary>Segments, lists, campaigns and attributes offered in the pickers.</summary>
    [Parameter] public SegmentEditorOptions Options { get; set; } = SegmentEditorOptions.Empty;
    /// <summary>Raised after every change.</summary>
    [Parameter] public EventCallback OnChanged { get; set; }
    /// <summary>Raised when the user removes the condition.</summary>
    [Parameter] public EventCallback OnRemove { get; set; }

    private Criterion? _criterion;
    private ValueKind _kind;
    private IReadOnlyList<RuleOperator> _operators = [];

    protected override void OnParametersSet() => Reshape();

    private void Reshape()
    {
        _criterion = Criteria.Find(Condition.Criterion);
        if (_criterion is null)
        {
            (_kind, _operators) = (ValueKind.None, []);
            return;
        }
        (_kind, _operators) = (_criterion.Kind, _criterion.Operators);
        if (_criterion.Id == Criteria.Attribute && Options.Attributes.FirstOrDefault(a => a.Key == Condition.Key) is { } attribute)
        {
            (_kind, _operators) = Criteria.ForAttribute(attribute.Type);
        }
    }

    private int Arity => Criteria.Arity(Condition.Operator, _kind);

    private ValueKind InputKind => Arity == 0 ? ValueKind.None : Criteria.TakesDays(Condition.Operator) ? ValueKind.Integer : _kind;

    private async Task SetAsync(Action change)
    {
        change();
        await OnChanged.InvokeAsync();
    }

    private async Task CriterionChangedAsync(string id)
    {
        Condition.Criterion = id;
        Condition.Value = null;
        Condition.Key = null;
        Condition.CampaignId = null;
        Condition.Amount = null;
        Condition.Days = null;
        var criterion = Criteria.Find(id);
        if (criterion?.Parameters.HasFlag(CriterionParameters.EventType) == true)
        {
            Condition.Key = nameof(ClientEventType.Purchase);
        }
        if (criterion?.Id == Criteria.MessagesReceived)
        {
            Condition.Days = 30;
        }
        if (criterion?.Id == Criteria.Attribute)
        {
            Condition.Key = Options.Attributes.FirstOrDefault()?.Key;
        }
        Reshape();
        Condition.Operator = _operators.FirstOrDefault();
        await OnChanged.InvokeAsync();
    }

    private async Task AttributeChangedAsync(string key)
    {
        Condition.Key = key;
        Condition.Value = null;
        Reshape();
        if (!_operators.Contains(Condition.Operator))
        {
            Condition.Operator = _operators.FirstOrDefault();
        }
        await OnChanged.InvokeAsync();
    }

    private async Task OperatorChangedAsync(RuleOperator op)
    {
        var before = (Criteria.Arity(Condition.Operator, _kind), Criteria.TakesDays(Condition.Operator));
        Condition.Operator = op;
        if (before != (Arity, Criteria.TakesDays(op)))
        {
            Condition.Value = null;
        }
        await OnChanged.InvokeAsync();
    }

    private JsonNode? Item(int i) => Arity == 2 ? (Condition.Value as JsonArray) is { Count: 2 } a ? a[i] : null : Condition.Value;

    private void SetItem(int i, JsonNode? node)
    {
        if (Arity != 2)
        {
            Condition.Value = node;
            return;
        }
        if (Condition.Value is not JsonArray { Count: 2 } array)
        {
            array = new JsonArray(null, null);
            Condition.Value = array;
        }
        array[i] = node;
    }

    // Read from the JSON text: a value typed here is a long or a decimal (TryGetValue<decimal> fails on the long), one loaded is a JsonElement.
    private decimal? NumberAt(int i) =>
        Item(i) is JsonValue v && decimal.TryParse(v.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : null;

    private void SetNumber(int i, decimal? value) =>
        SetItem(i, value is not { } d ? null : InputKind == ValueKind.Integer ? JsonValue.Create((long)Math.Round(d)) : JsonValue.Create(d));

    private DateTime? DateAt(int i) =>
        Item(i) is JsonValue v && v.TryGetValue<string>(out var s) && DateTime.TryParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d : null;

    private void SetDate(int i, DateTime? value) => SetItem(i, value is { } d ? JsonValue.Create(d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)) : null);

    private bool? BoolValue
    {
        get => Condition.Value is JsonValue v && v.TryGetValue<bool>(out var b) ? b : null;
        set => Condition.Value = value is { } b ? JsonValue.Create(b) : null;
    }

    private string? TextValue
    {
        get => Condition.Value switch
        {
            JsonArray a => string.Join(", ", a.Select(x => x?.ToString())),
            JsonValue v when v.TryGetValue<string>(out var s) => s,
            _ => null,
        };
        set
        {
            if (Arity == -1)
            {
                var parts = (value ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
                Condition.Value = parts.Length == 0 ? null : new JsonArray(parts.Select(p => (JsonNode?)JsonValue.Create(p)).ToArray());
            }
            else
            {
                Condition.Value = string.IsNullOrWhiteSpace(value) ? null : JsonValue.Create(value);
            }
        }
    }

    /// <summary>Choice codes, or list / segment ids as text (the select works on strings).</summary>
    private IReadOnlyCollection<string> Codes
    {
        get => Condition.Value switch
        {
            JsonArray a => a.Where(x => x is not null).Select(x => x!.ToString()).ToList(),
            JsonValue v => [v.ToString()],
            _ => [],
        };
        set
        {
            var codes = value?.ToList() ?? [];
            JsonNode? Node(string code) => _kind is ValueKind.Lists or ValueKind.Segments ? JsonValue.Create(int.Parse(code, CultureInfo.InvariantCulture)) : JsonValue.Create(code);
            Condition.Value = codes.Count == 0 ? null : Arity == -1 ? new JsonArray(codes.Select(Node).ToArray()) : Node(codes[0]);
        }
    }

    private IEnumerable<(string Code, string Label)> ChoiceOptions()
    {
        var russian = CultureInfo.CurrentUICulture.TwoLetterISOLanguageName == "ru";
        return _kind switch
        {
            ValueKind.Lists => Options.Lists.Select(l => (l.Id.ToString(CultureInfo.InvariantCulture), l.Name)),
            ValueKind.Segments => Options.Segments.Select(s => (s.Id.ToString(CultureInfo.InvariantCulture), s.Name)),
            _ when _criterion?.Id == Criteria.Region => RussianRegions.All.Select(r => (r.Code, russian ? r.NameRu : r.NameEn)),
            _ when _criterion?.Id is Criteria.Gender or Criteria.Status or Criteria.LoyaltyTier => _criterion.Options!.Select(o => (o.Code, L[o.Code].Value)),
            _ when _criterion?.Id == Criteria.Language => [("ru", L["Russian"].Value), ("en", L["English"].Value)],
            _ => (_criterion?.Options ?? []).Select(o => (o.Code, o.Label)),
        };
    }

    /// <summary>The picked values are shown by name ("Krasnodar Krai"), not code ("KDA"): issue 20, item 10.</summary>
    private string LabelOf(string? code) =>
        code is null ? "" : ChoiceOptions().Where(o => o.Code == code).Select(o => o.Label).FirstOrDefault() ?? code;

    private string OperatorText(RuleOperator op) => op switch
    {
        RuleOperator.Equals => _kind == ValueKind.Boolean ? L["is"] : L["equals"],
        RuleOperator.NotEquals => L["not equals"],
        RuleOperator.LessThan => L["less than"],
        RuleOperator.LessOrEqual => L["at most"],
        RuleOperator.GreaterThan => L["greater than"],
        RuleOperator.GreaterOrEqual => L["at least"],
        RuleOperator.Between => L["between"],
        RuleOperator.In => _kind is ValueKind.Lists or ValueKind.Segments ? L["member of"] : L["any of"],
        RuleOperator.NotIn => _kind is ValueKind.Lists or ValueKind.Segments ? L["not a member of"] : L["none of"],
        RuleOperator.Contains => L["contains"],
        RuleOperator.StartsWith => L["starts with"],
        RuleOperator.IsEmpty => L["is empty"],
        RuleOperator.IsNotEmpty => L["is not empty"],
        RuleOperator.WithinLastDays => L["within the last N days"],
        RuleOperator.MoreThanDaysAgo => L["more than N days ago"],
        RuleOperator.Before => L["before"],
        RuleOperator.After => L["after"],
        RuleOperator.Has => L["has"],
        RuleOperator.HasNot => L["has not"],
        RuleOperator.WithinNextDays => L["within the next N days"],
        _ => op.ToString(),
    };
}
