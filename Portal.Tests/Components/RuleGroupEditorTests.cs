using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Services;
using Portal.Components.Pages.Segments;
using Portal.Domain.Segments;

namespace Portal.Tests.Components;

/// <summary>A group of the audience builder: AND/OR, NOT, nested groups and removing a condition edit the group in place.</summary>
public sealed class RuleGroupEditorTests : IAsyncDisposable
{
    private readonly BunitContext _ctx = new();
    private int _changes;

    public RuleGroupEditorTests()
    {
        _ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        _ctx.Services.AddMudServices(o => o.PopoverOptions.CheckForPopoverProvider = false);
        _ctx.Services.AddLocalization();
    }

    public ValueTask DisposeAsync() => _ctx.DisposeAsync();

    [Fact]
    public async Task LogicNotNestingAndRemoval_ChangeTheGroup_AndEachIsReported()
    {
        var kept = new RuleCondition { Criterion = Criteria.City };
        var removed = new RuleCondition { Criterion = Criteria.Age };
        var group = new RuleGroup { Logic = GroupLogic.And, Children = [kept, removed] };
        var cut = _ctx.Render<RuleGroupEditor>(p => p.Add(x => x.Group, group).Add(x => x.OnChanged, () => _changes++));

        await cut.InvokeAsync(() => cut.FindComponent<MudToggleGroup<GroupLogic>>().Instance.ValueChanged.InvokeAsync(GroupLogic.Or));
        await cut.InvokeAsync(() => cut.FindComponents<MudSwitch<bool>>()[0].Instance.ValueChanged.InvokeAsync(true));
        Assert.Equal((GroupLogic.Or, true), (group.Logic, group.Not));

        // A nested group takes the other logic and starts with one empty condition.
        await cut.InvokeAsync(() => cut.Find("button[data-testid=add-group]").Click());
        var nested = Assert.IsType<RuleGroup>(group.Children[^1]);
        Assert.Equal(GroupLogic.And, nested.Logic);
        Assert.Single(nested.Children);
        Assert.Equal(2, cut.FindAll("[data-testid=rule-group]").Count);

        var second = cut.FindComponents<RuleConditionEditor>().Single(c => c.Instance.Condition == removed);
        await cut.InvokeAsync(() => second.Find("button[aria-label='Remove condition']").Click());

        Assert.Equal([kept, nested], group.Children);
        Assert.Equal(2, cut.FindComponents<RuleConditionEditor>().Count); // the kept one and the nested group's
        Assert.Equal(4, _changes);
    }
}
