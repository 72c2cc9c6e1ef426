using System.Text.Json.Nodes;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Extensions;
using MudBlazor.Services;
using Portal.Components.Pages.Segments;
using Portal.Domain.Clients;
using Portal.Domain.Segments;
using Portal.Infrastructure.Segments;

namespace Portal.Tests.Components;

/// <summary>
/// One condition of the audience builder, alone: each kind of criterion gets the inputs that fit it,
/// and what the user picks lands in the <see cref="RuleCondition"/> in the shape the compiler reads.
/// </summary>
public sealed class RuleConditionEditorTests : IAsyncDisposable
{
    private static readonly SegmentEditorOptions Options = new(
        [new NamedId(7, "Loyal buyers")],
        [new NamedId(3, "Callbacks"), new NamedId(4, "Fair visitors")],
        [new NamedId(11, "Winter sale")],
        [new AttributeDefinition("contract_no", AttributeType.Number, "Contract number"), new AttributeDefinition("vip", AttributeType.Boolean, "VIP")]);

    private readonly BunitContext _ctx = new();
    private readonly IRenderedComponent<MudPopoverProvider> _popovers;
    private int _changes;
    private int _removals;

    public RuleConditionEditorTests()
    {
        _ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        _ctx.Services.AddMudServices(o => o.PopoverOptions.CheckForPopoverProvider = false);
        _ctx.Services.AddLocalization();
        // The provider renders the selects' items, so the operator and value texts are on the page.
        _popovers = _ctx.Render<MudPopoverProvider>();
    }

    public ValueTask DisposeAsync() => _ctx.DisposeAsync();

    private IRenderedComponent<RuleConditionEditor> Render(RuleCondition condition) =>
        _ctx.Render<RuleConditionEditor>(p => p
            .Add(x => x.Condition, condition)
            .Add(x => x.Options, Options)
            .Add(x => x.OnChanged, () => _changes++)
            .Add(x => x.OnRemove, () => _removals++));

    private static IRenderedComponent<MudSelect<T>> Select<T>(IRenderedComponent<RuleConditionEditor> cut, string label) =>
        cut.FindComponents<MudSelect<T>>().Single(s => s.Instance.Label == label);

    private static Task PickAsync<T>(IRenderedComponent<RuleConditionEditor> cut, string label, T value) =>
        cut.InvokeAsync(() => Select<T>(cut, label).Instance.ValueChanged.InvokeAsync(value));

    private static Task CriterionAsync(IRenderedComponent<RuleConditionEditor> cut, string criterion) => PickAsync(cut, "Criterion", criterion);

    private static Task OperatorAsync(IRenderedComponent<RuleConditionEditor> cut, RuleOperator op) => PickAsync(cut, "Operator", op);

    private static IReadOnlyList<IRenderedComponent<MudNumericField<T>>> Numbers<T>(IRenderedComponent<RuleConditionEditor> cut) =>
        cut.FindComponents<MudNumericField<T>>();

    private static string Json(JsonNode? node) => node?.ToJsonString() ?? "null";

    /// <summary>Opens the select (its items render in the popover provider only while it is open), reads its items, closes it.</summary>
    private async Task<IReadOnlyList<(T? Value, string Text)>> ItemsAsync<T>(IRenderedComponent<RuleConditionEditor> cut, string label)
    {
        var select = Select<T>(cut, label);
        await cut.InvokeAsync(() => select.Instance.OpenMenu());
        var items = _popovers.FindComponents<MudSelectItem<T>>().Select(i => (i.Instance.Value, string.Concat(i.Nodes.Select(n => n.TextContent)).Trim())).ToList();
        await cut.InvokeAsync(() => select.Instance.CloseMenu());
        return items;
    }

    private async Task<IReadOnlyList<string>> TextsAsync<T>(IRenderedComponent<RuleConditionEditor> cut, string label) =>
        (await ItemsAsync<T>(cut, label)).Select(i => i.Text).ToList();

    private Task<IReadOnlyList<string>> OperatorTextsAsync(IRenderedComponent<RuleConditionEditor> cut) => TextsAsync<RuleOperator>(cut, "Operator");

