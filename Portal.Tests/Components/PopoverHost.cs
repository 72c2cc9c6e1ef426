using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Rendering;
using MudBlazor;

namespace Portal.Tests.Components;

/// <summary>
/// A page under test with MudBlazor's popover provider beside it, as the app's layout has: open
/// selects and menus render their items there, so a test can pick one as a user would.
/// </summary>
public sealed class PopoverHost : ComponentBase
{
    [Parameter] public RenderFragment? ChildContent { get; set; }

    protected override void BuildRenderTree(RenderTreeBuilder builder)
    {
        builder.OpenComponent<MudPopoverProvider>(0);
        builder.CloseComponent();
        builder.AddContent(1, ChildContent);
    }
}
