using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.JSInterop;
using Portal.Domain.Campaigns;
using Portal.Infrastructure.Campaigns;
using Portal.Infrastructure.Segments;

namespace Portal.Components.Pages.Campaigns;

/// <summary>
/// Campaigns newest first with status, dates and progress (live for those sending, full for completed ones). Campaign managers
/// see their own department's only; administrators and managers filter by department.
/// </summary>
public partial class CampaignList
{
    [Inject] private CampaignCatalog Catalog { get; set; } = default!;
    [Inject] private Portal.Infrastructure.Identity.DepartmentScopes Scopes { get; set; } = default!;
    [Inject] private NavigationManager Navigation { get; set; } = default!;
    [Inject] private IJSRuntime JS { get; set; } = default!;
    [CascadingParameter] private Task<AuthenticationState> AuthState { get; set; } = default!;

    private IReadOnlyList<CampaignRow>? _rows;
    private IReadOnlyList<NamedId> _departments = [];
    private IReadOnlyDictionary<int, CampaignListProgress> _progress = new Dictionary<int, CampaignListProgress>();
    private IReadOnlyDictionary<int, int> _sent = new Dictionary<int, int>();
    private TimeZoneInfo _zone = TimeZoneInfo.Utc;
    private bool _seesAll;
    private int? _ownDepartment;
    private string? _userName;
    private string? _search;
    private int _status = -1;
    private int _department;
    private string? _sandboxOwnerId;

    protected override async Task OnInitializedAsync()
    {
        var user = (await AuthState).User;
        _seesAll = user.SeesAllDepartments();
        _userName = user.Identity?.Name;
        _ownDepartment = (await Catalog.ProfileAsync(user.Identity?.Name, Closing)).DepartmentId;
        // Issue 18: in the training sandbox the list shows the trainee's sandbox campaigns only.
        _sandboxOwnerId = (await Scopes.ForAsync(user, Closing)).SandboxOwnerId;
        if (_seesAll)
        {
            _departments = (await Catalog.OptionsAsync(Closing)).Departments;
        }
        await LoadAsync();
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (firstRender)
        {
            _zone = await BrowserTime.ZoneAsync(JS);
            StateHasChanged();
        }
    }

    private async Task LoadAsync()
    {
        // A campaign manager sees their department's campaigns and their own (without a department:
        // only their own, department -1 matches nothing).
        int? department = _seesAll ? (_department == 0 ? null : _department) : _ownDepartment ?? -1;
        var author = _seesAll ? null : _userName;
        _rows = await Catalog.ListAsync(new CampaignListQuery(department, _search, _status < 0 ? null : (CampaignStatus)_status, Author: author,
            SandboxOwnerId: _sandboxOwnerId), Closing);
        try
        {
            _progress = await Catalog.ListProgressAsync(_rows.Where(r => r.Status == CampaignStatus.Sending).Select(r => r.Id).ToList(), Closing);
            // Issue 20 item 6: a finished campaign's progress is full; how many it sent comes from its chunks.
            _sent = await Catalog.QueuedAtLaunchAsync(_rows.Where(r => r.Status == CampaignStatus.Completed).Select(r => r.Id).ToList(), Closing);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static double Percent(CampaignListProgress p) => p.Total == 0 ? 0 : 100.0 * p.Final / p.Total;

    private async Task SearchAsync(string? value)
    {
        _search = value;
        await LoadAsync();
    }

    private async Task StatusAsync(int value)
    {
        _status = value;
        await LoadAsync();
    }

    private async Task DepartmentAsync(int value)
    {
        _department = value;
        await LoadAsync();
    }
}