    [Fact]
    public async Task CustomAttribute_TakesTheAttributesType_AndAnotherAttributeResetsTheValueAndAnUnfitOperator()
    {
        var condition = new RuleCondition();
        var cut = Render(condition);
        Assert.Empty(cut.FindComponents<MudSelect<RuleOperator>>()); // no criterion yet: nothing else to choose

        await CriterionAsync(cut, Criteria.Attribute);
        Assert.Equal("contract_no", condition.Key); // the first attribute is preselected
        Assert.Equal(RuleOperator.Equals, condition.Operator);
        Assert.Equal(["Contract number", "VIP"], await TextsAsync<string>(cut, "Attribute"));
        // A number attribute: number operators and a number field (money: decimals kept).
        Assert.Contains("is empty", await OperatorTextsAsync(cut));
        await OperatorAsync(cut, RuleOperator.GreaterThan);
        await cut.InvokeAsync(() => Numbers<decimal?>(cut).Single().Instance.ValueChanged.InvokeAsync(1017.5m));
        Assert.Equal("1017.5", Json(condition.Value));

        await PickAsync(cut, "Attribute", "vip");
        Assert.Equal("vip", condition.Key);
        Assert.Null(condition.Value);
        Assert.Equal(RuleOperator.Equals, condition.Operator); // "greater than" means nothing for yes/no
        await PickAsync<bool?>(cut, "Value", false);
        Assert.Equal("false", Json(condition.Value));
        Assert.Equal(["is", "is empty", "is not empty"], await OperatorTextsAsync(cut));

        // An operator the new attribute also takes is kept.
        await OperatorAsync(cut, RuleOperator.IsNotEmpty);
        await PickAsync(cut, "Attribute", "contract_no");
        Assert.Equal(RuleOperator.IsNotEmpty, condition.Operator);
        Assert.Empty(Numbers<decimal?>(cut)); // "is not empty" takes no value
        Assert.Equal(7, _changes); // every pick reported once
    }

    [Fact]
    public async Task Event_PreselectsPurchase_AndTakesDaysAndAmount()
    {
        var condition = new RuleCondition();
        var cut = Render(condition);

        await CriterionAsync(cut, Criteria.Event);
        Assert.Equal(nameof(ClientEventType.Purchase), condition.Key);
        Assert.Equal(RuleOperator.Has, condition.Operator);
        Assert.Equal(["has", "has not"], await OperatorTextsAsync(cut));
        Assert.Equal(Enum.GetNames<ClientEventType>(), (await ItemsAsync<string>(cut, "Event type")).Select(i => i.Value));

        await PickAsync(cut, "Event type", nameof(ClientEventType.Visit));
        var days = Numbers<int?>(cut).Single();
        Assert.Equal("In the last N days (empty = ever)", days.Instance.Label);
        await cut.InvokeAsync(() => days.Instance.ValueChanged.InvokeAsync(14));
        await cut.InvokeAsync(() => Numbers<decimal?>(cut).Single(f => f.Instance.Label == "Amount above (optional)").Instance.ValueChanged.InvokeAsync(500m));
        await OperatorAsync(cut, RuleOperator.HasNot);

        Assert.Equal((nameof(ClientEventType.Visit), 14, 500m, RuleOperator.HasNot), (condition.Key, condition.Days, condition.Amount, condition.Operator));
        Assert.Null(condition.Value); // an event condition has no value of its own
        Assert.Empty(cut.FindAll("[data-testid=value-text], [data-testid=value-number]"));

        // Another criterion starts clean: the event's key, days and amount are gone.
        await CriterionAsync(cut, Criteria.MessagesReceived);
        Assert.Equal((null, 30, (decimal?)null), (condition.Key, condition.Days, condition.Amount));
        Assert.Equal("In the last N days", Numbers<int?>(cut).Single().Instance.Label);
    }

    [Fact]
    public async Task CampaignCriterion_PicksTheCampaign()
    {
        var condition = new RuleCondition();
        var cut = Render(condition);

        await CriterionAsync(cut, Criteria.RepliedToCampaign);
        var campaigns = Select<int?>(cut, "Campaign");
        Assert.Equal("Winter sale", (await ItemsAsync<int?>(cut, "Campaign")).Single().Text);
        await cut.InvokeAsync(() => campaigns.Instance.ValueChanged.InvokeAsync(11));

        Assert.Equal((11, RuleOperator.Has), (condition.CampaignId, condition.Operator));
    }

