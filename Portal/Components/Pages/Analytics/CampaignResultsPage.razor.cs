using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;
using Portal.Domain.Analytics;
using Portal.Infrastructure.Analytics;
using Portal.Domain.Segments;
using Portal.Identity;
using Portal.Infrastructure.Campaigns;
using Portal.Infrastructure.Identity;
using Portal.Infrastructure.Segments;

namespace Portal.Components.Pages.Analytics;

/// <summary>
/// A campaign's results (issue 15): uplift over the control group with intervals and a verdict,
/// and the response by client group as a chart or a table, downloadable as exactly that table.
/// </summary>
public partial class CampaignResultsPage
{
    [Parameter] public int Id { get; set; }
    [SupplyParameterFromQuery(Name = "by")] public string? By { get; set; }
    [SupplyParameterFromQuery(Name = "audience")] public int? Audience { get; set; }
    [Inject] private CampaignResults Results { get; set; } = default!;
    [Inject] private CampaignCatalog Catalog { get; set; } = default!;
    [Inject] private AudienceResults AudienceResults { get; set; } = default!;
    [Inject] private SegmentStore Segments { get; set; } = default!;
    [Inject] private DepartmentScopes Scopes { get; set; } = default!;
    [Inject] private NavigationManager Navigation { get; set; } = default!;
    [CascadingParameter] private Task<AuthenticationState> AuthState { get; set; } = default!;

    private CampaignResultsReport? _report;
    private string? _loadError;
    private string _dimension = ResultDimensions.Region;
    private bool _asTable;
    private List<ResultRow> _rows = [];
    private List<ChartSeries<double>> _series = [];
    private string[] _labels = [];
    private Dictionary<string, string> _providers = [];
    private IReadOnlyList<SegmentSummary> _audiences = [];
    private int? _audienceId;
    private IReadOnlyList<ResultRow> _audienceRows = [];
    private string? _audienceError;
    private Portal.Domain.Access.DepartmentScope _scope = Portal.Domain.Access.DepartmentScope.Everything;
    private bool _seesPersonalData;
    private readonly BarChartOptions _chartOptions = new() { XAxisLabelRotation = 30 };

    private string CsvHref => $"analytics/campaigns/{Id}/results.csv?by={Uri.EscapeDataString(_dimension)}"
        + (_dimension == ResultDimensions.Audience && _audienceId is int a ? $"&audience={a}" : "");

    protected override async Task OnParametersSetAsync()
    {
        if (By is { } by && (ResultDimensions.Breakdowns.Contains(by) || by == ResultDimensions.Audience)) _dimension = by;
        var user = (await AuthState).User;
        var profile = await Catalog.ProfileAsync(user.Identity?.Name, Closing);
        var report = await Results.GetAsync(Id, Closing);
        var campaign = report is null ? null : await Catalog.FindAsync(Id, Closing);
        if (report is null || campaign is null || !user.CanSeeResults(profile.DepartmentId, campaign.DepartmentId, campaign.CreatedBy))
        {
            _loadError = L["This campaign does not exist or belongs to another department."];
            return;
        }
        _providers = (await Catalog.OptionsAsync(Closing)).Providers.ToDictionary(p => p.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), p => p.Name);
        _scope = await Scopes.ForAsync(user, Closing);
        _seesPersonalData = user.SeesPersonalData();
        _audiences = await Segments.ListAsync(_scope, Closing);
        _report = report;
        if (_dimension == ResultDimensions.Audience && Audience is int audience) await LoadAudienceAsync(audience);
        Show();
    }

    private async Task ChangeAudience(int? audienceId)
    {
        if (audienceId is not int id) return;
        await LoadAudienceAsync(id);
        Show();
        Navigation.NavigateTo(Navigation.GetUriWithQueryParameters(new Dictionary<string, object?> { ["by"] = _dimension, ["audience"] = id }), replace: true);
    }

    /// <summary>The campaign's recipients in and out of a saved audience (issue 15): computed on request, one statement.</summary>
    private async Task LoadAudienceAsync(int audienceId)
    {
        _audienceId = audienceId;
        _audienceError = null;
        _audienceRows = [];
        try
        {
            if (await AudienceResults.GetAsync(Id, audienceId, _scope, _seesPersonalData, Closing) is { } rows) _audienceRows = rows;
            else _audienceError = L["This audience does not exist or belongs to another department."];
        }
        catch (SegmentRuleException e)
        {
            _audienceError = string.Join(" ", e.Errors.Select(x => L[x.Message].Value).Distinct());
        }
    }

    private void ChangeDimension(string dimension)
    {
        _dimension = dimension;
        _audienceError = null;
        Show();
        // The address keeps the breakdown, so a reload or a shared link shows the same table.
        Navigation.NavigateTo(Navigation.GetUriWithQueryParameter("by", dimension), replace: true);
    }

    private void Show()
    {
        if (_report is null) return;
        _rows = _dimension == ResultDimensions.Audience
            ? [_report.Total, .. _audienceRows]
            : [_report.Total, .. _report.Breakdown.Where(r => r.Dimension == _dimension)];
        var rows = _rows.Skip(1).ToList();
        _labels = rows.Select(r => ResultsTable.ValueLabel(r.Dimension, r.Value, L, _providers)).ToArray();
        _series =
        [
            new ChartSeries<double> { Name = L["Conversion rate"], Data = rows.Select(r => Math.Round(r.Uplift.SentRate * 100, 2)).ToArray() },
            new ChartSeries<double> { Name = L["Control conversion rate"], Data = rows.Select(r => Math.Round(r.Uplift.ControlRate * 100, 2)).ToArray() },
            new ChartSeries<double> { Name = L["Reply rate"], Data = rows.Select(r => Math.Round(r.ReplyRate * 100, 2)).ToArray() },
        ];
    }

    private static string Range(Interval i) => $"{ResultsTable.Percent(i.Low)} … {ResultsTable.Percent(i.High)}";

    private string GoalText(CampaignGoal goal) =>
        string.Join(", ", Campaigns.CampaignGoalFields.Flags.Where(f => goal.Events.HasFlag(f)).Select(f => L[Campaigns.CampaignGoalFields.Label(f)].Value))
        + (goal.MinAmount is decimal min ? " " + L["from {0}", min.ToString("0.##", System.Globalization.CultureInfo.CurrentCulture)] : "");
}
