using Microsoft.Extensions.Localization;
using MudBlazor;

namespace Portal.Resources;

/// <summary>
/// MudBlazor's own texts ("Rows per page", "Clear", the date picker's buttons) from the same
/// Russian resources as ours, by MudBlazor's keys (<c>MudDataGridPager_RowsPerPage</c>). A key
/// without a translation is "not found", and MudBlazor falls back to its English (issue 20, item 11).
/// </summary>
internal sealed class PortalMudLocalizer(IStringLocalizer<SharedResource> localizer) : MudLocalizer
{
    public override LocalizedString this[string key] => localizer[key];

    // string.Format runs even with no arguments, and MudBlazor's pager formats hold {first_item}-style
    // placeholders it fills itself: format only when there is something to put in.
    public override LocalizedString this[string key, params object[] arguments] =>
        arguments.Length == 0 ? localizer[key] : localizer[key, arguments];
}