    [Fact]
    public async Task Between_TakesFromAndTo_AndAnIntegerIsRounded()
    {
        var condition = new RuleCondition();
        var cut = Render(condition);
        await CriterionAsync(cut, Criteria.Age);
        await cut.InvokeAsync(() => Numbers<decimal?>(cut).Single().Instance.ValueChanged.InvokeAsync(30m));
        Assert.Equal("30", Json(condition.Value));
        Assert.Equal("Value", Numbers<decimal?>(cut).Single().Instance.Label);

        // One value to two: the old value cannot be the range, it is dropped.
        await OperatorAsync(cut, RuleOperator.Between);
        Assert.Null(condition.Value);
        var fields = Numbers<decimal?>(cut);
        Assert.Equal(["From", "To"], fields.Select(f => f.Instance.Label).ToList());
        await cut.InvokeAsync(() => fields[1].Instance.ValueChanged.InvokeAsync(40.6m));
        Assert.Equal("[null,41]", Json(condition.Value));
        await cut.InvokeAsync(() => Numbers<decimal?>(cut)[0].Instance.ValueChanged.InvokeAsync(18m));
        Assert.Equal("[18,41]", Json(condition.Value));
        Assert.Equal([18m, 41m], Numbers<decimal?>(cut).Select(f => f.Instance.GetState(x => x.Value)).ToList());

        // Same shape (one number): the value stays.
        await OperatorAsync(cut, RuleOperator.LessThan);
        await cut.InvokeAsync(() => Numbers<decimal?>(cut).Single().Instance.ValueChanged.InvokeAsync(65m));
        await OperatorAsync(cut, RuleOperator.GreaterOrEqual);
        Assert.Equal("65", Json(condition.Value));
        await cut.InvokeAsync(() => Numbers<decimal?>(cut).Single().Instance.ValueChanged.InvokeAsync(null));
        Assert.Null(condition.Value);
        Assert.Equal(["equals", "not equals", "less than", "at most", "greater than", "at least", "between", "is empty", "is not empty"], await OperatorTextsAsync(cut));
    }

    [Fact]
    public async Task Date_IsWrittenAsIsoDays_AndDayOperatorsTakeANumberOfDays()
    {
        var condition = new RuleCondition();
        var cut = Render(condition);
        await CriterionAsync(cut, Criteria.LastPurchaseAt);
        Assert.Equal(RuleOperator.Before, condition.Operator);
        Assert.Equal(["before", "after", "between", "within the last N days", "more than N days ago", "is empty", "is not empty"], await OperatorTextsAsync(cut));

        await cut.InvokeAsync(() => cut.FindComponent<MudDatePicker>().Instance.DateChanged.InvokeAsync(new DateTime(2026, 3, 8)));
        Assert.Equal("\"2026-03-08\"", Json(condition.Value));
        Assert.Equal(new DateTime(2026, 3, 8), cut.FindComponent<MudDatePicker>().Instance.Date);
        Assert.Equal("Date", cut.FindComponent<MudDatePicker>().Instance.Label);

        await OperatorAsync(cut, RuleOperator.Between);
        var pickers = cut.FindComponents<MudDatePicker>();
        Assert.Equal(["From", "To"], pickers.Select(p => p.Instance.Label).ToList());
        await cut.InvokeAsync(() => pickers[0].Instance.DateChanged.InvokeAsync(new DateTime(2026, 1, 1)));
        await cut.InvokeAsync(() => cut.FindComponents<MudDatePicker>()[1].Instance.DateChanged.InvokeAsync(new DateTime(2026, 1, 31)));
        Assert.Equal("[\"2026-01-01\",\"2026-01-31\"]", Json(condition.Value));
        await cut.InvokeAsync(() => cut.FindComponents<MudDatePicker>()[1].Instance.DateChanged.InvokeAsync(null));
        Assert.Equal("[\"2026-01-01\",null]", Json(condition.Value));

        // "Within the last N days" asks for days, not a date, and drops the dates.
        await OperatorAsync(cut, RuleOperator.WithinLastDays);
        Assert.Null(condition.Value);
        Assert.Empty(cut.FindComponents<MudDatePicker>());
        var days = Numbers<decimal?>(cut).Single();
        Assert.Equal("Days", days.Instance.Label);
        await cut.InvokeAsync(() => days.Instance.ValueChanged.InvokeAsync(90m));
        Assert.Equal("90", Json(condition.Value));
        await OperatorAsync(cut, RuleOperator.MoreThanDaysAgo);
        Assert.Equal("90", Json(condition.Value));

        await CriterionAsync(cut, Criteria.Birthday);
        Assert.Equal(["within the next N days"], await OperatorTextsAsync(cut));
    }

