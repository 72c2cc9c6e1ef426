using Portal.Resources;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;
using Portal.Domain.Access;
using Portal.Domain.Common;
using Portal.Domain.Segments;
using Portal.Infrastructure.Identity;
using Portal.Infrastructure.Segments;

namespace Portal.Components.Pages.Segments;

/// <summary>Saved audiences with their sizes; sizes arrive one by one after the list shows.</summary>
public partial class SegmentList
{
    [Inject] private SegmentStore Store { get; set; } = default!;
    [Inject] private DepartmentScopes Scopes { get; set; } = default!;
    [CascadingParameter] private Task<AuthenticationState> AuthState { get; set; } = default!;
    [Inject] private IDialogService Dialogs { get; set; } = default!;
    [Inject] private ISnackbar Snackbar { get; set; } = default!;
    [Inject] private NavigationManager Navigation { get; set; } = default!;

    private IReadOnlyList<SegmentSummary>? _segments;
    private readonly Dictionary<int, int?> _counts = [];
    private bool _countsStarted;
    private DepartmentScope _scope = DepartmentScope.Of(null);

    protected override async Task OnInitializedAsync()
    {
        _scope = await Scopes.ForAsync((await AuthState).User, Closing);
        _segments = await Store.ListAsync(_scope, Closing);
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        // Not "firstRender": when the list's query really is asynchronous (PostgreSQL) the first render
        // has no list yet, and the sizes never came (a spinner in every row).
        if (_countsStarted || _segments is null)
        {
            return;
        }
        _countsStarted = true;
        foreach (var segment in _segments)
        {
            try
            {
                _counts[segment.Id] = await Store.CountAsync(segment.Id, _scope, Closing);
            }
            catch (SegmentRuleException)
            {
                _counts[segment.Id] = null;
            }
            catch (OperationCanceledException)
            {
                return;
            }
            StateHasChanged();
        }
    }

    private async Task DeleteAsync(SegmentSummary segment)
    {
        if (!await Dialogs.ConfirmAsync(L["Delete audience"], L["Delete '{0}'?", segment.Name], L["Delete"], L["Cancel"]))
        {
            return;
        }
        try
        {
            await Store.DeleteAsync(segment.Id, _scope, CompleteEvenIfClosed);
            _segments = await Store.ListAsync(_scope, Closing);
            Snackbar.Add(L["Deleted."], Severity.Success);
        }
        catch (DomainException e)
        {
            Snackbar.Add(L.Describe(e), Severity.Error);
        }
    }
}
