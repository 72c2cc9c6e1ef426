using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;
using Portal.Domain.Analytics;
using Portal.Infrastructure.Analytics;
using Portal.Infrastructure.Campaigns;

namespace Portal.Components.Pages.Analytics;

/// <summary>
/// A campaign's results (issue 15): uplift over the control group with intervals and a verdict,
/// and the response by client group as a chart or a table, downloadable as exactly that table.
/// </summary>
public partial class CampaignResultsPage : IDisposable
{
    [Parameter] public int Id { get; set; }
    [SupplyParameterFromQuery(Name = "by")] public string? By { get; set; }
    [Inject] private CampaignResults Results { get; set; } = default!;
    [Inject] private CampaignCatalog Catalog { get; set; } = default!;
    [Inject] private NavigationManager Navigation { get; set; } = default!;
    [CascadingParameter] private Task<AuthenticationState> AuthState { get; set; } = default!;

    private readonly CancellationTokenSource _closing = new();
    private CampaignResultsReport? _report;
    private string? _loadError;
    private string _dimension = ResultDimensions.Region;
    private bool _asTable;
    private List<ResultRow> _rows = [];
    private List<ChartSeries<double>> _series = [];
    private string[] _labels = [];
    private Dictionary<string, string> _providers = [];
    private readonly BarChartOptions _chartOptions = new() { XAxisLabelRotation = 30 };

    private string CsvHref => $"analytics/campaigns/{Id}/results.csv?by={Uri.EscapeDataString(_dimension)}";

    protected override async Task OnParametersSetAsync()
    {
        if (By is { } by && ResultDimensions.Breakdowns.Contains(by)) _dimension = by;
        var user = (await AuthState).User;
        var profile = await Catalog.ProfileAsync(user.Identity?.Name, _closing.Token);
        var report = await Results.GetAsync(Id, _closing.Token);
        var campaign = report is null ? null : await Catalog.FindAsync(Id, _closing.Token);
        if (report is null || campaign is null || !user.CanSeeResults(profile.DepartmentId, campaign.DepartmentId, campaign.CreatedBy))
        {
            _loadError = L["This campaign does not exist or belongs to another department."];
            return;
        }
        _providers = (await Catalog.OptionsAsync(_closing.Token)).Providers.ToDictionary(p => p.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), p => p.Name);
        _report = report;
        Show();
    }

    private void ChangeDimension(string dimension)
    {
        _dimension = dimension;
        Show();
        // The address keeps the breakdown, so a reload or a shared link shows the same table.
        Navigation.NavigateTo(Navigation.GetUriWithQueryParameter("by", dimension), replace: true);
    }

    private void Show()
    {
        if (_report is null) return;
        _rows = [_report.Total, .. _report.Breakdown.Where(r => r.Dimension == _dimension)];
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

    public void Dispose()
    {
        _closing.Cancel();
        _closing.Dispose();
    }
}