    [Fact]
    public async Task Text_OneValueOrACommaSeparatedList()
    {
        var condition = new RuleCondition();
        var cut = Render(condition);
        await CriterionAsync(cut, Criteria.City);
        Assert.Equal(["equals", "not equals", "any of", "none of", "contains", "starts with", "is empty", "is not empty"], await OperatorTextsAsync(cut));
        MudTextField<string> Text() => cut.FindComponent<MudTextField<string>>().Instance;

        await OperatorAsync(cut, RuleOperator.Contains);
        await cut.InvokeAsync(() => Text().ValueChanged.InvokeAsync("Mos"));
        Assert.Equal("\"Mos\"", Json(condition.Value));
        Assert.Equal("Value", Text().Label);
        await cut.InvokeAsync(() => Text().ValueChanged.InvokeAsync("  "));
        Assert.Null(condition.Value);

        await OperatorAsync(cut, RuleOperator.NotIn);
        Assert.Equal("Values, comma separated", Text().Label);
        await cut.InvokeAsync(() => Text().ValueChanged.InvokeAsync("Moscow, Kazan,, "));
        Assert.Equal("[\"Moscow\",\"Kazan\"]", Json(condition.Value));
        Assert.Equal("Moscow, Kazan", Text().GetState(x => x.Value));
        await cut.InvokeAsync(() => Text().ValueChanged.InvokeAsync(" , "));
        Assert.Null(condition.Value);
    }

    [Fact]
    public async Task StaticListsAndSegments_AreChosenByName_AndStoredAsIds()
    {
        var condition = new RuleCondition();
        var cut = Render(condition);
        await CriterionAsync(cut, Criteria.StaticList);
        Assert.Equal(["member of", "not a member of"], await OperatorTextsAsync(cut));
        var lists = Select<string>(cut, "Values");
        Assert.Equal(["Callbacks", "Fair visitors"], await TextsAsync<string>(cut, "Values"));

        await cut.InvokeAsync(() => lists.Instance.SelectedValuesChanged.InvokeAsync(["4", "3"]));
        Assert.Equal("[4,3]", Json(condition.Value));
        Assert.Equal("Fair visitors, Callbacks", Select<string>(cut, "Values").Instance.GetState(x => x.Text));

        await CriterionAsync(cut, Criteria.Segment);
        await OperatorAsync(cut, RuleOperator.NotIn);
        await cut.InvokeAsync(() => Select<string>(cut, "Values").Instance.SelectedValuesChanged.InvokeAsync(["7"]));
        Assert.Equal("[7]", Json(condition.Value));
        Assert.Equal("Loyal buyers", Select<string>(cut, "Values").Instance.GetState(x => x.Text));
        await cut.InvokeAsync(() => Select<string>(cut, "Values").Instance.SelectedValuesChanged.InvokeAsync([]));
        Assert.Null(condition.Value);
    }

    [Fact]
    public async Task Choice_OneValueByName_AndAnUnknownCodeShowsAsItself()
    {
        var condition = new RuleCondition();
        var cut = Render(condition);
        await CriterionAsync(cut, Criteria.Language);
        var value = Select<string>(cut, "Value");
        Assert.Equal(["Russian", "English"], await TextsAsync<string>(cut, "Value"));
        await cut.InvokeAsync(() => value.Instance.ValueChanged.InvokeAsync("en"));
        Assert.Equal("\"en\"", Json(condition.Value));
        Assert.Equal("English", Select<string>(cut, "Value").Instance.GetState(x => x.Text));
        await cut.InvokeAsync(() => Select<string>(cut, "Value").Instance.ValueChanged.InvokeAsync(null));
        Assert.Null(condition.Value);

        // A choice criterion with labels of its own (the operators' names) and a code from an older catalogue.
        await CriterionAsync(cut, Criteria.MobileOperator);
        condition.Value = JsonValue.Create("Tele9");
        cut.Render();
        Assert.Equal("Tele9", Select<string>(cut, "Value").Instance.GetState(x => x.Text));
        Assert.Equal(MobileOperators.All, await TextsAsync<string>(cut, "Value"));
    }

    [Fact]
    public async Task RemoveButton_AsksTheParentToRemoveTheCondition()
    {
        var cut = Render(new RuleCondition { Criterion = Criteria.AdvertisingConsent, Value = JsonValue.Create(true) });
        Assert.Equal(true, Select<bool?>(cut, "Value").Instance.GetState(x => x.Value));
        Assert.Equal(["is"], await OperatorTextsAsync(cut));

        await cut.InvokeAsync(() => cut.Find("button[aria-label='Remove condition']").Click());

        Assert.Equal((1, 0), (_removals, _changes));
    }
}
