using Portal.Resources;
using System.Security.Claims;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.JSInterop;
using MudBlazor;
using Portal.Domain.Campaigns;
using Portal.Domain.Common;
using Portal.Infrastructure.Campaigns;

namespace Portal.Components.Pages.Campaigns;

/// <summary>
/// The campaign wizard: audience, message, schedule, test send, review. The form is a
/// <see cref="CampaignDraft"/>; it is saved on request, before a test send and on the way to the
/// review (the estimate and the schedule work on the saved campaign). A step with a mistake says
/// so and keeps the user on it; nothing typed is lost.
/// </summary>
public partial class CampaignWizard
{
    public static readonly string[] Steps = ["Audience", "Message", "Schedule", "Test send", "Review"];

    [Parameter] public int? Id { get; set; }
    [Inject] private Portal.Infrastructure.Identity.DepartmentScopes Scopes { get; set; } = default!;
    [Inject] private CampaignCatalog Catalog { get; set; } = default!;
    [Inject] private ICampaignOperations Operations { get; set; } = default!;
    [Inject] private ISnackbar Snackbar { get; set; } = default!;
    [Inject] private NavigationManager Navigation { get; set; } = default!;
    [Inject] private IJSRuntime JS { get; set; } = default!;
    [CascadingParameter] private Task<AuthenticationState> AuthState { get; set; } = default!;

    private CampaignDraft? _draft;
    private Campaign? _campaign;
    private CampaignWizardOptions _options = CampaignWizardOptions.Empty;
    private CampaignUserProfile _profile = new(null, null);
    private ClaimsPrincipal _user = new();
    private TimeZoneInfo _zone = TimeZoneInfo.Utc;
    private int _step;
    private bool _saving;
    private string? _error;
    private string? _loadError;

    private int? SavedId => _campaign?.Id ?? Id;

    protected override async Task OnParametersSetAsync()
    {
        _user = (await AuthState).User;
        _profile = await Catalog.ProfileAsync(_user.Identity?.Name, Closing);
        // Issue 14: only the user's department's audiences and templates (the save checks them again).
        _options = await Catalog.OptionsAsync(await Scopes.ForAsync(_user, Closing), Closing);
        if (Id is not int id)
        {
            _draft = new CampaignDraft();
            return;
        }
        // Issue 18: a campaign of the other partition (real from the sandbox, or the reverse) reads as missing.
        var campaign = await Catalog.FindAsync(id, _user, Closing);
        if (campaign is null || !_user.CanSee(_profile.DepartmentId, campaign))
        {
            _loadError = L["This campaign does not exist or belongs to another department."];
        }
        else if (campaign.Status != CampaignStatus.Draft)
        {
            _loadError = L["Only a draft can be edited; this campaign is {0}.", L[campaign.Status.ToString()]];
        }
        else
        {
            _campaign = campaign;
            _draft = CampaignDraft.From(campaign);
        }
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (firstRender)
        {
            _zone = await BrowserTime.ZoneAsync(JS);
            StateHasChanged();
        }
    }

    /// <summary>Moving forward checks the steps left behind; moving back never does.</summary>
    private async Task GoAsync(int step)
    {
        if (_draft is null || step < 0 || step >= Steps.Length) return;
        _error = null;
        for (var i = _step; i < step; i++)
        {
            if (StepProblem(i) is { } problem)
            {
                _step = i;
                _error = problem;
                return;
            }
        }
        if (step == Steps.Length - 1)
        {
            if (await SaveAsync() is null) return;
            // Issue 20 item 9: the save on the way to the review was silent (only the title changed).
            Snackbar.Add(L["Draft saved: the estimate and the schedule work on the saved campaign."], Severity.Info);
        }
        _step = step;
    }

    /// <summary>What is missing or wrong on a step, in the user's language; null when it is complete.</summary>
    private string? StepProblem(int step)
    {
        var d = _draft!.Settings;
        switch (step)
        {
            case 0 when d.SegmentId is null:
                return L["Choose an audience."];
            case 0 when d.SegmentId is int s && d.ExcludedSegmentIds.Contains(s):
                return L["A segment cannot be both the audience and an exclusion."];
            case 1 when string.IsNullOrWhiteSpace(d.Body):
                return L["Write the message or choose a template."];
            case 1 when MessageStep.SenderIdProblem(d.SenderId) is not null:
                return L["A sender id is up to 11 Latin letters, digits, spaces, '.', '-' or '_' with at least one letter, or a number of up to 15 digits."];
            case 2 when d.ScheduleKind == ScheduleKind.At && _draft.LaunchAtUtc is null:
                return L["Choose the date and time to send."];
            case 2 when d.ScheduleKind == ScheduleKind.Recurring && CronPreview.TryNext(d.Cron, DateTime.UtcNow, d.RecurrenceEndsAt, 1, out _) is { } cron:
                return L[cron];
            case 2 when d.ScheduleKind == ScheduleKind.Recurring && d.RecurrenceEndsAt is null:
                return L["A recurring campaign needs an end date."];
            default:
                return null;
        }
    }

    private async Task SaveDraftAsync()
    {
        if (await SaveAsync() is not null)
        {
            Snackbar.Add(L["Draft saved."], Severity.Success);
        }
    }

    /// <summary>For the test send: the campaign must exist before it can be rendered and sent.</summary>
    private async Task<int?> SaveForStepAsync()
    {
        var id = await SaveAsync();
        if (id is not null) Snackbar.Add(L["Draft saved before the test send."], Severity.Info);
        return id;
    }

    /// <returns>The campaign's id, or null with <see cref="_error"/> set.</returns>
    private async Task<int?> SaveAsync()
    {
        if (_draft is null) return null;
        _saving = true;
        try
        {
            var id = await Catalog.SaveDraftAsync(SavedId, _draft, _user, _campaign?.DepartmentId ?? _profile.DepartmentId, CompleteEvenIfClosed);
            _campaign = await Catalog.FindAsync(id, Closing);
            _error = null;
            if (Id is null)
            {
                // The address now names the draft, so a reload edits it instead of starting over.
                Navigation.NavigateTo($"campaigns/{id}/edit", new NavigationOptions { ReplaceHistoryEntry = true });
            }
            return id;
        }
        catch (DomainException e)
        {
            _error = L.Describe(e);
            return null;
        }
        finally
        {
            _saving = false;
        }
    }

    private async Task ApprovalChangedAsync(bool required)
    {
        if (_draft is null || _draft.RequiresApproval == required) return;
        _draft.RequiresApproval = required;
        await SaveAsync();
    }

    private async Task ScheduleAsync()
    {
        if (await SaveAsync() is not int id) return;
        try
        {
            await Operations.ScheduleAsync(id, _user, CompleteEvenIfClosed);
            Snackbar.Add(L["Campaign scheduled."], Severity.Success);
            Navigation.NavigateTo($"campaigns/{id}");
        }
        catch (DomainException e)
        {
            _error = L.Describe(e);
        }
    }
}
