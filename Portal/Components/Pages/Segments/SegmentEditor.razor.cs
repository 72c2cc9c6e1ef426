using Portal.Resources;
using System.Diagnostics;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;
using Portal.Domain.Access;
using Portal.Domain.Audit;
using Portal.Domain.Common;
using Portal.Domain.Segments;
using Portal.Infrastructure.Audit;
using Portal.Infrastructure.Identity;
using Portal.Infrastructure.Segments;
using Portal.Identity;

namespace Portal.Components.Pages.Segments;

/// <summary>
/// The audience builder: the rule tree, the live count (debounced; a newer edit cancels the
/// count still running), a sample of 20 clients on request, and "why is this client in or out".
/// </summary>
public partial class SegmentEditor
{
    /// <summary>How long the count waits for the user to stop editing.</summary>
    public static TimeSpan Debounce { get; set; } = TimeSpan.FromMilliseconds(400);

    [Parameter] public int? Id { get; set; }
    [Inject] private SegmentAudience Audience { get; set; } = default!;
    [Inject] private SegmentStore Store { get; set; } = default!;
    [Inject] private DepartmentScopes Scopes { get; set; } = default!;
    [Inject] private AuditLog Audit { get; set; } = default!;
    [Inject] private ISnackbar Snackbar { get; set; } = default!;
    [Inject] private NavigationManager Navigation { get; set; } = default!;
    [CascadingParameter] private Task<AuthenticationState> AuthState { get; set; } = default!;

    private SegmentRule _rule = SegmentRule.Everyone();
    private SegmentEditorOptions _options = SegmentEditorOptions.Empty;
    private string? _name;
    private int _version;
    private string? _loadError;
    private bool _seesPersonalData;
    private int? _count;
    private long? _countTime;
    private bool _counting;
    private bool _saving;
    private List<string> _errors = [];
    private IReadOnlyList<AudienceSampleRow>? _sample;
    private string? _explainKey;
    private AudienceExplanation? _explanation;
    private CancellationTokenSource? _pending;
    private DepartmentScope _scope = DepartmentScope.Of(null);

    protected override async Task OnParametersSetAsync()
    {
        var user = (await AuthState).User;
        _seesPersonalData = user.SeesPersonalData();
        _scope = await Scopes.ForAsync(user, Closing);
        _options = await Store.OptionsAsync(_scope, Closing);
        if (Id is { } id)
        {
            var segment = await Store.FindAsync(id, _scope, Closing);
            if (segment is null)
            {
                _loadError = L["This audience does not exist."];
                return;
            }
            (_name, _version) = (segment.Name, segment.Version);
            try
            {
                _rule = SegmentRuleJson.Parse(segment.RulesJson);
            }
            catch (SegmentRuleException e)
            {
                // The stored rule no longer reads: its reasons stay on screen (not counted, not savable) until
                // the user builds a new rule. Counting "everyone" here cleared them and showed a size the saved
                // rule never had, with Save enabled to overwrite it silently.
                _errors = e.Errors.Select(x => x.ToString()).ToList();
                _rule = SegmentRule.Everyone();
                return;
            }
        }
        await CountAsync(Closing);
    }

    private string SegmentName(int id) => _options.Segments.FirstOrDefault(s => s.Id == id)?.Name ?? id.ToString();

    private string ListName(int id) => _options.Lists.FirstOrDefault(l => l.Id == id)?.Name ?? id.ToString();

    private Task ExcludeSegmentsChanged(IReadOnlyCollection<int>? ids)
    {
        _rule.ExcludeSegments = ids?.ToList() ?? [];
        return RulesChanged();
    }

    private Task ExcludeListsChanged(IReadOnlyCollection<int>? ids)
    {
        _rule.ExcludeLists = ids?.ToList() ?? [];
        return RulesChanged();
    }

    /// <summary>Every edit lands here: wait for a pause, cancel the count of an older version of the rule, count again.</summary>
    private async Task RulesChanged()
    {
        // Cancelled, not disposed: the older edit's continuation may still read its token (a
        // disposed source throws there), and a source without a timer holds nothing to release.
        _pending?.Cancel();
        _pending = new CancellationTokenSource();
        var token = _pending.Token;
        _sample = null;
        _explanation = null;
        try
        {
            await Task.Delay(Debounce, token);
            await CountAsync(token);
        }
        catch (OperationCanceledException)
        {
            // A newer edit took over.
        }
    }

    private async Task CountAsync(CancellationToken ct)
    {
        _counting = true;
        StateHasChanged();
        try
        {
            var clock = Stopwatch.StartNew();
            _count = await Audience.CountAsync(_rule, Id, _seesPersonalData, _scope.SandboxOwnerId, ct);
            _countTime = clock.ElapsedMilliseconds;
            _errors = [];
        }
        catch (SegmentRuleException e)
        {
            (_count, _countTime) = (null, null);
            _errors = e.Errors.Select(x => x.Message).Distinct().ToList();
        }
        finally
        {
            if (!ct.IsCancellationRequested)
            {
                _counting = false;
            }
        }
    }

    private async Task SampleAsync()
    {
        try
        {
            _sample = await Audience.SampleAsync(_rule, Id, _seesPersonalData, _scope.SandboxOwnerId, Closing);
            if (_seesPersonalData && _sample.Count > 0)
            {
                await Audit.WriteAsync((await AuthState).User, AuditActions.PersonalDataRead, "Segment", Id?.ToString(),
                    $"audience sample: {_sample.Count} clients");
            }
        }
        catch (SegmentRuleException e)
        {
            _errors = e.Errors.Select(x => x.Message).Distinct().ToList();
        }
    }

    private async Task ExplainAsync()
    {
        try
        {
            _explanation = await Audience.ExplainAsync(_rule, Id, _explainKey ?? "", _seesPersonalData, _scope.SandboxOwnerId, Closing);
            if (_seesPersonalData && _explanation.Found)
            {
                // The typed phone or id is personal data itself: the audit entry names the client by id only.
                await Audit.WriteAsync((await AuthState).User, AuditActions.PersonalDataRead, "Client", _explanation.ClientId?.ToString(),
                    $"audience explanation for segment {Id?.ToString() ?? "(unsaved)"}");
            }
        }
        catch (SegmentRuleException e)
        {
            _errors = e.Errors.Select(x => x.Message).Distinct().ToList();
        }
    }

    private async Task SaveAsync()
    {
        _saving = true;
        try
        {
            var user = (await AuthState).User;
            var (id, version) = await Store.SaveAsync(_scope, _seesPersonalData, Id, _name ?? "", _rule, user.Identity?.Name ?? "", CompleteEvenIfClosed);
            _version = version;
            // Issue 20: saved either way (a list may fill later), but an empty audience is said at save.
            _count = await Audience.CountAsync(_rule, id, _seesPersonalData, _scope.SandboxOwnerId, Closing);
            if (_count == 0)
            {
                Snackbar.Add(L["Saved: version {0}. Nobody matches these conditions now.", version], Severity.Warning);
            }
            else
            {
                Snackbar.Add(L["Saved: version {0}.", version], Severity.Success);
            }
            if (Id is null)
            {
                Navigation.NavigateTo($"segments/{id}");
            }
        }
        catch (SegmentRuleException e)
        {
            _errors = e.Errors.Select(x => x.Message).Distinct().ToList();
        }
        catch (DomainException e)
        {
            Snackbar.Add(L.Describe(e), Severity.Error);
        }
        finally
        {
            _saving = false;
        }
    }

    protected override ValueTask DisposeAsyncCore()
    {
        _pending?.Cancel();
        return ValueTask.CompletedTask;
    }
}
